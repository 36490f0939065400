"""The LSTM's fast path, fused_lstm.lstm_sequence, with its hand-written backward pass: the same
outputs and gradients as autodiff through recurrence.scan with LSTMCell's step, and taken by
the layer exactly when nothing needs the general loop (no mask, no recurrent dropout)."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402
from lstm_lib.tensorflow.fused_lstm import lstm_sequence  # noqa: E402

D, H = 4, 5


def random_problem(B, T, dtype, seed=0):
    rng = np.random.default_rng(seed)

    def r(*shape, scale=0.5):
        return tf.constant(rng.normal(0, scale, shape), dtype)

    inputs = [r(T, B, D), r(D, 4 * H), r(H, 4 * H), r(4 * H), r(B, H), r(B, H)]
    upstream = [r(T, B, H, scale=1.0), r(B, H, scale=1.0)]  # on hs and on c_T
    return inputs, upstream


def results_and_gradients(fn, inputs, upstream):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        hs, c_T = fn(*inputs)
        loss = tf.reduce_sum(hs * upstream[0]) + tf.reduce_sum(c_T * upstream[1])
    return [hs, c_T], tape.gradient(loss, inputs)


def scan_results_and_gradients(inputs, upstream):
    x, kernel, recurrent_kernel, bias, h0, c0 = inputs
    with tf.GradientTape() as tape:
        tape.watch([x, h0, c0, kernel, bias])
        cell = ltf.LSTMCell(H, dtype=x.dtype)
        cell.build((None, D))
        cell.set_weights([kernel.numpy(), recurrent_kernel.numpy(), bias.numpy()])
        # The projection from the watched tensors, the recurrence from the cell's variable.
        xw = tf.matmul(x, kernel) + bias
        hs, (_, c_T) = ltf.scan(cell.step_fn(), xw, [h0, c0])
        loss = tf.reduce_sum(hs * upstream[0]) + tf.reduce_sum(c_T * upstream[1])
    dx, dh0, dc0, dkernel, dbias, drecurrent = tape.gradient(
        loss, [x, h0, c0, kernel, bias, cell.recurrent_kernel]
    )
    return [hs, c_T], [dx, dkernel, drecurrent, dbias, dh0, dc0]


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("B, T", [(1, 1), (3, 7), (2, 30)])
def test_fused_sequence_matches_autodiff_through_scan(B, T, dtype):
    inputs, upstream = random_problem(B, T, dtype)
    results, grads = results_and_gradients(lstm_sequence, inputs, upstream)
    expected_results, expected_grads = scan_results_and_gradients(inputs, upstream)
    tol = 1e-5 if dtype == tf.float32 else 1e-12
    names = ["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"]
    for name, got, want in zip(["hs", "c_T"], results, expected_results, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol, err_msg=name)
    for name, got, want in zip(names, grads, expected_grads, strict=True):
        want = want.numpy()
        np.testing.assert_allclose(
            got.numpy(), want, rtol=tol, atol=tol * np.abs(want).max(), err_msg=f"d {name}"
        )


def test_fused_sequence_compiles_with_xla_to_the_same_gradients():
    inputs, upstream = random_problem(3, 6, tf.float32)
    compiled = tf.function(
        lambda *a: results_and_gradients(lstm_sequence, list(a), upstream), jit_compile=True
    )
    _, xla_grads = compiled(*inputs)
    _, grads = results_and_gradients(lstm_sequence, inputs, upstream)
    for got, want in zip(xla_grads, grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "call, fused",
    [
        ({}, True),
        ({"training": True}, True),  # input dropout only: still no reason to leave the path
        ({"mask": np.array([[1, 1, 0], [1, 1, 1]], bool)}, False),
        ({"training": True, "_recurrent_dropout": 0.3}, False),
        ({"training": False, "_recurrent_dropout": 0.3}, True),  # dropout is off in inference
    ],
)
def test_layer_takes_the_fused_path_exactly_when_nothing_needs_the_general_loop(
    monkeypatch, call, fused
):
    calls = []
    original = ltf.LSTMCell.sequence

    def spy(self, x, states):
        calls.append(x.shape)
        return original(self, x, states)

    monkeypatch.setattr(ltf.LSTMCell, "sequence", spy)
    call = dict(call)
    layer = ltf.LSTM(H, dropout=0.2, recurrent_dropout=call.pop("_recurrent_dropout", 0.0))
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 3, D)), tf.float32)
    y = layer(x, **call)
    assert y.shape == (2, H)
    assert bool(calls) == fused
