"""Gradient checks (float64, centred differences) of every hand-written backward pass in
lstm_lib.numpy: the functional API step by step and over sequences, and the layer API, for all
three recurrent layers; every weight, the inputs and the initial states; relative error < 1e-7."""

import numpy as np
import pytest

from lstm_lib.numpy import (
    GRU,
    LSTM,
    SimpleRNN,
    gradcheck,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

TOL = 1e-7
# (B, T, D, H), including a batch of one and a single time step.
SHAPES = [(1, 1, 1, 1), (1, 4, 3, 2), (3, 1, 2, 3), (2, 5, 3, 4)]
BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def weights(kind, D, H, rng):
    """Random weights in Keras layout, larger than Keras's init so that every gate matters."""
    n = BLOCKS[kind] * H
    bias_shape = (2, n) if kind == "gru" else (n,)
    return [rng.normal(0, 0.7, shape) for shape in ((D, n), (H, n), bias_shape)]


def assert_gradcheck(f, params, grads, names):
    result = gradcheck(f, params, grads, tol=TOL, names=names)
    assert result.ok, str(result)


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_rnn_forward_backward(B, T, D, H):
    rng = np.random.default_rng(1)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H))
    params = [x, h0, *weights("rnn", D, H, rng)]
    R = rng.standard_normal((B, T, H))

    def loss(ps):
        return np.sum(rnn_forward(*ps)[0] * R)

    _, cache = rnn_forward(*params)
    names = ["x", "h0", "kernel", "recurrent_kernel", "bias"]
    assert_gradcheck(loss, params, rnn_backward(R, cache), names)


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_lstm_forward_backward_with_final_cell_gradient(B, T, D, H):
    rng = np.random.default_rng(2)
    x, h0, c0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.normal(size=(B, H))
    params = [x, h0, c0, *weights("lstm", D, H, rng)]
    R, Rc = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))

    def loss(ps):
        hs, c_T, _ = lstm_forward(*ps)
        return np.sum(hs * R) + np.sum(c_T * Rc)

    _, _, cache = lstm_forward(*params)
    names = ["x", "h0", "c0", "kernel", "recurrent_kernel", "bias"]
    assert_gradcheck(loss, params, lstm_backward(R, cache, dc_T=Rc), names)


@pytest.mark.parametrize("B, T, D, H", SHAPES)
def test_gru_forward_backward(B, T, D, H):
    rng = np.random.default_rng(3)
    x, h0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H))
    params = [x, h0, *weights("gru", D, H, rng)]
    R = rng.standard_normal((B, T, H))

    def loss(ps):
        return np.sum(gru_forward(*ps)[0] * R)

    _, cache = gru_forward(*params)
    names = ["x", "h0", "kernel", "recurrent_kernel", "bias"]
    assert_gradcheck(loss, params, gru_backward(R, cache), names)


