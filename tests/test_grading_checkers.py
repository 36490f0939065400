"""The checkers: fresh inputs every call, precise diagnoses, no credit for calling the reference."""

import inspect
import re
import types

import numpy as np
import pytest

from lstm_lib.grading import CheckFailed, NotAttempted, ReferenceUsed, check
from lstm_lib.grading import reference as ref
from lstm_lib.grading.feedback import learner_traceback
from lstm_lib.tf_startup import import_tensorflow

# The wrong answers below are built from a copy of the reference compiled outside lstm_lib:
# called from a learner's function, the reference itself would be refused (see the guard test).
R = types.ModuleType("copy_of_reference")
exec(compile(inspect.getsource(ref), "<copy of the reference>", "exec"), R.__dict__)


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def lstm_step(order="ifco", cand=np.tanh, swap_out=False, kernels_swapped=False):
    """An LSTM step with the knobs of the classic mistakes."""
    def step(x, h, c, W, U, b):
        H = h.shape[1]
        z = (x @ U + h @ W if kernels_swapped else x @ W + h @ U) + b
        blk = {k: z[:, j * H:(j + 1) * H] for j, k in enumerate(order)}
        i, f, g, o = sigmoid(blk["i"]), sigmoid(blk["f"]), cand(blk["c"]), sigmoid(blk["o"])
        c = f * c + i * g
        h = o * np.tanh(c)
        return (c, h) if swap_out else (h, c)
    return step


def failure(checker, fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        checker(fn, *args, **kwargs)
    return info.value


def right_rnn(x, h, W, U, b):
    return np.tanh(x @ W + h @ U + b)


def test_a_pass_prints_the_points_and_a_fresh_seed_every_call(capsys):
    check.rnn_step_forward(right_rnn, points=2)
    check.rnn_step_forward(right_rnn, points=2)
    lines = capsys.readouterr().out.splitlines()
    assert all(re.fullmatch(r"✔ rnn_step_forward: passed \(2/2 points, seed \d+\)", ln)
               for ln in lines)
    seeds = [re.search(r"seed (\d+)", ln).group(1) for ln in lines]
    assert seeds[0] != seeds[1]
    check.rnn_step_forward(right_rnn, quiet=True)
    assert capsys.readouterr().out == ""


def test_a_hard_coded_answer_fails_because_the_inputs_change():
    rng = np.random.default_rng(0)
    x, h, W, U, b = (rng.standard_normal(s) for s in [(3, 4), (3, 5), (4, 5), (5, 5), (5,)])
    answer = right_rnn(x, h, W, U, b)
    e = failure(check.rnn_step_forward, lambda *args: answer, B=3, D=4, H=5)
    assert isinstance(e, CheckFailed)


def test_a_failure_names_its_seed_and_the_seed_reproduces_it():
    def wrong(x, h, W, U, b):
        return np.tanh(x @ W + h @ U + b + 0.1 * np.sin(np.arange(h.shape[1])))

    message = str(failure(check.rnn_step_forward, wrong))
    seed = int(re.search(r"reproduce: check.rnn_step_forward\(\.\.\., seed=(\d+)\)",
                         message).group(1))
    again = str(failure(check.rnn_step_forward, wrong, seed=seed))
    assert again == message
    assert "worst at h[" in message and "entries differ" in message


def test_not_implemented_is_not_attempted_yet():
    def stub(*args):
        raise NotImplementedError()

    e = failure(check.lstm_step_forward, stub)
    assert isinstance(e, NotAttempted) and isinstance(e, AssertionError)
    assert "not attempted yet" in str(e) and "# YOUR CODE HERE" in str(e)


def test_calling_the_reference_earns_nothing_however_it_is_reached():
    import lstm_lib.grading.reference as hidden

    e = failure(check.rnn_step_forward, lambda *a: hidden.rnn_step(*a))
    assert isinstance(e, ReferenceUsed) and "lstm_lib.grading.reference.rnn_step" in str(e)
    rnn = pytest.importorskip("lstm_lib.numpy.rnn", reason="lstm_lib.numpy not written yet")
    alias = rnn.rnn_step_forward
    e = failure(check.rnn_step_forward, lambda *a: alias(*a)[0])
    assert isinstance(e, ReferenceUsed) and "lstm_lib.numpy" in str(e)


def test_errors_in_the_learners_code_say_what_the_arguments_were():
    e = failure(check.lstm_step_forward, lstm_step(kernels_swapped=True), D=3, H=5)
    message = str(e)
    assert "your function raised ValueError" in message
    assert "x (" in message and "U (5, 20)" in message  # named as the learner named them
    assert "x (B, D) @ kernel (D, 4H)" in message
    lines = e._render_traceback_()
    assert "It happened in your code:" in lines
    assert not any("lstm_lib/grading" in ln for ln in learner_traceback(e.__cause__))


@pytest.mark.parametrize("fn, expected", [
    (lstm_step(order="icfo"), "the gate blocks are read in the wrong order (f from block 2, "
                              "c from block 1)"),
    (lstm_step(cand=sigmoid), "the candidate g is squashed with a sigmoid"),
    (lstm_step(swap_out=True), "h and c are swapped"),
    (lstm_step(swap_out=True, cand=sigmoid), "h and c are swapped: return (h, c), in that "
                                             "order. Once they are swapped back, your result is "
                                             "what this mistake gives: the candidate g is "
                                             "squashed with a sigmoid"),
], ids=["gate order", "sigmoid candidate", "h c swapped", "two bugs"])
def test_lstm_step_mistakes_are_named(fn, expected):
    assert expected in str(failure(check.lstm_step_forward, fn))


def test_lstm_step_probes_name_the_first_wrong_gate():
    def leaky_forget(x, h, c, W, U, b):
        H = h.shape[1]
        z = x @ W + h @ U + b
        i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H] + 0.5), sigmoid(z[:, 3 * H:])
        c = f * c + i * np.tanh(z[:, 2 * H:3 * H])
        return o * np.tanh(c), c

    message = str(failure(check.lstm_step_forward, leaky_forget))
    assert "the forget gate f looks wrong" in message and "z[:, H:2H]" in message


def test_sequence_and_bptt_diagnoses_point_at_the_time_step():
    def one_short(x, h0, W, U, b):
        hs = R.rnn_forward(x, h0, W, U, b)
        hs[:, -1] = 0
        return hs

    assert "every step is right except the last one" in str(
        failure(check.rnn_forward, one_short, T=5))

    def forward(x, h0, W, U, b):
        hs = R.rnn_forward(x, h0, W, U, b)
        return hs, (x, h0, W, U, b)

    def no_recurrence(dhs, cache):
        return R.rnn_backward(dhs, *cache, recurrent=False)

    assert "the gradient that flows back through h from step t + 1 is dropped" in str(
        failure(check.rnn_backward, no_recurrence, forward))


def test_backward_diagnosis_names_the_gate_block():
    def forward(x, h_prev, c_prev, W, U, b):
        h, c = R.lstm_step(x, h_prev, c_prev, W, U, b)
        return h, c, (x, h_prev, c_prev, W, U, b)

    def wrong_output_gate(dh, dc, cache):
        grads = list(R.lstm_step_backward(dh, dc, *cache))
        H = dh.shape[1]
        grads[5] = grads[5].copy()
        grads[5][3 * H:] *= 2
        return tuple(grads)

    message = str(failure(check.lstm_step_backward, wrong_output_gate, forward))
    assert "output-gate (o) block is the first that differs" in message
    assert "dz_o = dh * tanh(c) * o * (1 - o)" in message


def test_other_diagnoses():
    def textbook_adam(p, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                      epsilon=1e-7):
        return R.adam_step(p, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, True)

    assert "textbook form" in str(failure(check.adam_step, textbook_adam))

    def greedy(logits, temperature, rng):
        return logits.argmax(axis=1)

    assert "always picks the most likely" in str(failure(check.sample_with_temperature, greedy))

    def pytorch_gru(x, h, W, U, b):
        return R.gru_step(x, h, W, U, b, keras_interp=False)

    assert "Keras computes h = z * h_prev + (1 - z) * h~" in str(
        failure(check.gru_step_forward, pytorch_gru))

    def per_step(x, kernel, bias):
        return np.stack([x[:, t] @ kernel + bias for t in range(x.shape[1])], axis=1)

    assert "matrix products" in str(failure(check.hoisted_input_projection, per_step, T=4))

    def zero_masked(x, mask, h0, W, U, b):
        hs = R.rnn_forward(x, h0, W, U, b)
        return hs * mask[..., None]

    assert "mask" in str(failure(check.masked_rnn_forward, zero_masked))


