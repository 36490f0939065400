"""The LSTM over a whole sequence with one matrix product per gate per step and a hand-written
backward pass: lstm_lib.tensorflow.LSTM's fast path on a CPU (its use_per_gate switch).

    hs, c_T = per_gate_lstm(x, kernel, recurrent_kernel, bias, h0, c0)
        x (T, B, D) time-major; kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), gates
        i, f, c, o as in Keras; h0, c0 (B, H). hs (T, B, H) holds every h_t (hs[-1] is h_T),
        c_T (B, H) the final cell state. Differentiable with respect to all six inputs.

It computes exactly what recurrence.scan does with LSTMCell's step (the parity tests hold both
to Keras), arranged for a CPU, where TensorFlow's executor runs independent operations on
different cores at once. Autodiff through scan leaves one core mostly idle; this function gives
both something to do:

- Four matrix products per step, one per gate, h (B, H) @ U_k (H, H), instead of chapter 08's
  one fused h @ recurrent_kernel (B, H) @ (H, 4H). They are independent, so two cores run them
  two at a time, and each gate's sigmoid or tanh runs beside the others: the chain from h_{t-1}
  to h_t, which no number of cores can shorten further, gets shorter.
- The input projection is still one matrix product outside the loop (chapter 08's hoisting): a
  batched matmul of x as (1, T*B, D) with the kernel viewed as (4, D, H) puts each gate's block
  in its own (T*B, H) slab, so nothing has to be split (copied) before the loop reads it.
- The backward pass is backpropagation through time by hand, chapter 04's (B1)-(B14), with
  tf.custom_gradient. On the chain from dh_t to dh_{t-1} lie only the gates' local derivatives
  and the four dz_k @ U_k^T. The step's share of the weight gradients (B12)-(B14) and dx_t (B10)
  are off the chain: the other core computes them while the chain goes on.

Where this departs from the book, a measurement decided it. Forward + backward under
tf.function at B=64 T=100 D=32 H=128, float32, on this book's 2-core CPU, median over 30
alternating rounds of (variant time / this function's time), with this function at 17.8 ms and
keras.layers.LSTM's generic loop at 1.26x:

    derivatives as the book writes them, dy * y * (1 - y) and dy * (1 - y**2),
        instead of TensorFlow's fused SigmoidGrad / TanhGrad kernels           1.06x
    weight gradients as three whole-sequence products after the loop
        (chapter 08's change 3) instead of accumulated inside it               1.07x
    one fused product per step (chapter 08's change 1), forward and backward   1.19x
    both of the last two                                                       1.45x

With two cores, work that runs beside the chain is free, and work after the loop is not; the
four products win for the same reason. It follows that they need the second core: measured
again with the machine's load average at 4 (other processes holding about one core), this
function took 1.09x keras.layers.LSTM's time, and one fused product per step 1.00x. Chapter 08
("One product per step, or four?") times the same choice live, at its smaller size (B=16, H=64),
as two pairs: its tf_lstm with one product per step against four, gradients by autodiff in
both, and lstm_lib.tensorflow.LSTM with use_per_gate=False (its generic loop) against True
(this function); it prints the ratios and the load average rather than asserting a winner, for
this reason.

On a GPU each operation costs a kernel launch and four small products lose to one large one,
so there the layer runs its generic loop by default (and Keras's cuDNN kernel is the one to
beat: `python -m lstm_lib.bench tensorflow` times it).
"""

import tensorflow as tf

__all__ = ["per_gate_lstm"]


def _time_array(dtype, size, element_shape=None):
    return tf.TensorArray(dtype, size=size, element_shape=element_shape)


