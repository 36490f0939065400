"""lstm_lib.tensorflow's SimpleRNN, LSTM and GRU against keras.layers.* with the same weights:
outputs and final states within 1e-5, gradients (input, weights, initial states) within 1e-4
relative, across the arguments users pass - and the weights move between the two unchanged."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

B, T, D, H = 3, 6, 4, 5
PAIRS = {
    "SimpleRNN": (ltf.SimpleRNN, keras.layers.SimpleRNN, 1),
    "LSTM": (ltf.LSTM, keras.layers.LSTM, 2),
    "GRU": (ltf.GRU, keras.layers.GRU, 1),
}
# Keras's LSTM and GRU run cuDNN on a GPU (use_cudnn="auto"). cuDNN accepts only right-padded
# masks with a real step in every row, and writes zeros at padded steps where the generic loop
# (and ours) repeats the previous output: masked comparisons run Keras's generic loop.
GENERIC_LOOP = {"SimpleRNN": {}, "LSTM": {"use_cudnn": False}, "GRU": {"use_cudnn": False}}
# Padded batch: right padding, a hole in the middle, masked leading steps, a full row.
MASK = np.array([
    [1, 1, 1, 1, 0, 0],
    [0, 0, 1, 1, 0, 1],
    [1, 1, 1, 1, 1, 1],
], dtype=bool)  # fmt: skip

CASES = {
    "last_output": {},
    "sequences_and_state": {"return_sequences": True, "return_state": True},
    "initial_state": {"return_state": True, "_initial_state": True},
    "go_backwards": {"return_sequences": True, "go_backwards": True},
    "masked": {"return_sequences": True, "return_state": True, "_mask": True,
               "_initial_state": True},
    "masked_last_output": {"_mask": True},
    "masked_backwards": {"return_sequences": True, "go_backwards": True, "_mask": True},
    "no_bias": {"return_sequences": True, "use_bias": False},
}  # fmt: skip


def assert_relative(actual, expected, tol=1e-4, what=""):
    """|actual - expected| <= tol * max|expected|, elementwise."""
    expected = np.asarray(expected)
    np.testing.assert_allclose(
        actual, expected, rtol=tol, atol=tol * np.abs(expected).max(), err_msg=what
    )


def as_list(y):
    return list(y) if isinstance(y, (list, tuple)) else [y]


def make_pair(kind, rng, keras_only=None, **kwargs):
    ours_cls, keras_cls, _ = PAIRS[kind]
    ours, theirs = ours_cls(H, **kwargs), keras_cls(H, **kwargs, **(keras_only or {}))
    ours.build((None, T, D))
    theirs.build((None, T, D))
    # Random weights everywhere (biases included), set on ours and copied to Keras.
    ours.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in ours.get_weights()])
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def outputs_and_grads(layer, x, initial_state, mask):
    """All outputs, and the gradients of a fixed random projection of them with respect to
    x, the weights and the initial states."""
    with tf.GradientTape() as tape:
        tape.watch([x, *initial_state])
        kwargs = {"mask": mask} if mask is not None else {}
        if initial_state:
            kwargs["initial_state"] = initial_state
        ys = as_list(layer(x, **kwargs))
        loss = sum(tf.reduce_sum(y * tf.sin(tf.reshape(tf.range(tf.size(y), dtype=y.dtype),
                                                       y.shape)))
                   for y in ys)  # fmt: skip
    grads = tape.gradient(loss, [x, *layer.trainable_weights, *initial_state])
    return [y.numpy() for y in ys], [g.numpy() for g in grads]


def assert_same_outputs_and_grads(ours, theirs, x, initial_state, mask):
    """Our layer and Keras's give the same outputs (1e-5) and gradients (assert_relative)."""
    ys, grads = outputs_and_grads(ours, x, initial_state, mask)
    ys_keras, grads_keras = outputs_and_grads(theirs, x, initial_state, mask)
    for y, y_keras in zip(ys, ys_keras, strict=True):
        np.testing.assert_allclose(y, y_keras, atol=1e-5)
    for g, g_keras in zip(grads, grads_keras, strict=True):
        assert_relative(g, g_keras)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", PAIRS)
def test_matches_keras(kind, case):
    rng = np.random.default_rng(0)
    options = dict(CASES[case])
    with_state, with_mask = options.pop("_initial_state", False), options.pop("_mask", False)
    ours, theirs = make_pair(kind, rng, GENERIC_LOOP[kind] if with_mask else None, **options)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    n_states = PAIRS[kind][2]
    initial_state = [tf.constant(rng.standard_normal((B, H)), tf.float32)
                     for _ in range(n_states)] if with_state else []  # fmt: skip
    mask = tf.constant(MASK) if with_mask else None

    ys, grads = outputs_and_grads(ours, x, initial_state, mask)
    ys_keras, grads_keras = outputs_and_grads(theirs, x, initial_state, mask)

    assert len(ys) == len(ys_keras)
    for k, (y, y_keras) in enumerate(zip(ys, ys_keras, strict=True)):
        assert y.shape == y_keras.shape
        np.testing.assert_allclose(y, y_keras, atol=1e-5, err_msg=f"output {k}")
    names = ["x", *(w.name for w in ours.trainable_weights),
             *(f"initial_state[{k}]" for k in range(len(initial_state)))]  # fmt: skip
    for name, g, g_keras in zip(names, grads, grads_keras, strict=True):
        assert_relative(g, g_keras, what=f"gradient of {name}")