@pytest.mark.slow
def test_tensorflow_checks_refuse_keras_recurrent_layers():
    tf = import_tensorflow()
    import keras

    class Wrapped(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = [units]
            self.cell = keras.layers.GRUCell(units)

        def build(self, input_shape):
            self.cell.build(input_shape)

        def call(self, inputs, states):
            return self.cell(inputs, states)

    e = failure(check.gru_cell_layer, Wrapped)
    assert isinstance(e, ReferenceUsed) and "keras" in str(e)

    def numpy_step(x, h, c, W, U, b):
        return lstm_step()(*(np.asarray(a) for a in (x, h, c, W, U, b)))

    assert "is a NumPy array" in str(failure(check.tf_lstm_step, numpy_step))

    def tf_step(x, h, c, W, U, b):
        H = h.shape[1]
        z = tf.matmul(x, W) + tf.matmul(h, U) + b
        i, f, o = tf.sigmoid(z[:, :H]), tf.sigmoid(z[:, H:2 * H]), tf.sigmoid(z[:, 3 * H:])
        c = f * c + i * tf.sigmoid(z[:, 2 * H:3 * H])
        return o * tf.tanh(c), c

    assert "the candidate g is squashed with a sigmoid" in str(
        failure(check.tf_lstm_step, tf_step))


@pytest.mark.slow
def test_the_reference_computes_what_keras_computes():
    import_tensorflow()
    import keras

    rng = np.random.default_rng(0)
    B, T, D, H = 3, 5, 4, 6
    x = rng.standard_normal((B, T, D)).astype("float32")
    h0 = np.zeros((B, H))
    for name, run in [("LSTM", lambda w: ref.lstm_forward(x, h0, h0, *w)[0]),
                      ("GRU", lambda w: ref.gru_forward(x, h0, *w)),
                      ("SimpleRNN", lambda w: ref.rnn_forward(x, h0, *w))]:
        layer = getattr(keras.layers, name)(H, return_sequences=True)
        layer.build((B, T, D))
        weights = [0.5 * rng.standard_normal(w.shape).astype("float32")
                   for w in layer.get_weights()]
        layer.set_weights(weights)
        np.testing.assert_allclose(run([w.astype(float) for w in weights]),
                                   np.asarray(layer(x)), rtol=1e-5, atol=1e-6, err_msg=name)


def test_the_reference_gradients_match_numerical_ones():
    rng = np.random.default_rng(1)
    B, T, D, H = 2, 3, 3, 2
    x, h0, c0 = (rng.standard_normal(s) for s in [(B, T, D), (B, H), (B, H)])
    W, U, b = (0.5 * rng.standard_normal(s) for s in [(D, 4 * H), (H, 4 * H), (4 * H,)])
    dhs, dc_T = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))
    grads = ref.lstm_backward(dhs, x, h0, c0, W, U, b, dc_T)

    def loss():
        hs, c_T = ref.lstm_forward(x, h0, c0, W, U, b)
        return np.sum(hs * dhs) + np.sum(c_T * dc_T)

    for array, grad in [(x, grads[0]), (h0, grads[1]), (c0, grads[2]), (W, grads[3]),
                        (U, grads[4]), (b, grads[5])]:
        numeric = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            old = array[idx]
            array[idx] = old + 1e-6
            up = loss()
            array[idx] = old - 1e-6
            numeric[idx] = (up - loss()) / 2e-6
            array[idx] = old
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_progress_shows_what_passed_the_points_and_what_to_look_at_next(capsys):
    from lstm_lib.grading import feedback

    feedback.RESULTS.clear()
    check.rnn_step_batch(lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U.T + b), points=2)
    failure(check.rnn_many_to_one, lambda x, h0, W, U, b, V, b_y: (np.zeros((len(x), 9)), h0))
    capsys.readouterr()
    check.progress("01")
    out = capsys.readouterr().out
    assert "your progress: 2 of 8 points" in out
    assert re.search(r"✔ Exercise 2 · From one example to a batch ★ +2/2 +passed", out)
    assert re.search(r"✘ Exercise 3 · Many to one: an RNN that reads a sequence and predicts "
                     r"one number ★★ +0/2 +failed", out)
    assert "Next: Exercise 1 (not run)" in out
    check.largest_units(units_for_budget(), points=1)
    capsys.readouterr()
    check.progress("01")
    assert "Next: Exercise 3 (failed): rnn_many_to_one: `y` has shape" in capsys.readouterr().out
    feedback.RESULTS.clear()


