"""Checkers for the TensorFlow track (problem set 07): a step from tf ops, gradients with
GradientTape, a GRU cell from raw ops as a Keras layer. TensorFlow is imported when one of
them runs, not before.

Outputs are float32; they are compared with the float64 reference to float32 tolerances.
A learner's cell may not lean on Keras's own recurrent layers: while it runs, calls into
keras's lstm.py, gru.py or simple_rnn.py (or TensorFlow's fused RNN ops) count as using the
reference, as calls into lstm_lib do.
"""

from pathlib import Path

import numpy as np

from .. import reference as ref
from ..feedback import GRU_GATES, Blocks, Check, close
from .common import diagnose_sequence
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


GRU_CELL_SHAPES = ("Shapes: inputs (B, D) @ kernel (D, 3H), h_prev (B, H) @ recurrent_kernel "
                   "(H, 3H), bias (2, 3H): bias[0] goes with the input, bias[1] with the "
                   "recurrent term.")


def gru_cell_layer(cls, points=None, seed=None, quiet=False, **sizes):
    """cls(units): a Keras layer usable as keras.layers.RNN(cls(units)), equal to
    keras.layers.GRU (reset_after=True, use_cudnn=False) given the same weights."""
    from .variants import gru_mistakes

    tf, keras = _tf()
    with Check("GRUCell", points, seed, quiet, forbidden=keras_recurrent_files(),
               checker="gru_cell_layer") as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        keras.utils.set_random_seed(c.seed)
        cell = c.call(cls, H)
        if not isinstance(cell, keras.layers.Layer):
            c.fail(f"GRUCell({H}) should be a keras.layers.Layer, got {type(cell).__name__}.")
        x1, h1 = c.randn(B, D), c.randn(B, H)
        # The first call builds the cell on the shape of one step, as keras.layers.RNN does.
        _gru_call(c, cell, x1, h1, B, H)
        _check_gru_weights(c, cell, D, H)
        W, U, b = (a.astype(np.float32) for a in (c.randn(D, 3 * H, scale=0.6),
                                                 c.randn(H, 3 * H, scale=0.6),
                                                 c.randn(2, 3 * H)))
        cell.set_weights([W, U, b])
        W64, U64, b64 = (a.astype(np.float64) for a in (W, U, b))
        x1, h1 = x1.astype(np.float32).astype(np.float64), h1.astype(np.float32).astype(np.float64)
        h = _gru_call(c, cell, x1, h1, B, H)
        want = ref.gru_step(x1, h1, W64, U64, b64)
        if not close(h, want, RTOL, ATOL):
            c.mistakes((h,), gru_mistakes(x1, h1, W64, U64, b64), RTOL, ATOL)
            c.same("h", h, want, "one step of call(inputs, [h_prev]) with random weights: "
                   "z, r from the first two blocks, h~ = tanh(x W_h + bias[0, 2H:] + "
                   "r * (h_prev U_h + bias[1, 2H:])), h = z * h_prev + (1 - z) * h~.",
                   blocks=Blocks(H, GRU_GATES[:1]), rtol=RTOL, atol=ATOL)
        x = c.randn(B, T, D).astype(np.float32)
        ours = keras.layers.RNN(cell, return_sequences=True, return_state=True)
        result = c.call(ours, tf.constant(x))
        if not isinstance(result, (list, tuple)) or len(result) != 2:
            c.fail("keras.layers.RNN(cell, return_state=True) should give [outputs, h_T]: "
                   "state_size is [units], one state.")
        hs, h_T = (np.asarray(r, dtype=np.float64) for r in result)
        keras_gru = keras.layers.GRU(H, return_sequences=True, return_state=True,
                                     use_cudnn=False)  # the generic loop on every device
        keras_gru.build((B, T, D))
        keras_gru.set_weights([W, U, b])
        want_hs, want_h = (np.asarray(r, dtype=np.float64) for r in keras_gru(tf.constant(x)))
        if not close(hs, want_hs, RTOL, ATOL):
            diagnose_sequence(c, hs, want_hs, lambda t: ref.gru_step(
                x[:, t].astype(np.float64), np.zeros((B, H)), W64, U64, b64), np.zeros((B, H)),
                name="outputs")
        c.same("h_T", h_T, want_h, "the final state, the second output of "
               "RNN(return_state=True).", rtol=RTOL, atol=ATOL)
        config = cell.get_config()
        if config.get("units") != H:
            c.fail(f"get_config() should include units = {H}, got {config.get('units')!r}.")


def _gru_call(c, cell, x, h_prev, B, H):
    """One step, cell(inputs, [h_prev]) -> h as float64, after checking (h, [h])."""
    tf, _ = _tf()
    out = c.call(cell, tf.constant(x, tf.float32), [tf.constant(h_prev, tf.float32)],
                 hint=GRU_CELL_SHAPES)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        c.fail("call(inputs, states) should return two things, (h, [h]): the output, then "
               "the list of new states.")
    h, states = out
    if tf.is_tensor(states) or isinstance(states, np.ndarray):
        c.fail("call returns the new state as a tensor; return it as a list, (h, [h]): "
               "states arrive as a list [h_prev] (state_size = [units]) and leave as one.")
    if not isinstance(states, (tuple, list)) or len(states) != 1:
        c.fail("call should return (h, [h]): the list of new states holds the one state h.")
    got = tensors(c, (h, states[0]), ("h", "new state"), [(B, H)] * 2, ["(B, H)"] * 2)
    if not close(got[0], got[1], RTOL, ATOL):
        c.fail("call returns (output, [state]) where the output is the state h itself: the "
               "two differ.")
    return got[0]


