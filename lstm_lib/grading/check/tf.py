"""Checkers for the TensorFlow track (problem set 07): a step from tf ops, a Keras LSTM cell,
gradients with GradientTape. TensorFlow is imported when one of them runs, not before.

Outputs are float32; they are compared with the float64 reference to float32 tolerances.
A learner's cell may not lean on Keras's own recurrent layers: while it runs, calls into
keras's lstm.py, gru.py or simple_rnn.py (or TensorFlow's fused RNN ops) count as using the
reference, as calls into lstm_lib do.
"""

from pathlib import Path

import numpy as np

from .. import reference as ref
from ..feedback import Check, close
from .lstm import SHAPE_HINT, diagnose_step

RTOL, ATOL = 1e-4, 1e-5  # float32


def _tf():
    from lstm_lib.tf_startup import import_tensorflow

    tf = import_tensorflow()
    import keras

    # Graded outside the lstm-gpu kernel, a GPU would round float32 products to TF32's 10 bits.
    tf.config.experimental.enable_tensor_float_32_execution(False)
    return tf, keras


def keras_recurrent_files():
    """Where Keras's recurrent layers and TensorFlow's fused RNN kernels live."""
    import keras.src.layers.rnn as rnn
    import tensorflow.python.ops as ops

    rnn_dir = Path(rnn.__file__).parent
    files = [str(p) for p in rnn_dir.glob("*.py")
             if p.stem in ("lstm", "gru", "simple_rnn") or p.stem.startswith("conv_lstm")]
    files += [str(Path(ops.__file__).parent / f) for f in ("gen_rnn_ops.py",
                                                            "gen_cudnn_rnn_ops.py")]
    return tuple(files)


def _weights32(c, D, H):
    return (c.randn(D, 4 * H, scale=0.5).astype(np.float32),
            c.randn(H, 4 * H, scale=0.5).astype(np.float32),
            c.randn(4 * H, scale=0.5).astype(np.float32))


def tensors(c, result, names, shapes, dims):
    """The learner's outputs as float64 arrays, after checking they are tensors of the shapes."""
    tf, _ = _tf()
    values = c.outputs(result, names)
    values = (values,) if len(names) == 1 else values
    out = []
    for name, v, shape, d in zip(names, values, shapes, dims, strict=True):
        if isinstance(v, np.ndarray):
            c.fail(f"`{name}` is a NumPy array: compute it with TensorFlow ops (tf.matmul, "
                   "tf.sigmoid, tf.tanh, +, *) so that GradientTape can follow it.")
        if not tf.is_tensor(v):
            c.fail(f"`{name}` should be a tensor, got a {type(v).__name__}.")
        out.append(c.array(name, np.asarray(v, dtype=np.float64), shape, d, dtype=None))
    return tuple(out)