def test_masked_steps_repeat_the_previous_output_and_keep_the_state():
    """What Keras 3 does at padded steps, pinned: outputs repeat the last unmasked output
    (zeros before the first one, even with an initial state), states carry over."""
    rng = np.random.default_rng(1)
    layer = ltf.LSTM(H, return_sequences=True, return_state=True)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    h0, c0 = (tf.constant(rng.standard_normal((B, H)), tf.float32) for _ in range(2))
    y, h, c = (t.numpy() for t in layer(x, initial_state=[h0, c0], mask=tf.constant(MASK)))
    np.testing.assert_array_equal(y[0, 4], y[0, 3])  # right padding repeats step 3
    np.testing.assert_array_equal(y[0, 5], y[0, 3])
    np.testing.assert_array_equal(y[1, :2], 0)  # leading masked steps: zeros, not h0
    np.testing.assert_array_equal(y[1, 4], y[1, 3])  # a hole repeats the previous step
    np.testing.assert_array_equal(h[0], y[0, 3])
    assert not np.allclose(y[1, 5], y[1, 4])  # and the step after the hole moves on
    # A sequence with no unmasked step keeps its initial state.
    _, h_all, c_all = layer(x, initial_state=[h0, c0], mask=tf.zeros((B, T), tf.bool))
    np.testing.assert_array_equal(h_all, h0)
    np.testing.assert_array_equal(c_all, c0)


@pytest.mark.parametrize("kind", PAIRS)
def test_weights_have_keras_names_shapes_and_move_both_ways(kind):
    ours_cls, keras_cls, _ = PAIRS[kind]
    ours, theirs = ours_cls(H), keras_cls(H)
    ours.build((None, T, D))
    theirs.build((None, T, D))
    assert [w.path.split("/", 1)[1] for w in ours.weights] == \
        [w.path.split("/", 1)[1] for w in theirs.weights]  # fmt: skip
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(theirs.get_weights())
    theirs.set_weights([np.zeros_like(w) for w in weights])
    theirs.set_weights(ours.get_weights())
    for got, want in zip(theirs.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kind", PAIRS)
def test_default_initializers_are_keras_defaults(kind):
    ours_cls, keras_cls, _ = PAIRS[kind]
    ours, theirs = ours_cls(H), keras_cls(H)
    for name in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        assert type(getattr(ours.cell, name)) is type(getattr(theirs.cell, name)), name
    ours.build((None, T, D))
    kernel, recurrent, bias = ours.get_weights()
    assert np.abs(kernel).max() <= np.sqrt(6 / sum(kernel.shape))  # glorot_uniform
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(H), atol=1e-5)  # orthogonal
    expected_bias = np.zeros_like(bias)
    if kind == "LSTM":
        expected_bias[H : 2 * H] = 1  # unit_forget_bias
    np.testing.assert_array_equal(bias, expected_bias)


def test_lstm_without_unit_forget_bias_uses_the_bias_initializer():
    layer = ltf.LSTM(H, unit_forget_bias=False, bias_initializer="ones")
    layer.build((None, T, D))
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(4 * H))
    layer = ltf.LSTM(H, bias_initializer="ones")  # unit_forget_bias: forget block 1 as well
    layer.build((None, T, D))
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(4 * H))


@pytest.mark.parametrize("kind", PAIRS)
def test_cell_step_matches_keras_cell(kind):
    """One step through our cell and through Keras's cell, same weights."""
    ours_cls, _, n_states = PAIRS[kind]
    cell = {"SimpleRNN": ltf.SimpleRNNCell, "LSTM": ltf.LSTMCell, "GRU": ltf.GRUCell}[kind](H)
    keras_cell = getattr(keras.layers, f"{kind}Cell")(H)
    rng = np.random.default_rng(4)
    x = tf.constant(rng.standard_normal((B, D)), tf.float32)
    states = [tf.constant(rng.standard_normal((B, H)), tf.float32) for _ in range(n_states)]
    cell.build((None, D))
    keras_cell.build((None, D))
    keras_cell.set_weights([rng.normal(0, 0.5, w.shape) for w in keras_cell.get_weights()])
    cell.set_weights(keras_cell.get_weights())
    h, new = cell(x, states)
    h_keras, new_keras = keras_cell(x, states)
    np.testing.assert_allclose(h, h_keras, atol=1e-6)
    for s, s_keras in zip(new, as_list(new_keras), strict=True):
        np.testing.assert_allclose(s, s_keras, atol=1e-6)


