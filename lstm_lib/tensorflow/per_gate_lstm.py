"""The LSTM over a whole sequence with a hand-written backward pass: the path that
lstm_lib.tensorflow.LSTM takes when no step is masked and there is no recurrent dropout.

    hs, c_T = lstm_sequence(x, kernel, recurrent_kernel, bias, h0, c0)
        x (T, B, D) time-major; kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), gates
        i, f, c, o as in Keras; h0, c0 (B, H). hs (T, B, H) holds every h_t (hs[-1] is h_T),
        c_T (B, H) the final cell state. Differentiable with respect to all six inputs.

It computes exactly what recurrence.scan does with LSTMCell's step (the parity tests hold both
to Keras), so why a second path? Speed on a CPU, where TensorFlow's executor runs independent
operations on different cores at once. Autodiff through scan leaves one core mostly idle; this
function arranges the work so that both have something to do:

- Four matrix products per step, one per gate, h (B, H) @ U_k (H, H), instead of one
  h @ recurrent_kernel (B, H) @ (H, 4H). They are independent, so two cores run them two at a
  time, and each gate's elementwise work (its sigmoid or tanh) runs beside the others. The
  chain from h_{t-1} to h_t, which no amount of cores can shorten further, gets shorter.
- The input projection is still one matrix product outside the loop: a batched matmul of x as
  (1, T*B, D) with the kernel viewed as (4, D, H) puts each gate's block in its own (T*B, H)
  slab, so nothing has to be split (copied) before the loop reads it.
- The backward pass is backpropagation through time by hand, as in lstm_lib.numpy, with
  tf.custom_gradient. On the chain from dh_t to dh_{t-1} lie only the gates' local
  derivatives and the four dz_k @ U_k^T. The step's contributions to the weight gradients
  (x_t^T dz, h_{t-1}^T dz, the sum of dz) and dx_t = dz kernel^T are separate operations that
  the other core computes while the chain goes on, accumulated as the loop runs.

`python -m lstm_lib.bench tensorflow` measures the result against keras.layers.LSTM. On a GPU,
where each operation costs a kernel launch, four small products per step may lose to one
large one: there Keras's cuDNN path is the one to use (the benchmark compares with it).
"""

import tensorflow as tf

__all__ = ["lstm_sequence"]


def _time_array(dtype, size, element_shape=None):
    return tf.TensorArray(dtype, size=size, element_shape=element_shape)


@tf.custom_gradient
def lstm_sequence(x, kernel, recurrent_kernel, bias, h0, c0):
    """See the module docstring. All six inputs are tensors of one floating dtype."""
    dtype, T, D, H = x.dtype, tf.shape(x)[0], x.shape[-1], recurrent_kernel.shape[0]
    batch_shape = tf.shape(x)[1:2]

    # Forward. The input part of every step for every gate: (4, T*B, H) -> (4, T, B, H).
    kernel_by_gate = tf.transpose(tf.reshape(kernel, [D, 4, H]), [1, 0, 2])  # (4, D, H)
    xw = tf.matmul(tf.reshape(x, [1, -1, D]), kernel_by_gate) + tf.reshape(bias, [4, 1, H])
    xw = tf.reshape(xw, tf.concat([[4, T], batch_shape, [H]], 0))
    xw_gates = [_time_array(dtype, T).unstack(block) for block in tf.unstack(xw)]
    U = tf.split(recurrent_kernel, 4, axis=1)  # U_i, U_f, U_c, U_o, each (H, H)
    state_shape = h0.shape

    def forward_step(t, h, c, hs, kept):
        z_i, z_f, z_c, z_o = (
            xw_k.read(t) + tf.matmul(h, U_k) for xw_k, U_k in zip(xw_gates, U, strict=True)
        )
        i, f, g, o = tf.sigmoid(z_i), tf.sigmoid(z_f), tf.tanh(z_c), tf.sigmoid(z_o)
        c_next = f * c + i * g
        tanh_c = tf.tanh(c_next)
        h_next = o * tanh_c
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
            # h = o * tanh(c);  c = f * c_prev + i * g;  the *Grad ops are the derivatives of
            # sigmoid and tanh written with their outputs: dy * y * (1 - y), dy * (1 - y**2).
            dc = dc_next + tf.raw_ops.TanhGrad(y=tanh_c, dy=dh * o)
            dz = [
                tf.raw_ops.SigmoidGrad(y=i, dy=dc * g),
                tf.raw_ops.SigmoidGrad(y=f, dy=dc * c_prev),
                tf.raw_ops.TanhGrad(y=g, dy=dc * i),
                tf.raw_ops.SigmoidGrad(y=o, dy=dh * tanh_c),
            ]
            # The chain: dh_{t-1} = dz @ recurrent_kernel^T, as four independent products.
            dh_prev = tf.add_n(
                [tf.matmul(dz_k, U_k, transpose_b=True) for dz_k, U_k in zip(dz, U, strict=True)]
            )
            # Off the chain: this step's share of the weight gradients, and dx_t.
            dz = tf.concat(dz, axis=-1)  # (B, 4H)
            x_t = x_steps.read(t)
            return (
                t - 1,
                dh_prev,
                dc * f,
                d_kernel + tf.matmul(x_t, dz, transpose_a=True),
                d_recurrent + tf.matmul(h_prev, dz, transpose_a=True),
                d_bias + tf.reduce_sum(dz, axis=0),
                dx.write(t, tf.matmul(dz, kernel, transpose_b=True)),
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