def tf_lstm_step(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h_prev, c_prev, kernel, recurrent_kernel, bias), all tf tensors -> (h, c)."""
    tf, _ = _tf()
    with Check("tf_lstm_step", points, seed, quiet, forbidden=keras_recurrent_files()) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev, c_prev = (c.randn(B, n).astype(np.float32) for n in (D, H, H))
        W, U, b = _weights32(c, D, H)
        kernel = tf.Variable(W)
        dh, dc = c.randn(B, H), c.randn(B, H)
        with tf.GradientTape() as tape:
            result = c.call(fn, tf.constant(x), tf.constant(h_prev), tf.constant(c_prev),
                            kernel, tf.constant(U), tf.constant(b), hint=SHAPE_HINT)
            loss = None
            if isinstance(result, (tuple, list)) and len(result) == 2 \
                    and all(tf.is_tensor(r) for r in result):
                loss = tf.reduce_sum(tf.cast(result[0], tf.float64) * dh) + tf.reduce_sum(
                    tf.cast(result[1], tf.float64) * dc)
        got = tensors(c, result, ("h", "c"), [(B, H)] * 2, ["(B, H)"] * 2)
        inputs = tuple(a.astype(np.float64) for a in (x, h_prev, c_prev, W, U, b))
        want = ref.lstm_step(*inputs)
        if not (close(got[0], want[0], RTOL, ATOL) and close(got[1], want[1], RTOL, ATOL)):
            def run(*args):
                out = c.call(fn, *(tf.constant(a, tf.float32) for a in args))
                return tensors(c, out, ("h", "c"), [(B, H)] * 2, ["(B, H)"] * 2)

            diagnose_step(c, run, got, inputs, RTOL, ATOL)
        dW = tape.gradient(loss, kernel)
        if dW is None:
            c.fail("GradientTape sees no path from kernel to h and c: is every operation a "
                   "TensorFlow op (no .numpy(), no np.* in between)?")
        want_dW = ref.lstm_step_backward(dh, dc, *inputs)[3]
        c.same("d(loss)/d(kernel)", np.asarray(dW, dtype=np.float64), want_dW,
               "the values are right but the gradient is not: is a value computed outside "
               "the tape, or with tf.stop_gradient?", rtol=1e-3, atol=1e-4)


def lstm_cell_layer(cls, points=None, seed=None, quiet=False, **sizes):
    """cls(units): a Keras layer usable as keras.layers.RNN(cls(units)), Keras's weights."""
    tf, keras = _tf()
    with Check("LSTMCell", points, seed, quiet, forbidden=keras_recurrent_files(),
               checker="lstm_cell_layer") as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        keras.utils.set_random_seed(c.seed)
        cell = c.call(cls, H)
        if not isinstance(cell, keras.layers.Layer):
            c.fail(f"LSTMCell({H}) should be a keras.layers.Layer, got {type(cell).__name__}.")
        size = getattr(cell, "state_size", None)
        if not isinstance(size, (list, tuple)) or [int(s) for s in size] != [H, H]:
            c.fail(f"state_size should be [units, units] = [{H}, {H}] (h and c), "
                   f"got {size!r}.")
        rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True)
        x = c.randn(B, T, D).astype(np.float32)
        c.call(rnn, tf.constant(x))
        _check_weights(c, cell, D, H)
        W, U, b = _weights32(c, D, H)
        cell.set_weights([W, U, b])
        result = c.call(rnn, tf.constant(x))
        if not isinstance(result, (list, tuple)) or len(result) != 3:
            c.fail("keras.layers.RNN(cell, return_state=True) should give [outputs, h, c]: "
                   "does call return (h, [h, c])?")
        hs, h_T, c_T = (np.asarray(r, dtype=np.float64) for r in result)
        want_hs, want_c = ref.lstm_forward(x.astype(np.float64), np.zeros((B, H)),
                                           np.zeros((B, H)), W.astype(np.float64),
                                           U.astype(np.float64), b.astype(np.float64))
        if not (close(hs, want_hs, RTOL, ATOL) and close(c_T, want_c, RTOL, ATOL)):
            _diagnose_cell(c, cell, B, D, H)
            c.same("outputs", hs, want_hs, rtol=RTOL, atol=ATOL)
            c.same("c_T", c_T, want_c, "the final cell state, the second state.",
                   rtol=RTOL, atol=ATOL)
        config = cell.get_config()
        if config.get("units") != H:
            c.fail(f"get_config() should include units = {H}, got {config.get('units')!r}.")
        clone = type(cell).from_config(config)
        if getattr(clone, "units", None) != H:
            c.fail("LSTMCell.from_config(cell.get_config()) should rebuild a cell of the same "
                   "units.")


def _check_weights(c, cell, D, H):
    names = ("kernel", "recurrent_kernel", "bias")
    shapes = [(D, 4 * H), (H, 4 * H), (4 * H,)]
    weights = [np.asarray(w, dtype=np.float64) for w in cell.get_weights()]
    got = [w.shape for w in weights]
    if got != shapes:
        c.fail(f"after building on D = {D} features with units H = {H}, get_weights() should "
               f"give {names} of shapes {shapes} (Keras's layout, in that order); got {got}.")
    kernel, recurrent, bias = weights
    want_bias = np.concatenate([np.zeros(H), np.ones(H), np.zeros(2 * H)])
    c.same("bias (as initialised)", bias, want_bias, "Keras initialises the bias to zeros, "
           "except the forget-gate block bias[H:2H], set to ones (unit_forget_bias).")
    limit = np.sqrt(6 / (D + 4 * H))
    if not (np.all(np.abs(kernel) <= limit + 1e-6) and np.std(kernel) > limit / 10):
        c.fail(f"the kernel should start glorot_uniform: uniform in +-sqrt(6 / (D + 4H)) = "
               f"+-{limit:.3g}; it has values in [{kernel.min():.3g}, {kernel.max():.3g}].")
    if not close(recurrent @ recurrent.T, np.eye(H), 1e-3, 1e-3):
        c.fail("the recurrent kernel should start orthogonal (initializer='orthogonal'): "
               "its H rows orthonormal.")


