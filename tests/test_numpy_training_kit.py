"""The training kit of lstm_lib.numpy: initialisers, Dense, Embedding, losses, optimizers,
clipping, gradcheck itself, and a small model that learns."""

import numpy as np
import pytest

from lstm_lib.numpy import (
    GRU,
    LSTM,
    SGD,
    Adam,
    Dense,
    Embedding,
    SimpleRNN,
    clip_by_global_norm,
    glorot_uniform,
    gradcheck,
    mse,
    numerical_gradient,
    orthogonal,
    relative_error,
    softmax,
    softmax_cross_entropy,
)

# --- initialisers -------------------------------------------------------------------------


def test_glorot_uniform_limits_and_seed():
    w = glorot_uniform((100, 300), rng=0)
    limit = np.sqrt(6 / 400)
    assert w.dtype == np.float32 and w.shape == (100, 300)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    np.testing.assert_allclose(w.std(), limit / np.sqrt(3), rtol=0.02)  # std of U(-a, a)
    np.testing.assert_array_equal(w, glorot_uniform((100, 300), rng=0))
    assert not np.array_equal(w, glorot_uniform((100, 300), rng=1))


@pytest.mark.parametrize("shape", [(8, 32), (32, 8), (6, 6)])
def test_orthogonal(shape):
    w = orthogonal(shape, rng=0, dtype=np.float64)
    small = min(shape)
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


@pytest.mark.parametrize("Layer, blocks", [(SimpleRNN, 1), (LSTM, 4), (GRU, 3)])
def test_recurrent_layer_initialisation(Layer, blocks):
    D, H = 5, 6
    layer = Layer(D, H, seed=3)
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (D, blocks * H) and recurrent.shape == (H, blocks * H)
    assert all(w.dtype == np.float32 for w in layer.get_weights())
    assert np.abs(kernel).max() <= np.sqrt(6 / (D + blocks * H))
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(H), atol=1e-5)  # rows orthonormal
    expected_bias = np.zeros(bias.shape)
    if Layer is LSTM:
        expected_bias[H : 2 * H] = 1  # unit_forget_bias
    np.testing.assert_array_equal(bias, expected_bias)
    again = Layer(D, H, seed=3).get_weights()
    for a, b in zip(layer.get_weights(), again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert Layer(D, H, dtype=np.float64).kernel.dtype == np.float64


def test_weights_are_shared_with_params_and_copied_by_get_weights():
    layer = LSTM(3, 2, seed=0)
    layer.params[0][0, 0] = 42.0  # what an optimizer does
    assert layer.kernel[0, 0] == 42.0
    layer.get_weights()[0][0, 0] = 0.0
    assert layer.kernel[0, 0] == 42.0
    kernel = layer.kernel
    layer.set_weights([np.ones((3, 8)), np.ones((2, 8)), np.ones(8)])
    assert layer.kernel is kernel and kernel.dtype == np.float32 and kernel[0, 0] == 1


# --- Dense and Embedding ----------------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
def test_dense_gradcheck_on_steps_and_on_vectors(x_shape):
    rng = np.random.default_rng(0)
    layer = Dense(3, 4, seed=0, dtype=np.float64)
    layer.set_weights([layer.kernel, rng.normal(size=4)])
    x = rng.standard_normal(x_shape)
    R = rng.standard_normal((*x_shape[:-1], 4))

    def loss(ps):
        return np.sum(layer.forward(ps[0]) * R)

    params = [x, *layer.params]
    assert layer.forward(x).shape == R.shape
    d_x, grads = layer.backward(R)
    result = gradcheck(loss, params, [d_x, *grads], names=["x", "kernel", "bias"])
    assert result.ok, str(result)


def test_embedding_lookup_and_repeated_ids():
    layer = Embedding(5, 3, seed=0, dtype=np.float64)
    ids = np.array([[1, 1, 4], [1, 0, 4]])
    out = layer.forward(ids)
    np.testing.assert_array_equal(out[0, 1], layer.embeddings[1])
    assert out.shape == (2, 3, 3) and np.abs(layer.embeddings).max() <= 0.05
    R = np.random.default_rng(0).standard_normal(out.shape)
    (d_table,) = layer.backward(R)
    np.testing.assert_allclose(d_table[1], R[0, 0] + R[0, 1] + R[1, 0])  # all three uses add
    np.testing.assert_allclose(d_table[[2, 3]], 0)
    result = gradcheck(lambda ps: np.sum(layer.forward(ids) * R), layer.params, [d_table])
    assert result.ok, str(result)


# --- losses ------------------------------------------------------------------------------------


def test_softmax_cross_entropy_value_mask_and_gradient():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 2, size=(3, 4, 6))
    targets = rng.integers(0, 6, size=(3, 4))
    mask = rng.random((3, 4)) < 0.6
    mask[0, 0] = True
    loss, dlogits = softmax_cross_entropy(logits, targets, mask)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    nll = -np.log(np.take_along_axis(p, targets[..., None], -1)[..., 0])
    np.testing.assert_allclose(loss, nll[mask].mean(), rtol=1e-12)  # mean over counted items
    assert np.all(dlogits[~mask] == 0)
    f = lambda ps: softmax_cross_entropy(ps[0], targets, mask)[0]  # noqa: E731
    result = gradcheck(f, [logits], [dlogits], names=["logits"])
    assert result.ok, str(result)