def test_ours_load_a_keras_config():
    """A keras.layers.LSTM config (all Keras defaults spelled out) builds our layer."""
    config = keras.layers.LSTM(H, return_sequences=True, go_backwards=True).get_config()
    layer = ltf.LSTM.from_config(config)
    assert (layer.units, layer.return_sequences, layer.go_backwards) == (H, True, True)
    assert ltf.GRU.from_config(keras.layers.GRU(H).get_config()).units == H
    assert ltf.SimpleRNN.from_config(keras.layers.SimpleRNN(H).get_config()).units == H


@pytest.mark.parametrize("kind", PAIRS)
def test_bidirectional_wrapper_matches_keras(kind):
    """keras.layers.Bidirectional rebuilds the layer from its config, runs a go_backwards copy
    and sets zero_output_for_mask: masked steps then output zeros, as with Keras's layers."""
    ours_cls, keras_cls, _ = PAIRS[kind]
    ours = keras.layers.Bidirectional(ours_cls(H, return_sequences=True))
    theirs = keras.layers.Bidirectional(keras_cls(H, return_sequences=True, **GENERIC_LOOP[kind]))
    x = tf.constant(np.random.default_rng(5).standard_normal((B, T, D)), tf.float32)
    y = ours(x, mask=MASK)
    theirs(x, mask=MASK)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(y, theirs(x, mask=MASK), atol=1e-5)
    np.testing.assert_array_equal(np.asarray(y)[~MASK], 0)


def test_keras_rnn_runs_our_cell():
    x = tf.constant(np.random.default_rng(6).standard_normal((B, T, D)), tf.float32)
    ours = keras.layers.RNN(ltf.LSTMCell(H), return_sequences=True)
    theirs = keras.layers.LSTM(H, return_sequences=True)
    y = ours(x)
    theirs(x)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(y, theirs(x), atol=1e-6)


@pytest.mark.parametrize("use", ["output", "h", "c"])
def test_gradients_when_only_one_result_is_used(use):
    """An encoder uses only its final states; a classifier only its output."""
    rng = np.random.default_rng(7)
    ours, theirs = make_pair("LSTM", rng, return_state=True)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    grads = []
    for layer in (ours, theirs):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y, h, c = layer(x)
            loss = tf.reduce_sum({"output": y, "h": h, "c": c}[use] ** 2)
        grads.append(tape.gradient(loss, [x, *layer.trainable_weights]))
    for g, g_keras in zip(*grads, strict=True):
        assert_relative(g.numpy(), g_keras.numpy())


@pytest.mark.parametrize("implementation", [0, 1, 2])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_legacy_implementation_is_kept_in_the_config_and_changes_nothing(kind, implementation):
    """Keras accepts implementation (0 from old saved models) and computes the same either way."""
    rng = np.random.default_rng(8)
    ours, theirs = make_pair(kind, rng)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    config = {**ours.get_config(), "implementation": implementation}
    legacy = PAIRS[kind][0].from_config(config)
    assert legacy.get_config()["implementation"] == implementation
    legacy.build((None, T, D))
    legacy.set_weights(ours.get_weights())
    np.testing.assert_allclose(legacy(x), theirs(x), atol=1e-5)


REGULARIZED = {
    "kernel_regularizer": "l2", "recurrent_regularizer": keras.regularizers.L2(0.1),
    "bias_regularizer": "l1", "activity_regularizer": keras.regularizers.L1(0.05),
    "kernel_constraint": "non_neg", "recurrent_constraint": keras.constraints.MaxNorm(0.5),
    "bias_constraint": keras.constraints.MinMaxNorm(0.1, 0.2),
}  # fmt: skip


@pytest.mark.parametrize("kind", PAIRS)
def test_regularizers_and_constraints_match_keras(kind):
    """The same penalties in layer.losses, and after an optimizer step on a loss that includes
    them, the same constrained weights."""
    rng = np.random.default_rng(9)
    kwargs = dict(REGULARIZED)
    if kind == "SimpleRNN":  # Keras 3.15.1's SimpleRNN drops activity_regularizer (see below)
        kwargs.pop("activity_regularizer")
    ours, theirs = make_pair(kind, rng, **kwargs)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    ours(x), theirs(x)
    assert len(ours.losses) == len(theirs.losses) == len(kwargs) - 3
    np.testing.assert_allclose(sorted(ours.losses), sorted(theirs.losses), rtol=1e-5)
    y = rng.standard_normal((B, H)).astype("float32")
    for layer in (ours, theirs):
        model = keras.Sequential([keras.Input((T, D)), layer])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        model.fit(x, y, epochs=2, batch_size=B, verbose=0)
    for w, w_keras in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w, w_keras, atol=1e-5)
    kernel, recurrent, _ = ours.get_weights()
    assert kernel.min() >= 0  # non_neg held after the steps
    assert np.linalg.norm(recurrent, axis=0).max() <= 0.5 + 1e-6


