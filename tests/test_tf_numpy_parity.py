"""tf.GradientTape through lstm_lib.tensorflow gives the gradients that lstm_lib.numpy's
hand-written backward passes compute: same weights, same inputs, same upstream gradients."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

lnp = pytest.importorskip("lstm_lib.numpy", reason="lstm_lib.numpy is not written yet")

B, T, D, H = 3, 7, 4, 5
KINDS = {"SimpleRNN": (ltf.SimpleRNN, lnp.SimpleRNN, 1),
         "LSTM": (ltf.LSTM, lnp.LSTM, 2),
         "GRU": (ltf.GRU, lnp.GRU, 1)}  # fmt: skip


def assert_relative(actual, expected, tol=1e-4, what=""):
    expected = np.asarray(expected)
    np.testing.assert_allclose(
        actual, expected, rtol=tol, atol=tol * np.abs(expected).max(), err_msg=what
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
def test_tape_gradients_match_handwritten_backward(kind, dtype):
    tf_cls, np_cls, n_states = KINDS[kind]
    rng = np.random.default_rng(0)
    reference = np_cls(D, H, seed=1, dtype=np.dtype(dtype))
    reference.set_weights([w + rng.normal(0, 0.3, w.shape) for w in reference.get_weights()])
    layer = tf_cls(H, return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, T, D))
    layer.set_weights(reference.get_weights())

    x = rng.standard_normal((B, T, D)).astype(dtype)
    states0 = [rng.standard_normal((B, H)).astype(dtype) for _ in range(n_states)]
    d_outputs = rng.standard_normal((B, T, H)).astype(dtype)
    d_final = [rng.standard_normal((B, H)).astype(dtype) for _ in range(n_states)]

    # NumPy: forward, then the hand-written backward pass.
    pack = tuple if n_states == 2 else (lambda s: s[0])
    outputs, final = reference.forward(x, initial_state=pack(states0))
    d_x, d_states0, grads = reference.backward(d_outputs, d_final_state=pack(d_final))

    # TensorFlow: the same loss, sum(outputs * d_outputs) + sum(final * d_final), by autodiff.
    xt, s0 = tf.constant(x), [tf.constant(s) for s in states0]
    with tf.GradientTape() as tape:
        tape.watch([xt, *s0])
        y, *final_tf = layer(xt, initial_state=s0)
        loss = tf.reduce_sum(y * d_outputs) + sum(
            tf.reduce_sum(f * d) for f, d in zip(final_tf, d_final, strict=True)
        )
    tf_grads = tape.gradient(loss, [xt, *layer.trainable_weights, *s0])

    np.testing.assert_allclose(y.numpy(), outputs, atol=1e-5)
    expected = [d_x, *grads, *(d_states0 if n_states == 2 else [d_states0])]
    names = ["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"]
    for name, got, want in zip(names[: len(expected)], tf_grads, expected, strict=True):
        assert_relative(got.numpy(), want, what=f"{kind} gradient of {name}")