def test_softmax_cross_entropy_is_stable_and_handles_an_empty_mask():
    logits = np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32)
    with np.errstate(all="raise", under="ignore"):
        loss, dlogits = softmax_cross_entropy(logits, np.array([0]))
        np.testing.assert_allclose(loss, 0, atol=1e-6)
        loss, dlogits = softmax_cross_entropy(logits, np.array([1]))
    np.testing.assert_allclose(loss, 2000, rtol=1e-6)
    assert dlogits.dtype == np.float32
    loss, dlogits = softmax_cross_entropy(logits, np.array([1]), mask=np.array([0.0]))
    assert loss == 0 and np.all(dlogits == 0)
    np.testing.assert_allclose(softmax(logits), [[1, 0, 0]], atol=1e-7)


def test_mse_value_and_gradient():
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss, dpred = mse(pred, target)
    np.testing.assert_allclose(loss, np.mean((pred - target) ** 2), rtol=1e-12)
    result = gradcheck(lambda ps: mse(ps[0], target)[0], [pred], [dpred])
    assert result.ok, str(result)


# --- optimizers and clipping ------------------------------------------------------------------


def test_sgd_step_and_momentum():
    p = np.array([1.0, -2.0], dtype=np.float32)
    g = np.array([0.5, 1.0], dtype=np.float32)
    SGD(0.1).step([p], [g])
    np.testing.assert_allclose(p, [0.95, -2.1], rtol=1e-6)
    p = np.zeros(1)
    opt = SGD(1.0, momentum=0.5)
    for _ in range(3):
        opt.step([p], [np.ones(1)])
    np.testing.assert_allclose(p, [-(1 + 1.5 + 1.75)])  # v = -1, -1.5, -1.75


def test_adam_first_step_is_about_learning_rate_times_sign():
    """With bias correction the first step is lr * g / (|g| + eps'), whatever the scale of g."""
    params = [np.zeros(3, dtype=np.float32)]
    Adam(learning_rate=0.01).step(params, [np.array([1e-3, -5.0, 200.0], dtype=np.float32)])
    np.testing.assert_allclose(params[0], [-0.01, 0.01, -0.01], rtol=1e-2)
    assert params[0].dtype == np.float32


def test_clip_by_global_norm():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    np.testing.assert_allclose(clipped[1], [[0.8]])
    same, norm = clip_by_global_norm(grads, 10.0)
    assert norm == 5.0 and all(np.array_equal(a, b) for a, b in zip(same, grads, strict=True))
    assert clip_by_global_norm([np.ones(2, dtype=np.float32)], 1.0)[0][0].dtype == np.float32


# --- gradcheck itself ---------------------------------------------------------------------------


def test_gradcheck_passes_a_right_gradient_and_fails_a_wrong_one():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)

    def f(ps):
        return np.sum(np.tanh(A @ ps[0]))

    right = A.T @ (1 - np.tanh(A @ x) ** 2)
    assert gradcheck(f, [x], [right]).ok
    wrong = right.copy()
    wrong[2] *= 1.001  # a bug of one part in a thousand, in one entry
    result = gradcheck(f, [x], [wrong], names=["x"])
    assert not result.ok
    assert result.worst == 0 and result.index == (2,)
    np.testing.assert_allclose(result.analytic, wrong[2])
    np.testing.assert_allclose(result.numeric, right[2], rtol=1e-8)
    report = str(result)
    assert "FAILED" in report and "x[2]" in report and f"{wrong[2]:.10g}" in report


def test_gradcheck_fails_a_nan_gradient_and_restores_the_params():
    x = np.array([1.0, 2.0])
    result = gradcheck(lambda ps: np.sum(ps[0] ** 2), [x], [np.array([2.0, np.nan])])
    assert not result.ok
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda ps: np.sum(ps[0] ** 2), [x])[0], [2, 4])


def test_gradcheck_catches_swapped_gates():
    """A classic bug from the book: i and f swapped in the backward pass."""
    rng = np.random.default_rng(4)
    layer = LSTM(2, 3, seed=0, dtype=np.float64)
    x = rng.standard_normal((2, 4, 2))
    R = rng.standard_normal((2, 4, 3))
    layer.forward(x)
    _, _, grads = layer.backward(R)
    bad = [g.copy() for g in grads]
    bad[0][:, :3], bad[0][:, 3:6] = grads[0][:, 3:6], grads[0][:, :3]
    result = gradcheck(lambda ps: np.sum(layer.forward(x)[0] * R), layer.params, bad)
    assert not result.ok and result.worst == 0
    assert relative_error(grads[0], bad[0]) > 1e-2


# --- everything together -------------------------------------------------------------------------


def test_a_small_model_learns_to_count():
    """Embedding -> LSTM -> Dense on every step, trained with Adam and clipping, learns to
    output how many 1s it has seen so far (mod 3): the loss must fall well below chance."""
    rng = np.random.default_rng(0)
    B, T, V, E, H = 32, 12, 2, 4, 16
    embedding, lstm, dense = Embedding(V, E, seed=0), LSTM(E, H, seed=1), Dense(H, 3, seed=2)
    params = embedding.params + lstm.params + dense.params
    optimizer = Adam(learning_rate=0.02)
    losses = []
    for _ in range(150):
        ids = rng.integers(0, V, size=(B, T))
        targets = np.cumsum(ids, axis=1) % 3
        outputs, _ = lstm.forward(embedding.forward(ids))
        loss, dlogits = softmax_cross_entropy(dense.forward(outputs), targets)
        d_outputs, dense_grads = dense.backward(dlogits)
        d_embedded, _, lstm_grads = lstm.backward(d_outputs)
        grads = embedding.backward(d_embedded) + lstm_grads + dense_grads
        grads, _ = clip_by_global_norm(grads, 5.0)
        optimizer.step(params, grads)
        losses.append(loss)
    assert np.log(3) - 0.05 < np.mean(losses[:5]) < np.log(3) + 0.1
    assert np.mean(losses[-10:]) < 0.3, losses[-10:]
