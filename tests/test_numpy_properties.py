"""Property tests over random shapes (hypothesis), and long sequences of huge inputs."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_lib.numpy import GRU, LSTM, SimpleRNN, gradcheck, sigmoid

LAYERS = [SimpleRNN, LSTM, GRU]
sizes = st.integers(min_value=1, max_value=5)
layer_classes = st.sampled_from(LAYERS)


def states_of(layer, value):
    """A layer's state in its own structure: (h, c) for LSTM, h otherwise."""
    return tuple(value) if isinstance(layer, LSTM) else value[0]


def n_states(layer):
    return 2 if isinstance(layer, LSTM) else 1


@settings(max_examples=30, deadline=None)
@given(Layer=layer_classes, B=sizes, T=sizes, D=sizes, H=sizes, seed=st.integers(0, 2**16))
def test_shapes_and_dtypes_of_every_output_and_gradient(Layer, B, T, D, H, seed):
    rng = np.random.default_rng(seed)
    layer = Layer(D, H, seed=seed)
    x = rng.standard_normal((B, T, D), dtype=np.float32)
    outputs, final = layer.forward(x)
    assert outputs.shape == (B, T, H) and outputs.dtype == np.float32
    for s in (final if Layer is LSTM else (final,)):
        assert s.shape == (B, H) and s.dtype == np.float32
    np.testing.assert_array_equal((final[0] if Layer is LSTM else final), outputs[:, -1])
    d_x, d_initial, grads = layer.backward(rng.standard_normal((B, T, H), dtype=np.float32))
    assert d_x.shape == x.shape and d_x.dtype == np.float32
    for s in (d_initial if Layer is LSTM else (d_initial,)):
        assert s.shape == (B, H) and s.dtype == np.float32
    assert [g.shape for g in grads] == [w.shape for w in layer.get_weights()]
    assert all(g.dtype == np.float32 for g in grads)
    if Layer is LSTM:
        for gate in "ifgoc":
            assert layer._cache[gate].shape == (B, T, H)


@settings(max_examples=4, deadline=None)
@given(Layer=layer_classes, B=st.integers(1, 3), T=st.integers(1, 4), D=st.integers(1, 3),
       H=st.integers(1, 3), seed=st.integers(0, 2**16))  # fmt: skip
def test_gradcheck_on_random_shapes(Layer, B, T, D, H, seed):
    rng = np.random.default_rng(seed)
    layer = Layer(D, H, seed=seed, dtype=np.float64)
    x = rng.standard_normal((B, T, D))
    h0 = [rng.standard_normal((B, H)) for _ in range(n_states(layer))]
    R = rng.standard_normal((B, T, H))

    def loss(ps):
        return np.sum(layer.forward(ps[0], states_of(layer, ps[1 : 1 + len(h0)]))[0] * R)

    params = [x, *h0, *layer.params]
    loss(params)
    d_x, d_initial, grads = layer.backward(R)
    d_initial = list(d_initial) if Layer is LSTM else [d_initial]
    result = gradcheck(loss, params, [d_x, *d_initial, *grads], tol=1e-7)
    assert result.ok, str(result)


@pytest.mark.parametrize("Layer", LAYERS)
def test_long_sequence_of_huge_inputs_stays_finite_without_warnings(Layer):
    """T = 2000 steps of inputs around +-1000 saturate every gate: no overflow, no NaN, no
    RuntimeWarning, forward or backward. (Underflow to 0 is allowed: a vanishing gradient
    that rounds to zero is the right answer, not an error.)"""
    B, T, D, H = 2, 2000, 3, 4
    rng = np.random.default_rng(0)
    layer = Layer(D, H, seed=0)
    x = 1000 * rng.standard_normal((B, T, D), dtype=np.float32)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        outputs, final = layer.forward(x)
        d_x, d_initial, grads = layer.backward(np.ones((B, T, H), dtype=np.float32))
    for a in [outputs, d_x, *grads, *(final if Layer is LSTM else (final,))]:
        assert np.all(np.isfinite(a))
    assert np.all(np.abs(outputs) <= 1)


def test_sigmoid_is_stable_and_exact():
    x = np.array([-1e4, -745.0, -710.0, -30.0, -1.0, 0.0, 1.0, 30.0, 710.0, 1e4])
    with np.errstate(all="raise", under="ignore"):
        s = sigmoid(x)
        s32 = sigmoid(x.astype(np.float32))
    assert s32.dtype == np.float32
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s, [0, 0, 0, 9.357623e-14, 0.26894142, 0.5, 0.73105858, 1, 1, 1],
                               rtol=1e-6, atol=1e-16)  # fmt: skip
    moderate = np.linspace(-20, 20, 101)
    expected = 1 / (1 + np.exp(-moderate))
    np.testing.assert_allclose(sigmoid(moderate), expected, rtol=1e-12, atol=1e-16)
    out = np.empty_like(moderate)
    assert sigmoid(moderate, out=out) is out
