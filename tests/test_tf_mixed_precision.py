"""lstm_lib.tensorflow's SimpleRNN, LSTM (both paths) and GRU under Keras's mixed precision: with
the policy "mixed_float16" or "mixed_bfloat16" they build, run forward and backward, compute in
the half-precision dtype and keep float32 variables and gradients, and their results stay close
to the same layer's in float32."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

B, T, D, H = 4, 12, 5, 8
LAYERS = {
    "SimpleRNN": lambda **kw: ltf.SimpleRNN(H, **kw),
    "GRU": lambda **kw: ltf.GRU(H, **kw),
    "LSTM, per-gate path": lambda **kw: ltf.LSTM(H, use_per_gate=True, **kw),
    "LSTM, generic loop": lambda **kw: ltf.LSTM(H, use_per_gate=False, **kw),
}
# The largest difference from float32 allowed, relative to the largest float32 value, for each
# output and gradient: roundings at the half type's precision (2**-11 for float16, 2**-8 for
# bfloat16) accumulated over T = 12 steps. Measured over five seeds, all layers: float16 at
# most 2.1e-3, bfloat16 at most 3.1e-2; the bars leave a margin of three or more.
TOLERANCE = {"mixed_float16": 1e-2, "mixed_bfloat16": 1e-1}


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


def forward_backward(layer, x, upstream):
    """[outputs, final h, dx, dkernel, drecurrent_kernel, dbias] of sum(outputs * upstream)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y, h_T, *_ = layer(x)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * upstream)
    return [y, h_T, *tape.gradient(loss, [x, *layer.trainable_weights])]


def relative_difference(got, want):
    got, want = (np.asarray(tf.cast(a, tf.float32)) for a in (got, want))
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


@pytest.mark.parametrize("policy", list(TOLERANCE), indirect=True)
@pytest.mark.parametrize("kind", list(LAYERS))
def test_a_layer_under_mixed_precision_matches_float32(policy, kind):
    compute = keras.DTypePolicy(policy).compute_dtype
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((B, T, D)), tf.float32)
    upstream = tf.constant(rng.standard_normal((B, T, H)), tf.float32)
    layer = LAYERS[kind](return_sequences=True, return_state=True)
    reference = LAYERS[kind](return_sequences=True, return_state=True, dtype="float32")
    reference.build(x.shape)
    layer.build(x.shape)
    layer.set_weights(reference.get_weights())

    got = forward_backward(layer, x, upstream)
    want = forward_backward(reference, x, upstream)

    assert layer.compute_dtype == compute and layer.variable_dtype == "float32"
    assert all(w.dtype == "float32" for w in layer.weights)
    assert got[0].dtype == compute and got[1].dtype == compute  # outputs and state
    assert all(g.dtype == tf.float32 for g in got[2:])  # gradients of x and the weights
    names = ["outputs", "h_T", "dx", "dkernel", "drecurrent_kernel", "dbias"]
    for name, g, w in zip(names, got, want, strict=True):
        assert relative_difference(g, w) < TOLERANCE[policy], name