def _check_gru_weights(c, cell, D, H):
    names = ("kernel", "recurrent_kernel", "bias")
    shapes = [(D, 3 * H), (H, 3 * H), (2, 3 * H)]
    weights = [np.asarray(w, dtype=np.float64) for w in cell.get_weights()]
    got = [w.shape for w in weights]
    if got != shapes:
        hint = (" With reset_after=True the bias has two rows, the input bias and the "
                "recurrent bias: (2, 3H)." if len(got) == 3 and got[2] == (3 * H,) else "")
        c.fail(f"after building on D = {D} features with units H = {H}, get_weights() should "
               f"give {names} of shapes {shapes} (keras.layers.GRU's layout, in that order); "
               f"got {got}.{hint}")
    kernel, recurrent, bias = weights
    c.same("bias (as initialised)", bias, np.zeros((2, 3 * H)), "the GRU's bias starts at "
           "zeros (initializer 'zeros').")
    limit = np.sqrt(6 / (D + 3 * H))
    if not (np.all(np.abs(kernel) <= limit + 1e-6) and np.std(kernel) > limit / 10):
        c.fail(f"the kernel should start glorot_uniform: uniform in +-sqrt(6 / (D + 3H)) = "
               f"+-{limit:.3g}; it has values in [{kernel.min():.3g}, {kernel.max():.3g}].")
    if not close(recurrent @ recurrent.T, np.eye(H), 1e-3, 1e-3):
        c.fail("the recurrent kernel should start orthogonal (initializer='orthogonal'): "
               "its H rows orthonormal.")


def _keras_lstm(c, B, T, D, H):
    """A built keras.layers.LSTM on the generic loop (on every device: the checks compare with
    NumPy, not with cuDNN), with the check's float32 weights; returns it and (W, U, b)."""
    _, keras = _tf()
    layer = keras.layers.LSTM(H, return_sequences=True, use_cudnn=False)
    layer.build((B, T, D))
    weights = _weights32(c, D, H)
    layer.set_weights(list(weights))
    return layer, weights


def tape_gradients(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(layer, x, dhs) -> the gradients of sum(layer(x) * dhs), in trainable_weights order."""
    tf, _ = _tf()
    with Check("tape_gradients", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        layer, (W, U, b) = _keras_lstm(c, B, T, D, H)
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


def input_saliency(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(layer, x) -> (B, T): the norm over D of d(sum of layer(x)[:, -1]) / dx[:, t]."""
    tf, _ = _tf()
    with Check("input_saliency", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        layer, (W, U, b) = _keras_lstm(c, B, T, D, H)
        x = c.randn(B, T, D).astype(np.float32)
        result = c.call(fn, layer, tf.constant(x),
                        hint="If tape.gradient returned None: x is a plain tensor, and a tape "
                             "follows only variables unless told with tape.watch(x).")
        if result is None:
            c.fail("returned None: did you forget a `return`, or is it the gradient of a "
                   "tensor the tape never watched? Call tape.watch(x) inside the `with` block.")
        if isinstance(result, (list, tuple)):
            c.fail("should return one (B, T) tensor, not a list: the norm of the gradient of "
                   "x, the input.")
        if not tf.is_tensor(result):
            c.fail(f"should return a (B, T) tensor, got a {type(result).__name__}: keep it in "
                   "TensorFlow (tf.norm).")
        got = np.asarray(result, dtype=np.float64)
        args = [a.astype(np.float64) for a in (x, np.zeros((B, H)), np.zeros((B, H)), W, U, b)]

        def dx(steps=(-1,)):
            dhs = np.zeros((B, T, H))
            dhs[:, list(steps)] = 1.0
            return ref.lstm_backward(dhs, *args)[0]

        last = dx()
        want = np.linalg.norm(last, axis=2)
        if close(got, want, 1e-3, 1e-4):
            return
        c.mistakes((got,), [
            ("the norm is over the time axis; take it over the D features of each step "
             "(axis=2), leaving (B, T).", lambda: np.linalg.norm(last, axis=1)),
            ("the batch dimension is gone: keep one saliency per example, (B, T), with the "
             "norm over axis=2 only.", lambda: np.linalg.norm(last, axis=(0, 2))),
            ("this is the squared norm: tf.norm, or the square root of the sum of squares.",
             lambda: want ** 2),
            ("this sums the gradient over D, so signs cancel: its size is the norm, tf.norm "
             "over axis=2.", lambda: last.sum(axis=2)),
            ("this is the gradient of the sum of *all* outputs: the loss reads only the last "
             "step, layer(x)[:, -1].", lambda: np.linalg.norm(dx(range(T)), axis=2)),
            ("this is the gradient of the first step's outputs: the last is layer(x)[:, -1].",
             lambda: np.linalg.norm(dx((0,)), axis=2)),
            ("the steps are reversed: return them in time order, t = 0 first.",
             lambda: want[:, ::-1]),
        ], 1e-3, 1e-4)
        got = c.array("saliency", got, (B, T), "(B, T)", dtype=None)
        t = None
        for s in reversed(range(T)):
            if not close(got[:, s], want[:, s], 1e-3, 1e-4):
                t = s
                break
        c.same("saliency", got, want, "the norm over D of the gradient of "
               "tf.reduce_sum(layer(x)[:, -1]) with respect to x; walking back from the last "
               f"step, it differs first at step {t}.", rtol=1e-3, atol=1e-4)