@tf.custom_gradient
def per_gate_lstm(x, kernel, recurrent_kernel, bias, h0, c0):
    """See the module docstring. All six inputs are tensors of one floating dtype."""
    dtype, T, D, H = x.dtype, tf.shape(x)[0], x.shape[-1], recurrent_kernel.shape[0]
    batch_shape = tf.shape(x)[1:2]

    # (F1), its input part, for every step and gate: (4, T*B, H) -> (4, T, B, H).
    kernel_by_gate = tf.transpose(tf.reshape(kernel, [D, 4, H]), [1, 0, 2])  # (4, D, H)
    xw = tf.matmul(tf.reshape(x, [1, -1, D]), kernel_by_gate) + tf.reshape(bias, [4, 1, H])
    xw = tf.reshape(xw, tf.concat([[4, T], batch_shape, [H]], 0))
    xw_gates = [_time_array(dtype, T).unstack(block) for block in tf.unstack(xw)]
    U = tf.split(recurrent_kernel, 4, axis=1)  # U_i, U_f, U_c, U_o, each (H, H)
    state_shape = h0.shape

    def forward_step(t, h, c, hs, kept):
        z_i, z_f, z_c, z_o = (  # (F1), one product per gate
            xw_k.read(t) + tf.matmul(h, U_k) for xw_k, U_k in zip(xw_gates, U, strict=True)
        )
        i, f, g, o = tf.sigmoid(z_i), tf.sigmoid(z_f), tf.tanh(z_c), tf.sigmoid(z_o)  # (F2)
        c_next = f * c + i * g  # (F3)
        tanh_c = tf.tanh(c_next)
        h_next = o * tanh_c  # (F4)
        # What the backward pass reads at step t; c and h here are c_{t-1} and h_{t-1}.
        values = (i, f, g, o, tanh_c, c, h)
        kept = tuple(array.write(t, v) for array, v in zip(kept, values, strict=True))
        return t + 1, h_next, c_next, hs.write(t, h_next), kept

    kept = tuple(_time_array(dtype, T, state_shape) for _ in range(7))
    _, _, c_T, hs, kept = tf.while_loop(
        lambda t, *_: t < T,
        forward_step,
        (tf.constant(0), h0, c0, _time_array(dtype, T, state_shape), kept),
        maximum_iterations=T,
    )
    hs_stacked = hs.stack()

    def backward(d_hs, d_c_T):
        d_hs = tf.zeros_like(hs_stacked) if d_hs is None else d_hs
        d_c_T = tf.zeros_like(c0) if d_c_T is None else d_c_T
        d_hs_steps = _time_array(dtype, T).unstack(d_hs)
        x_steps = _time_array(dtype, T).unstack(x)

        def backward_step(t, dh_next, dc_next, d_kernel, d_recurrent, d_bias, dx):
            i, f, g, o, tanh_c, c_prev, h_prev = (array.read(t) for array in kept)
            dh = d_hs_steps.read(t) + dh_next  # from the output h_t, and from step t + 1
            # SigmoidGrad(y, dy) = dy * y * (1 - y) and TanhGrad(y, dy) = dy * (1 - y**2): the
            # book's derivatives, each one fused kernel (see the module docstring's timings).
            dc = dc_next + tf.raw_ops.TanhGrad(y=tanh_c, dy=dh * o)  # (B2)
            dz = [
                tf.raw_ops.SigmoidGrad(y=i, dy=dc * g),  # (B3), (B7)
                tf.raw_ops.SigmoidGrad(y=f, dy=dc * c_prev),  # (B4), (B7)
                tf.raw_ops.TanhGrad(y=g, dy=dc * i),  # (B5), (B8)
                tf.raw_ops.SigmoidGrad(y=o, dy=dh * tanh_c),  # (B1), (B7)
            ]
            # The chain: (B11) dh_{t-1} = dz @ recurrent_kernel^T, as four independent products.
            dh_prev = tf.add_n(
                [tf.matmul(dz_k, U_k, transpose_b=True) for dz_k, U_k in zip(dz, U, strict=True)]
            )
            # Off the chain: this step's share of the weight gradients, and dx_t.
            dz = tf.concat(dz, axis=-1)  # (B9), (B, 4H)
            x_t = x_steps.read(t)
            return (
                t - 1,
                dh_prev,
                dc * f,  # (B6)
                d_kernel + tf.matmul(x_t, dz, transpose_a=True),  # (B12)
                d_recurrent + tf.matmul(h_prev, dz, transpose_a=True),  # (B13)
                d_bias + tf.reduce_sum(dz, axis=0),  # (B14)
                dx.write(t, tf.matmul(dz, kernel, transpose_b=True)),  # (B10)
            )

        _, dh0, dc0, d_kernel, d_recurrent, d_bias, dx = tf.while_loop(
            lambda t, *_: t >= 0,
            backward_step,
            (
                T - 1,
                tf.zeros_like(h0),
                d_c_T,
                tf.zeros_like(kernel),
                tf.zeros_like(recurrent_kernel),
                tf.zeros_like(bias),
                _time_array(dtype, T, x.shape[1:]),
            ),
            maximum_iterations=T,
        )
        return dx.stack(), d_kernel, d_recurrent, d_bias, dh0, dc0

    return (hs_stacked, c_T), backward