def test_step_functions():
    B, D, H = 3, 4, 5
    rng = np.random.default_rng(4)
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    Rh, Rc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    names = ["x", "h_prev", "kernel", "recurrent_kernel", "bias"]

    params = [x, h, *weights("rnn", D, H, rng)]
    grads = rnn_step_backward(Rh, rnn_step_forward(*params)[1])
    assert_gradcheck(lambda ps: np.sum(rnn_step_forward(*ps)[0] * Rh), params, grads, names)

    params = [x, h, *weights("gru", D, H, rng)]
    grads = gru_step_backward(Rh, gru_step_forward(*params)[1])
    assert_gradcheck(lambda ps: np.sum(gru_step_forward(*ps)[0] * Rh), params, grads, names)

    params = [x, h, c, *weights("lstm", D, H, rng)]

    def lstm_loss(ps):
        h_new, c_new, _ = lstm_step_forward(*ps)
        return np.sum(h_new * Rh) + np.sum(c_new * Rc)

    grads = lstm_step_backward(Rh, Rc, lstm_step_forward(*params)[2])
    names = ["x", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias"]
    assert_gradcheck(lstm_loss, params, grads, names)


def test_steps_compose_into_the_sequence():
    """The sequence functions compute what a loop of step functions computes."""
    B, T, D, H = 2, 6, 3, 4
    rng = np.random.default_rng(5)
    x, h0, c0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.normal(size=(B, H))
    w = weights("lstm", D, H, rng)
    hs, c_T, _ = lstm_forward(x, h0, c0, *w)
    h, c = h0, c0
    for t in range(T):
        h, c, _ = lstm_step_forward(x[:, t], h, c, *w)
        np.testing.assert_allclose(hs[:, t], h, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c_T, c, rtol=0, atol=1e-14)
    for kind, seq, step in (("rnn", rnn_forward, rnn_step_forward),
                            ("gru", gru_forward, gru_step_forward)):  # fmt: skip
        w = weights(kind, D, H, rng)
        hs, _ = seq(x, h0, *w)
        h = h0
        for t in range(T):
            h, _ = step(x[:, t], h, *w)
            np.testing.assert_allclose(hs[:, t], h, rtol=0, atol=1e-14)


def test_step_backwards_compose_into_the_sequence_backward():
    """The optimised sequence backward passes compute what a loop of the plain step backward
    passes computes: the same gradients, summed over steps in another order."""
    B, T, D, H = 2, 6, 3, 4
    rng = np.random.default_rng(6)
    x, h0, c0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.normal(size=(B, H))
    dhs, dc_T = rng.standard_normal((B, T, H)), rng.standard_normal((B, H))

    def compose(step_forward, step_backward, w, states):
        """BPTT over the step functions: dx (B, T, D), d_states, d_weights."""
        caches = []
        for t in range(T):
            *states, cache = step_forward(x[:, t], *states, *w)
            caches.append(cache)
        n = len(states)
        d_states = [np.zeros((B, H)), dc_T][:n]
        dx, d_weights = np.empty_like(x), [np.zeros_like(a) for a in w]
        for t in reversed(range(T)):
            d_states[0] = d_states[0] + dhs[:, t]
            dx[:, t], *grads = step_backward(*d_states, caches[t])
            d_states = grads[:n]
            d_weights = [a + g for a, g in zip(d_weights, grads[n:], strict=True)]
        return [dx, *d_states, *d_weights]

    w = weights("lstm", D, H, rng)
    _, _, cache = lstm_forward(x, h0, c0, *w)
    want = compose(lstm_step_forward, lstm_step_backward, w, [h0, c0])
    for got, expected in zip(lstm_backward(dhs, cache, dc_T), want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    for kind, seq, step_forward, step_backward, backward in (
        ("rnn", rnn_forward, rnn_step_forward, rnn_step_backward, rnn_backward),
        ("gru", gru_forward, gru_step_forward, gru_step_backward, gru_backward),
    ):
        w = weights(kind, D, H, rng)
        _, cache = seq(x, h0, *w)
        want = compose(step_forward, step_backward, w, [h0])
        for got, expected in zip(backward(dhs, cache), want, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=kind)


@pytest.mark.parametrize("Layer", [SimpleRNN, LSTM, GRU])
@pytest.mark.parametrize("B, T, D, H", [(1, 1, 2, 3), (2, 4, 3, 2)])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_api(Layer, B, T, D, H, with_state):
    """Through the classes: inputs, initial states, weights, and a gradient on the final state."""
    rng = np.random.default_rng(6)
    layer = Layer(D, H, seed=0, dtype=np.float64)
    layer.set_weights([w * 2 for w in layer.get_weights()])  # larger: saturate some gates
    is_lstm = Layer is LSTM
    x = rng.standard_normal((B, T, D))
    states = [rng.standard_normal((B, H)) for _ in range(2 if is_lstm else 1)] if with_state else []
    R = rng.standard_normal((B, T, H))
    R_final = [rng.standard_normal((B, H)) for _ in range(2 if is_lstm else 1)]
    pack = tuple if is_lstm else (lambda s: s[0])

    def loss(ps):
        initial = pack(ps[1 : 1 + len(states)]) if states else None
        outputs, final = layer.forward(ps[0], initial)
        final = final if is_lstm else (final,)
        return np.sum(outputs * R) + sum(np.sum(s * r) for s, r in zip(final, R_final, strict=True))

    params = [x, *states, *layer.params]
    loss(params)
    d_x, d_initial, grads = layer.backward(R, pack(R_final))
    assert grads is layer.grads
    d_states = (list(d_initial) if is_lstm else [d_initial]) if states else []
    names = ["x", *[f"state{k}" for k in range(len(states))], *layer.weight_names]
    assert_gradcheck(loss, params, [d_x, *d_states, *grads], names)