def hand_set(first_blocked=True, readout_sign=1.0, scale=0.05, sharp=10.0, only_sum=False):
    """The difference cell of problem set 03 (units flag, first, sum), with the knobs of the
    classic mistakes."""
    H, value, marker = 3, 0, 1
    W, U, b = np.zeros((2, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    for unit in range(H):
        W[marker, unit], b[unit] = 2 * sharp, -sharp  # i opens at a marker
        b[H + unit], b[3 * H + unit] = sharp, sharp  # f and o open
    b[2 * H] = sharp  # the flag writes 1
    W[value, 2 * H + 1] = W[value, 2 * H + 2] = scale
    if first_blocked:
        U[0, 1] = -4 * sharp
    V = readout_sign * np.array([0.0, 2 / scale, -1 / scale])
    if only_sum:
        V = np.array([0.0, 0.0, 1 / scale])
    return lambda: (W, U, b, V)


@pytest.mark.parametrize("fn, expected", [
    (hand_set(only_sum=True), "is X1 + X2, the chapter's sum"),
    (hand_set(first_blocked=False), "a flag unit that switches on at the first marker"),
    (hand_set(readout_sign=-1.0), "is X2 - X1: the sign is flipped"),
    (hand_set(readout_sign=0.5), "x (X1 - X2): the readout's scale is off"),
    (hand_set(scale=1.0), "the tanh's are not near-linear: the cell state of unit 2"),
    (hand_set(sharp=2.0), "see which one is half open"),
], ids=["the chapter's sum", "first not blocked", "sign", "scale", "tanh not linear",
        "soft gates"])
def test_hand_set_difference_names_the_design_mistake(fn, expected):
    check.hand_set_difference(hand_set(), quiet=True)
    message = str(failure(check.hand_set_difference, fn))
    assert expected in message, message
    assert "reproduce: check.hand_set_difference(..., seed=" in message


def torch_forward(convert="right", loop="right", last="c"):
    """lstm_forward_torch with the knobs of its classic mistakes: how the PyTorch weights are
    converted, how the loop runs, which state is returned as c_T."""
    def fn(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
        W, U = (weight_ih, weight_hh) if convert == "not transposed" else (weight_ih.T,
                                                                          weight_hh.T)
        b = {"one bias": bias_ih, "subtracted": bias_ih - bias_hh,
             "ignored": 0 * bias_ih}.get(convert, bias_ih + bias_hh)
        T = x.shape[1]
        hs, h, c = np.zeros((x.shape[0], T, h0.shape[1])), h0, c0
        for t in range(T - 1 if loop == "one short" else T):
            h, c = lstm_step()(x[:, t], h, c, W, U, b)
            if loop == "h c swapped":
                h, c = c, h
            hs[:, t] = h
        return hs, c if last == "c" else h
    return fn


@pytest.mark.parametrize("fn, expected", [
    (torch_forward(convert="not transposed"), "so x @ weight_ih does not fit: use weight_ih.T"),
    (torch_forward(convert="one bias"), "only bias_ih is used. The step adds the two"),
    (torch_forward(convert="subtracted"), "bias_hh is subtracted from bias_ih"),
    (torch_forward(convert="ignored"), "the biases are ignored"),
    (torch_forward(loop="h c swapped"), "h and c are swapped in the carry"),
    (torch_forward(loop="one short"), "every step is right except the last one"),
    (torch_forward(last="h"), "c_T is the last hidden state h_T"),
], ids=["not transposed", "one bias", "subtracted", "ignored", "h c swapped", "one short",
        "h_T for c_T"])
def test_lstm_forward_torch_names_the_conversion_mistake(fn, expected):
    check.lstm_forward_torch(torch_forward(), quiet=True)
    check.lstm_forward_torch(torch_forward(), T=1, quiet=True)
    message = str(failure(check.lstm_forward_torch, fn))
    assert expected in message, message
    assert "reproduce: check.lstm_forward_torch(..., seed=" in message


def test_lstm_forward_torch_names_a_loop_that_stacks_one_step_short():
    def stacked_short(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
        hs, c = torch_forward()(x[:, :-1], h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
        return hs, c

    assert "the loop is one step short" in str(failure(check.lstm_forward_torch, stacked_short))


def many_to_one(read="last", loop="right", bias=True, transposed=False):
    """rnn_many_to_one with the knobs of its classic mistakes: which state(s) the readout
    reads, how the loop runs, whether b_y is added, whether W_hy is transposed."""
    def fn(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
        T = x.shape[1]
        hs, h = [], h0
        for t in range(T - 1 if loop == "one short" else T):
            h = right_rnn(x[:, t], h, W_xh, W_hh, b_h + (0.1 if loop == "drift" and t == 2
                                                           else 0.0))
            hs.append(h)
        V = W_hy.T if transposed else W_hy
        outs = np.stack(hs, axis=1) @ V + (b_y if bias else 0)
        y = {"mean": outs.mean(axis=1), "sum": outs.sum(axis=1),
             "h0": h0 @ V + b_y}.get(read, outs[:, -1])
        return y, h
    return fn


@pytest.mark.parametrize("fn, expected", [
    (many_to_one(read="mean"), "applied at every step and the predictions averaged"),
    (many_to_one(read="sum"), "applied at every step and the predictions summed"),
    (many_to_one(read="h0"), "the readout reads the initial state h0"),
    (many_to_one(loop="one short"), "the readout reads h_{T-1}, the state one step before"),
    (many_to_one(transposed=True), "with W_hy as it is (no transpose, and h_T on the left)"),
    (many_to_one(bias=False), "the bias b_y is missing"),
], ids=["averaged", "summed", "h0", "one short", "W_hy transposed", "no b_y"])
def test_rnn_many_to_one_names_the_readout_mistake(fn, expected):
    check.rnn_many_to_one(many_to_one(), quiet=True)
    check.rnn_many_to_one(many_to_one(), T=1, quiet=True)
    message = str(failure(check.rnn_many_to_one, fn))
    assert expected in message, message
    assert "reproduce: check.rnn_many_to_one(..., seed=" in message


def test_rnn_many_to_one_reruns_prefixes_to_find_the_first_wrong_step():
    message = str(failure(check.rnn_many_to_one, many_to_one(loop="drift"), T=6))
    assert "right on the first 2 steps, x[:, :2], and wrong from 3 steps on" in message, message


def test_hand_set_difference_names_the_worst_sequence_and_the_shape_it_wanted():
    message = str(failure(check.hand_set_difference, hand_set(sharp=2.0), seed=3))
    assert re.search(r"The worst, sequence \d+: X1 = [\d.]+ at step \d+, X2 = [\d.]+ at step "
                     r"\d+; h_T @ readout = ", message)
    W, U, b, V = hand_set()()
    message = str(failure(check.hand_set_difference, lambda: (W[:1], U, b, V)))
    assert "`kernel` has shape (1, 12), expected (D, 4H) with D = 2" in message


def cifg_forward(x, h_prev, c_prev, W, U, b):
    H = h_prev.shape[1]
    z = x @ W + h_prev @ U + b
    i, g, o = sigmoid(z[:, :H]), np.tanh(z[:, H:2 * H]), sigmoid(z[:, 2 * H:])
    c = (1 - i) * c_prev + i * g
    return o * np.tanh(c), c, (x, h_prev, c_prev, i, g, o, c, W, U)


def cifg_backward(via_f=-1.0, dc_prev_gate="1 - i", h_to_c=True, dg_derivative="1 - g**2"):
    """The CIFG step backward of problem set 04, with the knobs of the classic mistakes."""
    def backward(dh, dc, cache):
        x, h_prev, c_prev, i, g, o, c, W, U = cache
        tc = np.tanh(c)
        dc_total = dc + (dh * o * (1 - tc**2) if h_to_c else 0)
        di = dc_total * (g + via_f * c_prev) * i * (1 - i)
        dg = dc_total * i * (1 - g**2 if dg_derivative == "1 - g**2" else g * (1 - g))
        do = dh * tc * o * (1 - o)
        dz = np.concatenate([di, dg, do], axis=1)
        gate = {"1 - i": 1 - i, "i": i, "1": 1.0}[dc_prev_gate]
        return dz @ W.T, dz @ U.T, dc_total * gate, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
    return backward


@pytest.mark.parametrize("fn, expected", [
    (cifg_backward(via_f=0.0), "dz_i treats the forget gate as a constant"),
    (cifg_backward(via_f=1.0), "the path through f = 1 - i has the wrong sign"),
    (cifg_backward(dc_prev_gate="i"), "dc_prev = dc_total * f with f = 1 - i, not dc_total * i"),
    (cifg_backward(dc_prev_gate="1"), "the forget gate scales what flows back to c_prev"),
    (cifg_backward(h_to_c=False), "dc_total leaves out the path through h = o * tanh(c)"),
    (cifg_backward(dg_derivative="sigmoid"), "its candidate (g) block is the first that "
                                             "differs: dz_g = dc_total * i * (1 - g**2)"),
], ids=["f constant", "f sign", "dc_prev times i", "dc_prev without f", "no h to c",
        "candidate derivative"])
def test_cifg_step_backward_names_the_wrong_term(fn, expected):
    check.cifg_step_backward(cifg_backward(), cifg_forward, quiet=True)
    message = str(failure(check.cifg_step_backward, fn, cifg_forward))
    assert expected in message, message
    assert "reproduce: check.cifg_step_backward(..., seed=" in message


def leaky_forward(x, h_prev, W, U, b, alpha):
    h_tilde = np.tanh(x @ W + h_prev @ U + b)
    return (1 - alpha) * h_prev + alpha * h_tilde, (x, h_prev, h_tilde, W, U, alpha)


def leaky_backward(leak="1 - alpha", alpha_in_da=True, derivative="1 - h_tilde**2"):
    """The leaky RNN step backward of problem set 02, with the knobs of the classic mistakes."""
    def backward(dh, cache):
        x, h_prev, h_tilde, W, U, alpha = cache
        d = 1 - h_tilde**2 if derivative == "1 - h_tilde**2" else 1 - h_tilde
        da = dh * d * (alpha if alpha_in_da else 1.0)
        direct = {"1 - alpha": 1 - alpha, "1": 1.0, "none": 0.0}[leak] * dh
        return da @ W.T, direct + da @ U.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    return backward


@pytest.mark.parametrize("fn, expected", [
    (leaky_backward(leak="none"), "dh_prev misses the direct path"),
    (leaky_backward(leak="1"), "the direct path of dh_prev is (1 - alpha) * dh, not dh"),
    (leaky_backward(alpha_in_da=False), "da misses the factor alpha = "),
    (leaky_backward(derivative="1 - h_tilde"), "`dbias` differs from the reference.\n  dbias = "
                                               "da.sum(axis=0), with da = dh * alpha * "),
], ids=["no leak path", "leak without factor", "no alpha", "tanh derivative"])
def test_leaky_rnn_step_backward_names_the_missing_path(fn, expected):
    check.leaky_rnn_step_backward(leaky_backward(), leaky_forward, quiet=True)
    message = str(failure(check.leaky_rnn_step_backward, fn, leaky_forward))
    assert expected in message, message
    assert "reproduce: check.leaky_rnn_step_backward(..., seed=" in message


def half_life(f_of_k=lambda k: 2.0 ** (-1.0 / k), logit=True, input_block="-b_f"):
    """The half-life bias of problem set 05, with the knobs of the classic mistakes."""
    def bias(k):
        f = f_of_k(k)
        b_f = np.log(f / (1 - f)) if logit else f
        b_i = {"-b_f": -b_f, "zero": 0 * b_f, "+b_f": b_f}[input_block]
        return np.concatenate([b_i, b_f, 0 * b_f, 0 * b_f])
    return bias


@pytest.mark.parametrize("fn, expected", [
    (half_life(logit=False), "the forget block holds the gate's value sigma(b_f)"),
    (half_life(f_of_k=lambda k: 1 - 1 / k), "that is chrono's b_f = log(k - 1), a *mean* memory"),
    (half_life(f_of_k=lambda k: 2.0 ** -k), "gives sigma(b_f) = 2**(-1/k), not 2**(-k)"),
    (half_life(f_of_k=lambda k: np.exp(-1 / k)), "keeps 1/e of the gradient after k steps"),
    (half_life(input_block="zero"), "the input block is zero: chrono initialisation sets "
                                    "b_i = -b_f"),
    (half_life(input_block="+b_f"), "the input block is b_i = -b_f, minus the forget block"),
], ids=["gate value", "chrono mean memory", "2**-k", "1/e", "input zero", "input sign"])
def test_half_life_bias_names_the_design_mistake(fn, expected):
    check.half_life_bias(half_life(), quiet=True)
    message = str(failure(check.half_life_bias, fn))
    assert expected in message, message


def masked_forward(before_first="zeros"):
    """Problem set 11's masked RNN; before_first="h0" outputs the held h0 before a row's first
    real step (the old instructions), where Keras outputs zeros."""
    def forward(x, mask, h0, W, U, b):
        hs, h, out = [], h0, 0 * h0
        for t in range(x.shape[1]):
            new = np.tanh(x[:, t] @ W + h @ U + b)
            h = np.where(mask[:, t, None], new, h)
            out = np.where(mask[:, t, None], new, h if before_first == "h0" else out)
            hs.append(out)
        return np.stack(hs, axis=1)
    return forward


def test_masked_rnn_forward_names_h0_before_the_first_real_step():
    check.masked_rnn_forward(masked_forward(), quiet=True)
    message = str(failure(check.masked_rnn_forward, masked_forward(before_first="h0")))
    assert "before a row's first real step your outputs are h0, but Keras outputs zeros" \
        in message, message


@pytest.mark.slow
def test_masked_rnn_references_are_what_keras_simple_rnn_computes():
    """The forward and backward that problem set 11 grades against, against Keras's generic
    loop on a mask with leading masked steps, a hole and a fully masked row."""
    from lstm_lib.grading.check.practice import _masked

    tf = import_tensorflow()
    import keras

    rng = np.random.default_rng(0)
    B, T, D, H = 4, 6, 3, 5
    x, h0, dhs = (rng.normal(size=s).astype(np.float32) for s in [(B, T, D), (B, H), (B, T, H)])
    mask = np.array([[0, 0, 1, 1, 0, 1], [1, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0],
                     [1, 1, 1, 0, 0, 0]], bool)
    layer = keras.layers.SimpleRNN(H, return_sequences=True)
    layer.build((B, T, D))
    xs, h0s = tf.constant(x), tf.constant(h0)
    with tf.GradientTape() as tape:
        tape.watch([xs, h0s])
        y = layer(xs, initial_state=h0s, mask=tf.constant(mask))
        loss = tf.reduce_sum(y * dhs)
    grads = tape.gradient(loss, [xs, h0s, *layer.trainable_weights])
    args = [a.astype(np.float64) for a in (x, h0, *layer.get_weights())]
    np.testing.assert_allclose(y, _masked(args[0], mask, *args[1:]), atol=1e-5)
    np.testing.assert_array_equal(y.numpy()[0, :2], 0)  # not h0: the case the old text got wrong
    want = ref.masked_rnn_backward(dhs.astype(np.float64), args[0], mask, *args[1:])
    for name, got, expected in zip(["dx", "dh0", "dW", "dU", "db"], grads, want, strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-4, err_msg=name)


def masked_backward(held="pass", differentiate_held=False, use_mask=True, before_first="zeros"):
    """BPTT through problem set 11's masked RNN, with the knobs of the classic mistakes.

    before_first="h0": the outputs before a row's first real step are taken to be h0, so their
    gradient reaches dh0 (the old instructions); Keras outputs zeros there.
    """
    def backward(dhs, x, mask, h0, W, U, b):
        mask = mask if use_mask else np.ones_like(mask)
        T = x.shape[1]
        hprev, h = [], h0
        for t in range(T):
            hprev.append(h)
            h = np.where(mask[:, t, None], np.tanh(x[:, t] @ W + h @ U + b), h)
        started = np.cumsum(mask, axis=1) > 0
        if before_first == "h0":
            started[:] = True
        dx, dW, dU, db = np.zeros_like(x), 0 * W, 0 * U, 0 * b
        dh_next = 0 * h0
        for t in reversed(range(T)):
            keep = mask[:, t, None] | differentiate_held
            dh = np.where(started[:, t, None], dhs[:, t], 0.0) + dh_next
            h_new = np.tanh(x[:, t] @ W + hprev[t] @ U + b)
            da = np.where(keep, dh * (1 - h_new**2), 0.0)
            dx[:, t] = da @ W.T
            dh_next = np.where(keep, da @ U.T, dh if held == "pass" else 0 * dh)
            dW, dU, db = dW + x[:, t].T @ da, dU + hprev[t].T @ da, db + da.sum(axis=0)
        return dx, dh_next, dW, dU, db
    return backward


@pytest.mark.parametrize("fn, expected", [
    (masked_backward(use_mask=False), "the mask is ignored: this is the plain RNN's BPTT"),
    (masked_backward(held="stop"), "a masked step stops the gradient"),
    (masked_backward(held="stop", differentiate_held=True),
     "a masked step is differentiated as a normal step"),
    (masked_backward(before_first="h0"),
     "the gradient of the outputs before a row's first real step reaches dh0"),
], ids=["mask ignored", "gradient stopped", "held step differentiated", "h0 before first step"])
def test_masked_rnn_backward_names_what_a_held_step_does_wrong(fn, expected):
    check.masked_rnn_backward(masked_backward(), quiet=True)
    message = str(failure(check.masked_rnn_backward, fn))
    assert expected in message, message
    assert "reproduce: check.masked_rnn_backward(..., seed=" in message


def mgu_step(gate_where="before", mix="(1 - f) h + f h~", blocks="f|h"):
    """The minimal gated unit of problem set 10, with the knobs of the classic mistakes."""
    def step(x, h, W, U, b):
        H = h.shape[1]
        f_cols, h_cols = (slice(0, H), slice(H, None))[::1 if blocks == "f|h" else -1]
        f = sigmoid(x @ W[:, f_cols] + h @ U[:, f_cols] + b[f_cols])
        rec = {"before": (f * h) @ U[:, h_cols], "after": f * (h @ U[:, h_cols]),
               "none": h @ U[:, h_cols]}[gate_where]
        h_tilde = np.tanh(x @ W[:, h_cols] + rec + b[h_cols])
        return (1 - f) * h + f * h_tilde if mix == "(1 - f) h + f h~" else f * h + (1 - f) * h_tilde
    return step


@pytest.mark.parametrize("fn, expected", [
    (mgu_step(gate_where="after"), "the gate multiplies h_prev @ U_h; it must multiply h_prev "
                                   "*before* the product"),
    (mgu_step(gate_where="none"), "the candidate ignores the gate"),
    (mgu_step(mix="swapped"), "the mix is the wrong way round"),
    (mgu_step(blocks="h|f"), "the blocks are swapped"),
], ids=["gate after product", "no gate in candidate", "mix swapped", "blocks swapped"])
def test_mgu_step_forward_names_where_the_gate_goes_wrong(fn, expected):
    check.mgu_step_forward(mgu_step(), quiet=True)
    message = str(failure(check.mgu_step_forward, fn))
    assert expected in message, message


def brackets(scale=1e-4, recurrent=1.0, close_sign=-1.0, readout_factor=1.0):
    """The bracket counter of problem set 01, with the knobs of the classic mistakes."""
    return lambda: (np.array([[scale], [close_sign * scale]]), np.array([[recurrent]]),
                    np.array([0.0]), np.array([readout_factor / scale]))


@pytest.mark.parametrize("fn, expected", [
    (brackets(readout_factor=-1.0), "is minus the depth: the sign is flipped"),
    (brackets(close_sign=0.0), "counts one kind of bracket only"),
    (brackets(recurrent=0.0), "sees only the last step: the state must carry the count"),
    (brackets(readout_factor=2.0), "x the depth: the readout's scale is off"),
    (brackets(scale=0.05), "where tanh(a) is far from a: keep what a step adds small"),
], ids=["sign", "one kind", "no memory", "scale", "tanh not linear"])
def test_bracket_counter_names_the_design_mistake(fn, expected):
    check.bracket_counter(brackets(), quiet=True)
    message = str(failure(check.bracket_counter, fn))
    assert expected in message, message


def top_p_sampler(crossing="in", order="most likely first", cut=True):
    """Nucleus sampling of problem set 09, with the knobs of the classic mistakes."""
    def sample(logits, top_p, rng):
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        out = []
        for probs in p:
            idx = np.argsort(-probs if order == "most likely first" else probs)
            before = np.cumsum(probs[idx]) - probs[idx]
            keep = idx[(before < top_p) if crossing == "in" else (before + probs[idx] <= top_p)]
            keep = keep if cut else idx
            if len(keep) == 0:
                keep = idx[:1]
            out.append(keep[rng.choice(len(keep), p=probs[keep] / probs[keep].sum())])
        return np.array(out)
    return sample


@pytest.mark.parametrize("fn, expected", [
    (top_p_sampler(crossing="out"), "the nucleus stops one index short"),
    (top_p_sampler(cut=False), "top_p is ignored"),
    (top_p_sampler(order="least likely first"), "the nucleus holds the *least* likely"),
], ids=["crossing index left out", "no cut", "ascending order"])
def test_sample_top_p_names_the_wrong_nucleus(fn, expected):
    check.sample_top_p(top_p_sampler(), quiet=True)
    # Seed 3: a nucleus of the least likely differs from the whole softmax (at a top_p near 1
    # it can be all of it).
    message = str(failure(check.sample_top_p, fn, seed=3))
    assert expected in message, message
    assert "the nucleus is the" in message


def hoisted_gru(input_in_loop=False, per_block=False, reset_before=False):
    """Keras's GRU over a sequence (problem set 08), with the knobs of the classic mistakes."""
    def forward(x, h0, W, U, b):
        H = h0.shape[1]
        zx = None if input_in_loop else x @ W + b[0]
        hs, h = [], h0
        for t in range(x.shape[1]):
            xt = x[:, t] @ W + b[0] if input_in_loop else zx[:, t]
            if per_block:
                zh = np.concatenate([h @ U[:, k * H:(k + 1) * H] for k in range(3)], axis=1) + b[1]
            else:
                zh = h @ U + b[1]
            z, r = sigmoid(xt[:, :H] + zh[:, :H]), sigmoid(xt[:, H:2 * H] + zh[:, H:2 * H])
            rec = (r * h) @ U[:, 2 * H:] + b[1, 2 * H:] if reset_before else r * zh[:, 2 * H:]
            h = z * h + (1 - z) * np.tanh(xt[:, 2 * H:] + rec)
            hs.append(h)
        return np.stack(hs, axis=1)
    return forward


@pytest.mark.parametrize("fn, expected", [
    (hoisted_gru(input_in_loop=True), "x @ kernel is still inside the loop"),
    (hoisted_gru(per_block=True), "one h @ recurrent_kernel serves all three blocks"),
    (hoisted_gru(reset_before=True), "this is reset_after=False"),
], ids=["input in loop", "product per block", "reset before the product"])
def test_gru_forward_hoisted_counts_products_and_names_the_reset(fn, expected):
    check.gru_forward_hoisted(hoisted_gru(), quiet=True)
    message = str(failure(check.gru_forward_hoisted, fn))
    assert expected in message, message


def grad_checker(difference="central", denominator="both", restore=True, threshold=1e-6):
    """The gradient check of problem set 06, with the knobs of the classic mistakes."""
    def gradient_check(loss, params, grads):
        eps, errors, wrong = 1e-5, {}, []
        for name, p in params.items():
            n = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = loss(params)
                p[idx] = old - eps if difference == "central" else old
                down = loss(params)
                if restore:
                    p[idx] = old
                n[idx] = (up - down) / ((2 if difference == "central" else 1) * eps)
            a = grads[name]
            norm = {"both": np.linalg.norm(a) + np.linalg.norm(n), "a": np.linalg.norm(a)}
            errors[name] = np.linalg.norm(a - n) / norm[denominator]
            if errors[name] > threshold:
                wrong.append(name)
        return errors, wrong
    return gradient_check


@pytest.mark.parametrize("fn, expected", [
    (grad_checker(restore=False), "is not as it was after your function ran"),
    (grad_checker(difference="one-sided"), "the central difference"),
    (grad_checker(denominator="a"), "twice the expected error"),
    (grad_checker(threshold=1e-2), "list exactly the names whose error exceeds 1e-6"),
], ids=["params not restored", "one-sided difference", "half the denominator", "threshold"])
def test_gradient_check_names_what_the_harness_does_wrong(fn, expected):
    check.gradient_check(grad_checker(), quiet=True)
    message = str(failure(check.gradient_check, fn, seed=4))
    assert expected in message, message


def test_a_tuple_where_one_array_is_expected_is_named_as_such():
    """01's rnn_forward returns hs only; the chapter's returns (outputs, h_T)."""

    def chapter_style(x, h0, W, U, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = right_rnn(x[:, t], h, W, U, b)
            hs.append(h)
        return np.stack(hs, axis=1), h

    def list_of_steps(x, h0, W, U, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = right_rnn(x[:, t], h, W, U, b)
            hs.append(h)
        return hs

    message = str(failure(check.rnn_forward, chapter_style))
    assert "return only `hs`, not a tuple such as (outputs, final_state)" in message
    assert "np.stack" not in message
    assert "np.stack or np.array" in str(failure(check.rnn_forward, list_of_steps))


def chrono(draw="memory", order="ifco", input_block="-b_f"):
    """Chrono biases for problem set 05, with the knobs of the classic mistakes."""
    def bias(H, T_min, T_max, rng):
        if draw == "memory":
            b_f = np.log(rng.uniform(T_min, T_max, size=H) - 1)
        elif draw == "u":  # log(u) with u ~ U[T_min, T_max]: memories one step too long
            b_f = np.log(rng.uniform(T_min, T_max, size=H))
        elif draw == "log T":
            b_f = np.full(H, np.log(T_max))
        elif draw == "no log":
            b_f = rng.uniform(T_min, T_max, size=H) - 1
        elif draw == "log-uniform":
            b_f = np.log(np.exp(rng.uniform(np.log(T_min), np.log(T_max), size=H)) - 1)
        else:  # the global generator
            b_f = np.log(np.random.uniform(T_min, T_max, size=H) - 1)
        b_i = {"-b_f": -b_f, "zero": 0 * b_f, "+b_f": b_f}[input_block]
        blocks = {"i": b_i, "f": b_f, "c": 0 * b_f, "o": 0 * b_f}
        return np.concatenate([blocks[k] for k in order])
    return bias


@pytest.mark.parametrize("fn, expected", [
    (chrono(draw="u"), "one step too long"),
    (chrono(draw="log T"), "every unit has the same forget bias, b_f = log(T_max)"),
    (chrono(draw="no log"), "you left out the log"),
    (chrono(draw="log-uniform"), "the logs of the memories are uniform, not the memories"),
    (chrono(draw="global"), "draw the memories with the `rng` you are given"),
    (chrono(order="icfo"), "block order i, c, f, o of TensorFlow 1's LSTMCell"),
    (chrono(order="fico"), "the input and forget blocks are swapped"),
    (chrono(input_block="zero"), "the input block is zero: chrono sets b_i = -b_f"),
    (chrono(input_block="+b_f"), "the input block is +b_f"),
], ids=["log u", "log T", "no log", "log-uniform", "global rng", "tf1 order", "f first",
        "input zero", "input sign"])
def test_chrono_bias_names_the_classic_mistake(fn, expected):
    check.chrono_bias(chrono(), quiet=True)
    message = str(failure(check.chrono_bias, fn))
    assert expected in message, message


def training_step(sign=1.0, last_only=False, clip="global", params="all", update_self=False):
    """Problem set 05's training step, with the knobs of the classic mistakes."""
    from lstm_lib.numpy import mse

    def step(rnn, head, optimizer, x, y, max_norm=1.0):
        hs, _ = rnn.forward(x)
        loss, dp = mse(head.forward(hs), y)
        d_hs, head_grads = head.backward(sign * dp)
        if last_only:
            d_hs[:, :-1] = 0
        _, _, rnn_grads = rnn.backward(d_hs)
        grads = rnn_grads + head_grads
        if clip == "global":
            norm = np.sqrt(sum(np.sum(g * g) for g in grads))
            grads = [g * min(1.0, max_norm / norm) for g in grads]
        elif clip == "each":
            grads = [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]
        weights = {"all": rnn.params + head.params, "rnn": rnn.params,
                   "copies": [p.copy() for p in rnn.params + head.params]}[params]
        if update_self:
            for p, g in zip(rnn.params + head.params, grads, strict=True):
                p -= 0.01 * g
        optimizer.step(weights, grads[:len(weights)])
        return loss
    return step


@pytest.mark.parametrize("fn, expected", [
    (training_step(sign=-1.0), "every gradient has the wrong sign"),
    (training_step(last_only=True), "those of the last step's loss only"),
    (training_step(clip=None), "the gradients are not clipped"),
    (training_step(clip="each"), "each gradient was clipped to max_norm on its own"),
    (training_step(params="rnn"), "missing: head kernel, head bias"),
    (training_step(params="copies"), "got copies of the weights"),
    (training_step(update_self=True), "your function changed the weights itself"),
], ids=["sign", "last step only", "no clipping", "clip each", "head not trained", "copies",
        "own update"])
def test_train_step_names_what_the_wiring_does_wrong(fn, expected):
    message = str(failure(check.train_step, fn, steps=0))
    assert expected in message, message


def test_train_step_overfits_one_batch_and_fails_a_step_that_forgets_the_state(capsys):
    check.train_step(training_step(), points=3)
    assert "one fixed batch learned by heart" in capsys.readouterr().out

    def stateless(rnn, head, optimizer, x, y, max_norm=1.0):
        loss = training_step()(rnn, head, optimizer, x, y, max_norm)
        for p in rnn.params + head.params:  # re-initialise after the step: nothing sticks
            p[...] = np.random.default_rng(0).standard_normal(p.shape) * 0.1
        return loss

    message = str(failure(check.train_step, stateless))
    assert "your function changed the weights itself" in message, message


def gru_cell(mistake=None):
    """A GRUCell class for problem set 07, with the knobs of the classic GRU slips."""
    tf = import_tensorflow()
    import keras

    class GRUCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = [units]
            self.output_size = units

        def build(self, input_shape):
            D, H = input_shape[-1], self.units
            self.kernel = self.add_weight(shape=(D, 3 * H), initializer="glorot_uniform")
            self.recurrent_kernel = self.add_weight(shape=(H, 3 * H), initializer="orthogonal")
            shape = (3 * H,) if mistake == "one bias row" else (2, 3 * H)
            self.bias = self.add_weight(shape=shape, initializer="zeros")

        def call(self, inputs, states):
            h_prev, H = states[0], self.units
            b_in, b_rec = self.bias[0], self.bias[1]
            if mistake == "bias rows swapped":
                b_in, b_rec = b_rec, b_in
            zx = tf.matmul(inputs, self.kernel) + b_in
            zh = tf.matmul(h_prev, self.recurrent_kernel) + b_rec
            z = tf.sigmoid(zx[:, :H] + zh[:, :H])
            r = tf.sigmoid(zx[:, H:2 * H] + zh[:, H:2 * H])
            if mistake == "gate order":
                z, r = r, z
            recurrent = r * zh[:, 2 * H:]
            if mistake == "reset before":
                recurrent = tf.matmul(r * h_prev, self.recurrent_kernel[:, 2 * H:]) + b_rec[2 * H:]
            h_tilde = tf.tanh(zx[:, 2 * H:] + recurrent)
            h = z * h_prev + (1 - z) * h_tilde
            if mistake == "z keeps h~":
                h = (1 - z) * h_prev + z * h_tilde
            return (h, h) if mistake == "state as a tensor" else (h, [h])

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return GRUCell


@pytest.mark.slow
@pytest.mark.parametrize("mistake, expected", [
    ("gate order", "z and r are swapped"),
    ("reset before", "this is reset_after=False"),
    ("z keeps h~", "Keras computes h = z * h_prev + (1 - z) * h~"),
    ("bias rows swapped", "the two bias rows are swapped"),
    ("state as a tensor", "call returns the new state as a tensor; return it as a list"),
    ("one bias row", "the bias has two rows, the input bias and the recurrent bias: (2, 3H)"),
])
def test_gru_cell_layer_names_the_classic_gru_slip(mistake, expected):
    check.gru_cell_layer(gru_cell(), quiet=True)
    message = str(failure(check.gru_cell_layer, gru_cell(mistake)))
    assert expected in message, message


def lag_measure(reverse=True, normalise=True, scale=True, block=1, lag="first"):
    """Problem set 04's gradient-by-lag measurement, with the knobs of the classic mistakes."""
    def measure(W, U, forget_bias, x, input_scale, threshold):
        H = U.shape[0]
        b = np.zeros(4 * H)
        b[block * H:(block + 1) * H] = forget_bias
        xs, zeros = (input_scale if scale else 1.0) * x, np.zeros((x.shape[0], H))
        hs, _ = R.lstm_forward(xs, zeros, zeros, W, U, b)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = 1.0
        norms = np.linalg.norm(R.lstm_backward(dhs, xs, zeros, zeros, W, U, b)[0], axis=2)
        norms = norms.mean(axis=0)[::-1] if reverse else norms.mean(axis=0)
        norms = norms / norms[0] if normalise else norms
        below = np.flatnonzero(norms < threshold)
        if below.size == 0:
            return norms, None
        k = int(below[0])
        return norms, {"first": k, "late": k + 1, "early": k - 1,
                       "time": x.shape[1] - 1 - k, "never": None}[lag]
    return measure


@pytest.mark.parametrize("fn, expected", [
    (lag_measure(reverse=False), "the norms are at the wrong end of the sequence"),
    (lag_measure(normalise=False), "divide them by the norm at lag 0"),
    (lag_measure(scale=False), "the inputs were not scaled"),
    (lag_measure(block=2), "forget_bias went into the candidate block"),
    (lag_measure(lag="late"), "is one too late"),
    (lag_measure(lag="early"), "is one too early"),
    (lag_measure(lag="time"), "is the time step t = T - 1 - lag of the crossing, not its lag"),
    (lag_measure(lag="never"), "the lag is"),
], ids=["wrong end", "not normalised", "no input scale", "bias block", "late", "early",
        "time step", "None"])
def test_vanishing_lag_names_the_off_by_one_and_the_wrong_end(fn, expected):
    check.vanishing_lag(lag_measure(), quiet=True)
    check.vanishing_lag(lag_measure(), never=True, quiet=True)
    message = str(failure(check.vanishing_lag, fn, T=30, seed=4))
    assert expected in message, message


def test_vanishing_lag_wants_none_when_the_gradient_never_falls_that_far():
    def always_a_lag(*args):
        norms, lag = lag_measure()(*args)
        return norms, len(norms) if lag is None else lag

    message = str(failure(check.vanishing_lag, always_a_lag, never=True))
    assert "so the lag is None; you returned" in message, message


def diagnosis(**overrides):
    """A name_the_bug procedure that reads the suspect's bug from a table, with wrong entries."""
    from lstm_lib.grading.suspect import BUGS

    def name_the_bug(Suspect):
        found = next(v.cell_contents for v in Suspect.step.__closure__
                     if isinstance(v.cell_contents, str) and v.cell_contents in BUGS)
        return overrides.get(found, found)

    return name_the_bug


def test_name_the_bug_passes_a_right_diagnosis_and_names_the_misnamed_bug():
    check.name_the_bug(diagnosis(), quiet=True)
    check.name_the_bug(diagnosis(), boxes="all", quiet=True)
    message = str(failure(check.name_the_bug, diagnosis(no_cell_carry="none"), boxes="all"))
    assert "you named `none`, but its bug is `no_cell_carry`" in message, message
    assert "fails at T > 1" in message
    message = str(failure(check.name_the_bug, diagnosis(gate_order="sigmoid_candidate"),
                          boxes="all"))
    assert "its bug is `gate_order`" in message and "neither tanh(r) nor sigmoid(r)" in message


def test_name_the_bug_fails_a_guess_and_a_name_not_in_the_list():
    message = str(failure(check.name_the_bug, lambda Suspect: "gate_order"))
    assert "you named all 4 suspects `gate_order`, but their bugs differ" in message, message
    message = str(failure(check.name_the_bug, lambda Suspect: "swapped kernels"))
    assert "should return one of the names none, swapped_kernels" in message, message


def test_every_suspect_differs_from_the_reference_where_its_bug_says():
    """The black boxes are what their names say: each bug changes what the chapter's tools
    see, and the correct one equals the reference, forward and backward."""
    from lstm_lib.grading.suspect import BUGS, suspect

    rng = np.random.default_rng(0)
    B, T, D, H = 2, 3, 4, 5
    x, h0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    W, U, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    dhs = rng.normal(size=(B, T, H))
    want_hs, want_c = R.lstm_forward(x, h0, c0, W, U, b)
    want_grads = R.lstm_backward(dhs, x, h0, c0, W, U, b)[3:]
    seen = {}
    for bug in BUGS:
        layer = suspect(1, bug)(H)
        layer.build(x.shape)
        if layer.get_weights()[2].shape != b.shape:
            seen[bug] = "bias shape"
            continue
        layer.set_weights([W, U, b])
        try:
            hs, c_T = layer(x, h0, c0)
        except ValueError:
            seen[bug] = "raises"
            continue
        if hs.shape != want_hs.shape or not np.allclose(hs, want_hs):
            seen[bug] = "forward"
            continue
        grads = layer.backward(dhs)
        same = all(np.allclose(g, w) for g, w in zip(grads, want_grads, strict=True))
        seen[bug] = "right" if same else "backward"
    assert seen == {"none": "right", "swapped_kernels": "raises", "batch_axis_bias": "bias shape",
                    "time_axis_kept": "forward", "sigmoid_candidate": "forward",
                    "gate_order": "forward", "h_c_swapped": "forward",
                    "loop_one_short": "forward", "tanh_prime_of_c": "backward",
                    "no_cell_carry": "backward"}


def hoisted_backward(hoist=3, h_written=False):
    """Problem set 08's backward pass: `hoist` of dx, dW, dU taken after the loop."""
    def backward(dhs, cache):
        B, T, H = dhs.shape
        x, W, U = cache["x"], cache["kernel"], cache["recurrent_kernel"]
        h_prev = cache["h_prev"]
        if h_written:  # the states each step wrote: h_1 ... h_T
            h_T = cache["gates"][:, -1, 3 * H:] * np.tanh(cache["c"][:, -1])
            h_prev = np.concatenate([h_prev[:, 1:], h_T[:, None]], axis=1)
        dz = np.zeros((B, T, 4 * H))
        dx, dW, dU = np.zeros(x.shape), np.zeros(W.shape), np.zeros(U.shape)
        dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
        for t in reversed(range(T)):
            g = cache["gates"][:, t]
            i, f, gg, o = (g[:, k * H:(k + 1) * H] for k in range(4))
            dh = dhs[:, t] + dh_next
            tc = np.tanh(cache["c"][:, t])
            dc = dc_next + dh * o * (1 - tc**2)
            dz[:, t] = np.concatenate([dc * gg * i * (1 - i),
                                       dc * cache["c_prev"][:, t] * f * (1 - f),
                                       dc * i * (1 - gg**2), dh * tc * o * (1 - o)], axis=1)
            if hoist < 1:
                dx[:, t] = dz[:, t] @ W.T
            if hoist < 2:
                dW += x[:, t].T @ dz[:, t]
            if hoist < 3:
                dU += h_prev[:, t].T @ dz[:, t]
            dh_next, dc_next = dz[:, t] @ U.T, dc * f
        dZ = dz.reshape(B * T, 4 * H)
        if hoist >= 1:
            dx = (dZ @ W.T).reshape(x.shape)
        if hoist >= 2:
            dW = x.reshape(B * T, -1).T @ dZ
        if hoist >= 3:
            dU = h_prev.reshape(B * T, H).T @ dZ
        return dx, dh_next, dc_next, dW, dU, dZ.sum(axis=0)
    return backward


def test_lstm_backward_hoisted_counts_the_products_left_in_the_loop():
    check.lstm_backward_hoisted(hoisted_backward(), quiet=True)
    message = str(failure(check.lstm_backward_hoisted, hoisted_backward(hoist=0), T=4))
    assert "took 16 matrix products for T = 4 steps (3 of dx, dkernel, drecurrent_kernel " \
        "still computed step by step)" in message, message
    assert "3 instead of 3T, T + 3 = 7 in all" in message
    message = str(failure(check.lstm_backward_hoisted, hoisted_backward(hoist=2), T=5))
    assert "took 12 matrix products for T = 5 steps (1 of dx" in message, message
    message = str(failure(check.lstm_backward_hoisted, hoisted_backward(h_written=True)))
    assert "drecurrent_kernel uses the state each step *wrote*" in message, message


def fair(flip=True, measure="median of ratios", clock_of=None, inverted=False):
    """A fair_ratio with the knobs of the classic timing mistakes."""
    def fair_ratio(a, b, rounds, clock):
        clock = clock_of or clock
        ta, tb = [], []
        for r in range(rounds):
            order = [(a, ta), (b, tb)] if r % 2 == 0 or not flip else [(b, tb), (a, ta)]
            for fn, times in order:
                start = clock()
                fn()
                times.append(clock() - start)
        ta, tb = np.array(ta), np.array(tb)
        if inverted:
            ta, tb = tb, ta
        return float({"median of ratios": lambda: np.median(ta / tb),
                      "mean of ratios": lambda: np.mean(ta / tb),
                      "ratio of medians": lambda: np.median(ta) / np.median(tb)}[measure]())
    return fair_ratio


@pytest.mark.parametrize("fn, expected", [
    (fair(flip=False), "a always runs first, b second"),
    (fair(measure="mean of ratios"), "the *mean* of the per-round ratios"),
    (fair(measure="ratio of medians"), "this is the ratio of the medians"),
    (fair(inverted=True), "this is time(b) / time(a)"),
    (fair(clock_of=__import__("time").perf_counter), "it read the clock 0 times"),
], ids=["no flip", "mean", "ratio of medians", "inverted", "real clock"])
def test_fair_ratio_names_the_unfair_timing(fn, expected):
    check.fair_ratio(fair(), quiet=True)
    check.fair_ratio(fair(), rounds=1, quiet=True)
    message = str(failure(check.fair_ratio, fn, seed=3, rounds=8))
    assert expected in message, message


def test_fair_ratio_names_runs_in_blocks():
    def blocks(a, b, rounds, clock):
        times = {}
        for name, fn in (("a", a), ("b", b)):
            times[name] = []
            for _ in range(rounds):
                start = clock()
                fn()
                times[name].append(clock() - start)
        return float(np.median(np.array(times["a"]) / np.array(times["b"])))

    message = str(failure(check.fair_ratio, blocks))
    assert "all the runs of one, then all of the other" in message, message


def overfit(data="identical", bound="var"):
    """An overfit_test with the knobs of the classic design mistakes."""
    def overfit_test(fit):
        rng = np.random.default_rng()
        x = rng.normal(size=(8, 6, 3))
        if data == "identical":
            x = np.repeat(x[:1], 8, axis=0)
        y = rng.normal(size=(8, 1))
        loss = min(fit(x, y))
        return bool(loss > y.var() / 2 if bound == "var" else loss < 1e-3 * y.var())
    return overfit_test


@pytest.mark.parametrize("fn, expected", [
    (overfit(data="random", bound="small"), "your test passes the layer whose bias has a batch"),
    (overfit(data="identical", bound="small"), "your test fails a correct LSTM"),
    (overfit(data="random", bound="var"), "your test fails a correct LSTM"),
    (lambda fit: 1, "should return True (the layer passes) or False (it fails), got 1"),
], ids=["fits random data", "asks identical inputs to be fitted", "bound on random data", "int"])
def test_overfit_test_names_what_the_design_gets_wrong(fn, expected):
    check.overfit_test(overfit(), quiet=True)
    message = str(failure(check.overfit_test, fn))
    assert expected in message, message


def test_the_trainer_fits_random_data_and_a_batch_axis_bias_beats_var_y():
    """What overfit_test relies on: the trainer fits easy data, a correct layer stays at or above
    Var(y) on identical inputs, and the batch-axis bias goes far below it."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 6, 3)), rng.normal(size=(8, 1))
    assert min(check.trainer("none")(x, y)) < 1e-3 * y.var()
    same = np.repeat(x[:1], 8, axis=0)
    assert min(check.trainer("none")(same, y)) >= y.var() * (1 - 1e-9)
    assert min(check.trainer("batch_axis_bias")(same, y)) < 1e-3 * y.var()
    with pytest.raises(ValueError, match=r"y \(B, 1\), got \(8, 6, 3\) and \(8,\)"):
        check.trainer("none")(x, y[:, 0])


def units_for_budget(count="right", compare="<=", off=0):
    """Problem set 01's largest H within a parameter budget, with the knobs of the classic
    mistakes."""
    counts = {"right": lambda H, D, K: D * H + H * H + H + H * K + K,
              "no head bias": lambda H, D, K: D * H + H * H + H + H * K,
              "no head": lambda H, D, K: D * H + H * H + H,
              "no recurrent": lambda H, D, K: D * H + H + H * K + K}

    def largest(budget, D, K):
        H = 1
        while True:
            n = counts[count](H + 1, D, K)
            if not (n <= budget if compare == "<=" else n < budget):
                return H + off
            H += 1
    return largest


@pytest.mark.parametrize("fn, expected", [
    (units_for_budget(count="no head bias"), "the head's bias (K numbers) is missing"),
    (units_for_budget(count="no head"), "the Dense head is missing"),
    (units_for_budget(count="no recurrent"), "the recurrent kernel (H, H) is missing"),
    (units_for_budget(compare="<"), "a budget met exactly is allowed"),
    (units_for_budget(off=1), "that is the first H that does not fit"),
    (lambda budget, D, K: float(units_for_budget()(budget, D, K)), "should return an int"),
], ids=["head bias", "no head", "no recurrent kernel", "strict", "one over", "float"])
def test_largest_units_names_what_the_count_leaves_out(fn, expected):
    check.largest_units(units_for_budget(), quiet=True)
    message = str(failure(check.largest_units, fn))
    assert expected in message, message


def batch_step(recurrent="h @ W_hh.T", loop=False):
    """Problem set 01's batched step in the textbook layout, with the classic mistakes."""
    def step(x, h, W_xh, W_hh, b_h):
        if loop:
            return np.stack([np.tanh(W_xh @ x[b] + W_hh @ h[b] + b_h) for b in range(len(x))])
        rec = {"h @ W_hh.T": h @ W_hh.T, "h @ W_hh": h @ W_hh, "none": 0}[recurrent]
        return np.tanh(x @ W_xh.T + rec + b_h)
    return step


@pytest.mark.parametrize("fn, expected, sizes", [
    (batch_step(recurrent="h @ W_hh"), "The shapes cannot warn you, because W_hh is square", {}),
    (batch_step(recurrent="none"), "the recurrent term is missing", {}),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "which uses W_xh's transpose",
     {"D": 3, "H": 3}),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "x @ W_xh.T, (B, D) @ (D, H)",
     {"B": 2, "D": 4, "H": 3}),
    (lambda x, h, W, U, b: np.tanh(W @ x.T + U @ h.T + b[:, None]), "The right sizes in the "
     "wrong order", {"B": 2, "D": 4, "H": 3}),
    (batch_step(loop=True), "a loop over the batch", {"B": 3}),
], ids=["W_hh untransposed", "no recurrence", "W_xh untransposed, square", "W_xh shapes",
        "transposed output", "loop"])
def test_rnn_step_batch_names_the_silent_transpose_and_the_loop(fn, expected, sizes):
    check.rnn_step_batch(batch_step(), quiet=True)
    message = str(failure(check.rnn_step_batch, fn, **sizes))
    assert expected in message, message


def cache_forward(x, h0, W, U, b):
    """A forward pass whose cache is its inputs, for backward passes built on the reference."""
    return R.rnn_forward(x, h0, W, U, b), (x, h0, W, U, b)


def _truncated_copy():
    """check.rnn's truncated_bptt compiled outside lstm_lib, on the copy of the reference."""
    from lstm_lib.grading.check import rnn

    module = types.ModuleType("copy_of_truncated")
    module.np, module.ref = np, R
    exec(compile(inspect.getsource(rnn.truncated_bptt), "<copy>", "exec"), module.__dict__)
    return module.truncated_bptt


R_TRUNCATED = _truncated_copy()


def truncated(size=0, start=0, cut="windows", zero_dh0=False):
    """Problem set 02's truncated BPTT (windows of k + size steps from step `start`, or from
    the end), with the knobs of the classic mistakes."""
    def backward(dhs, cache, k):
        x, h0, W, U, b = cache
        first = x.shape[1] if start == "end" else start
        cuts = {"windows": lambda t: t > 0 and (t - first) % (k + size) == 0,
                "never": lambda t: False, "always": lambda t: t > 0}[cut]
        grads = R_TRUNCATED(dhs, x, h0, W, U, b, cuts)
        return (grads[0], 0 * grads[1], *grads[2:]) if zero_dh0 else grads
    return backward


@pytest.mark.parametrize("fn, expected", [
    (truncated(cut="never"), "this is full BPTT, with no cut"),
    (truncated(cut="always"), "the gradient never flows from one step to the one before"),
    (truncated(size=1), "your windows are k + 1"),
    (truncated(size=-1), "your windows are k - 1"),
    (truncated(start=1), "the cut is one step late"),
    (truncated(start=-1), "the cut is one step early"),
    (truncated(start="end"), "your windows are counted from the end of the sequence"),
    (truncated(zero_dh0=True), "dh0 is zero"),
], ids=["full", "every step", "k + 1", "k - 1", "late", "early", "from the end", "dh0"])
def test_truncated_rnn_backward_names_the_window_mistake(fn, expected):
    check.truncated_rnn_backward(truncated(), cache_forward, quiet=True)
    check.truncated_rnn_backward(truncated(), cache_forward, k=50, quiet=True)
    check.truncated_rnn_backward(truncated(), cache_forward, k=1, quiet=True)
    message = str(failure(check.truncated_rnn_backward, fn, cache_forward))
    assert expected in message, message


# -- 04.1: derivatives from the outputs ------------------------------------------------------

def right_sigmoid_backward(dy, y):
    return dy * y * (1 - y)


def right_tanh_backward(dy, y):
    return dy * (1 - y**2)


def test_derivatives_from_outputs_pass_with_the_outputs_alone(capsys):
    check.derivatives_from_outputs(right_sigmoid_backward, right_tanh_backward, points=1)
    assert "passed (1/1 points" in capsys.readouterr().out
    check.derivatives_from_outputs(right_sigmoid_backward, right_tanh_backward, B=1, H=1,
                                   quiet=True)


@pytest.mark.parametrize("sig, tanh, expected", [
    (lambda dy, y: dy * sigmoid(y) * (1 - sigmoid(y)), right_tanh_backward,
     "sigmoid_backward: your result is what this mistake gives: y is already sigmoid(z)"),
    (right_sigmoid_backward, lambda dy, y: dy * (1 - y),
     "tanh_backward: your result is what this mistake gives: 1 - y is missing its square"),
    (right_sigmoid_backward, lambda dy, y: dy * y * (1 - y),
     "dy * y * (1 - y) is the sigmoid's derivative; tanh's is dy * (1 - y**2)"),
    (lambda dy, y: y * (1 - y), right_tanh_backward,
     "sigmoid_backward: your result is what this mistake gives: the local derivative is not "
     "multiplied by dy"),
    (right_sigmoid_backward, lambda dy, y: 1 - y**2,
     "tanh_backward: your result is what this mistake gives: the local derivative is not "
     "multiplied by dy"),
    (right_sigmoid_backward, lambda dy, y: dy * (1 - np.tanh(y) ** 2),
     "y is already tanh(z): tanh(y) applies it twice"),
    (lambda dy, y: dy * (1 - y**2), right_tanh_backward,
     "dy * (1 - y**2) is tanh's derivative; the sigmoid's is dy * y * (1 - y)"),
    (lambda dy, y: dy * y, right_tanh_backward,
     "sigmoid_backward: `dz` differs from the reference"),
], ids=["sigmoid twice", "1 - y", "tanh as sigmoid", "sigmoid no dy", "tanh no dy",
        "tanh twice", "sigmoid as tanh", "other"])
def test_derivatives_from_outputs_name_the_classic_mistakes(sig, tanh, expected):
    message = str(failure(check.derivatives_from_outputs, sig, tanh))
    assert expected in message
    assert "reproduce: check.derivatives_from_outputs(..., seed=" in message


# -- 10.1: the weights of each variant -------------------------------------------------------

def right_weight_shapes(D, H):
    lstm, three = [(D, 4 * H), (H, 4 * H), (4 * H,)], [(D, 3 * H), (H, 3 * H), (3 * H,)]
    return {"LSTM": lstm, "GRU": [(D, 3 * H), (H, 3 * H), (2, 3 * H)],
            "GRU (reset_after=False)": three, "peephole": lstm + [(3, H)],
            "coupled (CIFG)": three, "no forget gate": three,
            "vanilla RNN": [(D, H), (H, H), (H,)]}


def shapes_with(name, wrong):
    """right_weight_shapes with variant `name` replaced by wrong(D, H)."""
    def fn(D, H):
        return {**right_weight_shapes(D, H), name: wrong(D, H)}
    return fn


def test_weight_shapes_match_the_cells_keras_builds(capsys):
    check.weight_shapes(right_weight_shapes, points=1)
    assert "passed (1/1 points" in capsys.readouterr().out
    check.weight_shapes(right_weight_shapes, D=1, H=5, quiet=True)
    # Lists of lists and NumPy ints are shapes too.
    check.weight_shapes(lambda D, H: {k: [list(s) for s in v]
                                      for k, v in right_weight_shapes(np.int64(D), H).items()},
                        quiet=True)


@pytest.mark.parametrize("name, wrong, expected", [
    ("GRU", lambda D, H: [(D, 3 * H), (H, 3 * H), (3 * H,)],
     "reset_after=True keeps two bias rows"),
    ("GRU (reset_after=False)", lambda D, H: [(D, 3 * H), (H, 3 * H), (2, 3 * H)],
     "Keras keeps one, bias (3H,)"),
    ("LSTM", lambda D, H: [(D, 3 * H), (H, 3 * H), (3 * H,)], "the LSTM has four blocks"),
    ("peephole", lambda D, H: [(D, 4 * H), (H, 4 * H), (4 * H,)],
     "the peephole weights are missing"),
    ("peephole", lambda D, H: [(D, 4 * H), (H, 4 * H), (4 * H,), (4, H)],
     "the candidate has no peephole"),
    ("coupled (CIFG)", lambda D, H: [(D, 4 * H), (H, 4 * H), (4 * H,)],
     "this variant has no forget-gate block"),
    ("no forget gate", lambda D, H: [(D, 4 * H), (H, 4 * H), (4 * H,)],
     "this variant has no forget-gate block"),
    ("LSTM", lambda D, H: [(H, 4 * H), (D, 4 * H), (4 * H,)],
     "kernel and recurrent_kernel are swapped"),
    ("vanilla RNN", lambda D, H: [(H, D), (H, H), (H,)], "the kernel is transposed"),
    ("coupled (CIFG)", lambda D, H: [(D, 4 * H), (H, 4 * H), (4 * H,), (3, H)],
     "its cell's get_weights() gives"),
], ids=["gru one bias", "gru two biases", "lstm 3 blocks", "no peephole", "peephole 4 rows",
        "cifg 4 blocks", "nfg 4 blocks", "kernels swapped", "transposed", "cifg as peephole"])
def test_weight_shapes_name_the_classic_mistakes(name, wrong, expected):
    message = str(failure(check.weight_shapes, shapes_with(name, wrong)))
    assert f"{name!r}: you give" in message and expected in message


def test_weight_shapes_name_the_gru_bias_when_the_kernel_is_square():
    # D = 3H makes the GRU's kernel (D, 3H) square: read backwards it is itself, and a check for
    # a transposed kernel took the one-bias GRU for one (seen once in a random draw, D=6, H=2).
    message = str(failure(check.weight_shapes, shapes_with("GRU", lambda D, H: [
        (D, 3 * H), (H, 3 * H), (3 * H,)]), D=6, H=2))
    assert "reset_after=True keeps two bias rows" in message, message


def test_weight_shapes_want_a_dict_with_every_variant():
    assert "should return a dict" in str(failure(check.weight_shapes, lambda D, H: []))
    partial = {k: v for k, v in right_weight_shapes(2, 3).items() if k != "peephole"}
    assert "missing ['peephole']" in str(failure(check.weight_shapes, lambda D, H: partial))
    assert "should be a list of shapes" in str(failure(
        check.weight_shapes, shapes_with("GRU", lambda D, H: 3 * H)))


def seq_cache_forward(x, h0, c0, W, U, b):
    hs, c_T = R.lstm_forward(x, h0, c0, W, U, b)
    return hs, c_T, (x, h0, c0, W, U, b)


def stacked(mistake=None):
    """Backward through two stacked LSTM layers, with the knobs of the classic mistakes."""
    def fn(dhs, caches1, caches2):
        g2 = R.lstm_backward(dhs, *caches2)
        dhs1 = g2[0]
        if mistake == "loss_dhs":
            dhs1 = dhs
        if mistake == "nothing":
            dhs1 = np.zeros_like(dhs)
        if mistake == "last_only":
            dhs1 = np.zeros_like(dhs)
            dhs1[:, -1] = g2[0][:, -1]
        g1 = R.lstm_backward(dhs1, *caches1, g2[2] if mistake == "carried" else None)
        if mistake == "swapped":
            return g1[0], tuple(g2[1:]), tuple(g1[1:])
        if mistake == "wrong_dbias1":
            g1 = list(g1)
            g1[5] = g1[5] * 1.5
        return g1[0], tuple(g1[1:]), tuple(g2[1:])
    return fn


@pytest.mark.parametrize("mistake, expected", [
    ("swapped", "the gradients of the two layers are swapped"),
    ("loss_dhs", "layer 1 receives the loss's dhs"),
    ("nothing", "layer 1 receives nothing from layer 2"),
    ("last_only", "layer 1 receives only the gradient of its last step"),
    ("carried", "layer 1 starts from layer 2's dc0"),
    ("wrong_dbias1", "`grads1 dbias` differs"),
])
def test_stacked_lstm_backward_names_the_classic_mistakes(mistake, expected):
    check.stacked_lstm_backward(stacked(), seq_cache_forward, quiet=True)
    check.stacked_lstm_backward(stacked(), seq_cache_forward, T=1, quiet=True)
    assert expected in str(failure(check.stacked_lstm_backward, stacked(mistake),
                                   seq_cache_forward, T=4))


def saliency(mistake=None):
    """input_saliency of problem set 07, with the knobs of the classic mistakes."""
    import_tensorflow()
    import tensorflow as tf

    def fn(layer, x):
        with tf.GradientTape() as tape:
            if mistake != "unwatched":
                tape.watch(x)
            hs = layer(x)
            loss = tf.reduce_sum(hs if mistake == "all_outputs" else hs[:, -1])
        dx = tape.gradient(loss, x)
        if mistake == "unwatched":
            return tf.norm(dx, axis=2)
        if mistake == "time_axis":
            return tf.norm(dx, axis=1)
        if mistake == "no_batch":
            return tf.norm(dx, axis=(0, 2))
        if mistake == "squared":
            return tf.reduce_sum(dx * dx, axis=2)
        if mistake == "signed_sum":
            return tf.reduce_sum(dx, axis=2)
        if mistake == "reversed":
            return tf.norm(dx, axis=2)[:, ::-1]
        return tf.norm(dx, axis=2)
    return fn


@pytest.mark.slow
@pytest.mark.parametrize("mistake, expected", [
    ("unwatched", "tape.watch(x)"),
    ("time_axis", "the norm is over the time axis"),
    ("no_batch", "the batch dimension is gone"),
    ("squared", "this is the squared norm"),
    ("signed_sum", "this sums the gradient over D"),
    ("all_outputs", "the gradient of the sum of *all* outputs"),
    ("reversed", "the steps are reversed"),
])
def test_input_saliency_names_the_classic_mistakes(mistake, expected):
    check.input_saliency(saliency(), quiet=True)
    assert expected in str(failure(check.input_saliency, saliency(mistake), T=4))


def adaptive(mistake=None):
    """adaptive_clip of problem set 02, with the knobs of the classic mistakes."""
    def fn(grads, history, q):
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        limit = {"percentile": lambda: np.percentile(history, q),
                 "own_norm": lambda: np.quantile(history + [norm], q),
                 "mean": lambda: np.mean(history)}.get(mistake, lambda: np.quantile(history, q))()
        if mistake == "each":
            clipped = [g * min(1.0, limit / np.sqrt(np.sum(g * g))) for g in grads]
        else:
            clipped = [g * min(1.0, limit / norm) for g in grads]
        if mistake == "in_place":
            history.append(norm)
            return clipped, history
        recorded = min(norm, limit) if mistake == "clipped_norm" else norm
        return clipped, list(history) + [recorded]
    return fn


@pytest.mark.parametrize("mistake, expected", [
    ("percentile", "percentiles run from 0 to 100"),
    ("own_norm", "the limit includes this step's own norm"),
    ("each", "each gradient was clipped on its own"),
    ("mean", "the mean of the history"),
    ("in_place", "changed what it was given (in place)"),
    ("clipped_norm", "it is the norm after clipping"),
])
def test_adaptive_clip_names_the_classic_mistakes(mistake, expected):
    check.adaptive_clip(adaptive(), quiet=True)
    check.adaptive_clip(adaptive(), n=1, quiet=True)
    assert expected in str(failure(check.adaptive_clip, adaptive(mistake)))