def test_simple_rnn_activity_regularizer_penalises_the_output():
    """As Keras documents it, and as Keras's LSTM and GRU do; Keras's own SimpleRNN accepts the
    argument but never passes it on to keras.layers.Layer, so there is nothing to compare with."""
    x = tf.constant(np.random.default_rng(10).standard_normal((B, T, D)), tf.float32)
    layer = ltf.SimpleRNN(H, activity_regularizer=keras.regularizers.L1(0.05))
    y = layer(x)
    (penalty,) = layer.losses
    np.testing.assert_allclose(penalty, 0.05 * np.abs(y).sum() / B, rtol=1e-6)


@pytest.mark.parametrize("case", ["sequences_and_state", "masked", "masked_backwards"])
@pytest.mark.parametrize("kind", PAIRS)
def test_unroll_matches_keras_unrolled(kind, case):
    """unroll=True writes the loop out step by step: Keras's unrolled numbers and gradients."""
    rng = np.random.default_rng(11)
    options = {**CASES[case], "unroll": True}
    with_state, with_mask = options.pop("_initial_state", False), options.pop("_mask", False)
    ours, theirs = make_pair(kind, rng, **options)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    initial_state = [tf.constant(rng.standard_normal((B, H)), tf.float32)
                     for _ in range(PAIRS[kind][2])] if with_state else []  # fmt: skip
    mask = tf.constant(MASK) if with_mask else None
    assert_same_outputs_and_grads(ours, theirs, x, initial_state, mask)


def test_unroll_needs_a_known_number_of_steps():
    with pytest.raises(ValueError, match=r"LSTM: unroll=True needs the number of time steps"):
        ltf.LSTM(H, unroll=True)(keras.Input((None, D)))


@pytest.mark.parametrize("kind", PAIRS)
def test_stateful_matches_keras_across_windows_and_resets(kind):
    """Each call starts where the last ended, batch index by batch index; reset_states sets
    zeros or given values - the numbers of Keras's stateful layers throughout."""
    rng = np.random.default_rng(12)
    n_states = PAIRS[kind][2]
    extra = {} if kind == "SimpleRNN" else {"use_cudnn": False}
    ours = PAIRS[kind][0](H, stateful=True, return_state=True)
    theirs = PAIRS[kind][1](H, stateful=True, return_state=True, **extra)
    windows = [tf.constant(rng.standard_normal((B, T, D)), tf.float32) for _ in range(3)]
    given = [rng.standard_normal((B, H)).astype("float32") for _ in range(n_states)]
    ours(windows[0]), theirs(windows[0])  # builds both: the batch size is fixed here
    ours.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in ours.get_weights()])
    theirs.set_weights(ours.get_weights())
    results = []
    for layer in (ours, theirs):
        layer.reset_states()
        run = [layer(w) for w in windows]  # consecutive windows of one long sequence
        layer.reset_states()
        run.append(layer(windows[0]))
        if layer is ours:
            layer.reset_states(given)
        else:  # Keras 3's reset_state takes no values: assign them
            for v, s in zip(layer.states, given, strict=True):
                v.assign(s)
        run.append(layer(windows[1]))
        results.append([[np.asarray(t) for t in out] for out in run])
    for k, (got, want) in enumerate(zip(*results, strict=True)):
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, atol=1e-5, err_msg=f"call {k}")
    assert not np.allclose(results[0][1][0], results[0][3][0])  # the state did carry over
    np.testing.assert_allclose(results[0][0][0], results[0][3][0], atol=1e-6)  # reset: zeros


@pytest.mark.parametrize("case", ["sequences_and_state", "masked", "no_bias"])
def test_gru_reset_before_matches_keras(case):
    """reset_after=False: bias (3H,), the reset gate applied to h before h @ U_h."""
    rng = np.random.default_rng(13)
    options = dict(CASES[case])
    with_state, with_mask = options.pop("_initial_state", False), options.pop("_mask", False)
    ours, theirs = make_pair("GRU", rng, reset_after=False, **options)
    assert [w.shape for w in ours.weights] == [w.shape for w in theirs.weights]
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    initial_state = [tf.constant(rng.standard_normal((B, H)), tf.float32)] if with_state else []
    mask = tf.constant(MASK) if with_mask else None
    assert_same_outputs_and_grads(ours, theirs, x, initial_state, mask)
    assert ltf.GRU.from_config(ours.get_config()).get_config()["reset_after"] is False