def _diagnose_cell(c, cell, B, D, H):
    tf, _ = _tf()

    def run(x, h_prev, c_prev, W, U, b):
        cell.set_weights([W.astype(np.float32), U.astype(np.float32), b.astype(np.float32)])
        out = c.call(cell, tf.constant(x, tf.float32),
                     [tf.constant(h_prev, tf.float32), tf.constant(c_prev, tf.float32)])
        if not isinstance(out, (tuple, list)) or len(out) != 2 \
                or not isinstance(out[1], (tuple, list)) or len(out[1]) != 2:
            c.fail("call(inputs, states) should return (h, [h, c]).")
        h, (h2, c_new) = out
        if not close(np.asarray(h), np.asarray(h2), RTOL, ATOL):
            c.fail("call returns (output, [h, c]) where output is h itself: the two differ.")
        return tensors(c, (h, c_new), ("h", "c"), [(B, H)] * 2, ["(B, H)"] * 2)

    inputs = (c.randn(B, D), c.randn(B, H), c.randn(B, H), *(a.astype(np.float64)
                                                             for a in _weights32(c, D, H)))
    got = run(*inputs)
    want = ref.lstm_step(*inputs)
    if not (close(got[0], want[0], RTOL, ATOL) and close(got[1], want[1], RTOL, ATOL)):
        diagnose_step(c, run, got, inputs, RTOL, ATOL)


def tape_gradients(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(layer, x, dhs) -> the gradients of sum(layer(x) * dhs), in trainable_weights order."""
    tf, keras = _tf()
    with Check("tape_gradients", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        # The generic loop on every device: the check compares with NumPy, not with cuDNN.
        layer = keras.layers.LSTM(H, return_sequences=True, use_cudnn=False)
        layer.build((B, T, D))
        W, U, b = _weights32(c, D, H)
        layer.set_weights([W, U, b])
        x, dhs = c.randn(B, T, D).astype(np.float32), c.randn(B, T, H).astype(np.float32)
        grads = c.call(fn, layer, tf.constant(x), tf.constant(dhs))
        if not isinstance(grads, (list, tuple)) or len(grads) != 3:
            c.fail("should return a list of 3 gradients, one per layer.trainable_weights "
                   "(kernel, recurrent_kernel, bias).")
        if any(g is None for g in grads):
            c.fail("a gradient is None: the loss must be computed from layer(x) inside the "
                   "`with tf.GradientTape() as tape:` block.")
        names = ("dkernel", "drecurrent_kernel", "dbias")
        got = [c.array(n, np.asarray(g, dtype=np.float64), s, dtype=None) for n, g, s in
               zip(names, grads, [(D, 4 * H), (H, 4 * H), (4 * H,)], strict=True)]
        args = [a.astype(np.float64) for a in (x, np.zeros((B, H)), np.zeros((B, H)), W, U, b)]
        want = ref.lstm_backward(dhs.astype(np.float64), *args)[3:]
        if all(close(g, w, 1e-3, 1e-4) for g, w in zip(got, want, strict=True)):
            return
        c.mistakes(tuple(got), [
            ("these are the gradients of the *mean* of layer(x) * dhs: the loss is the sum.",
             lambda: tuple(w / (B * T * H) for w in want)),
            ("these are the gradients of sum(layer(x)): multiply by dhs first.",
             lambda: ref.lstm_backward(np.ones((B, T, H)), *args)[3:]),
        ], 1e-3, 1e-4)
        for n, g, w in zip(names, got, want, strict=True):
            c.same(n, g, w, "the gradient of loss = tf.reduce_sum(layer(x) * dhs).",
                   rtol=1e-3, atol=1e-4)
