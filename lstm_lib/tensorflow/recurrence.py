"""The time loop: run a cell's step over a sequence inside the graph, with Keras's masking.

Two ways to write it, with the same arguments and results:

    scan    a tf.while_loop over TensorArrays: inside tf.function (and so inside model.fit) it is
            one graph loop, and tf.GradientTape differentiates through it - autodiff does
            backpropagation through time
    unroll  the same loop written out, one copy of the step per time step (unroll=True in
            Keras): T must be known when the graph is built; no loop, a bigger graph
"""

import tensorflow as tf


def scan(step, xw, states, mask=None, return_sequences=True, zero_output_for_mask=False):
    """Run step(xw_t, states) -> (h, new_states) for t = 0 .. T-1.

    xw: (T, B, G*H), time-major, the inputs already projected (cell.project).
    states: list of (B, H), the initial states.
    mask: (T, B) bool or None. At a masked step (False) the states are carried over unchanged
        and the output repeats the previous output - zeros before the first unmasked step,
        whatever the initial state - exactly as keras.layers.RNN does on the CPU; or, with
        zero_output_for_mask (which keras.layers.Bidirectional sets), the output is zeros.
    Returns (outputs (T, B, H) if return_sequences else the last output (B, H), final states).
    """
    T = tf.shape(xw)[0]
    # clear_after_read=False: run eagerly, a TensorArray forgets what was read (see _seed_gradient).
    inputs = tf.TensorArray(xw.dtype, size=T, clear_after_read=False).unstack(xw)
    masks = None if mask is None else tf.TensorArray(tf.bool, size=T).unstack(mask[..., None])
    outputs = tf.TensorArray(xw.dtype, size=T, element_shape=states[0].shape)

    def body(t, inputs, last, states, outputs):
        h, new_states = step(inputs.read(t), states)
        if masks is not None:
            h, new_states = _masked(masks.read(t), h, new_states, last, states,
                                    zero_output_for_mask)  # fmt: skip
        if return_sequences:
            outputs = outputs.write(t, h)
        return t + 1, inputs, h, new_states, outputs

    _, inputs, last, states, outputs = tf.while_loop(
        lambda t, *_: t < T,
        body,
        (tf.constant(0), inputs, tf.zeros_like(states[0]), list(states), outputs),
        parallel_iterations=32,
        maximum_iterations=T,
    )
    states = [_seed_gradient(inputs, states[0]), *states[1:]]  # for callers using only states
    if return_sequences:
        outputs = outputs.write(0, _seed_gradient(inputs, outputs.read(0)))
        return outputs.stack(), states
    return _seed_gradient(inputs, last), states


def unroll(step, xw, states, mask=None, return_sequences=True, zero_output_for_mask=False):
    """scan's loop written out: step(xw_t, states) -> (h, new_states) for t = 0 .. T-1, as T
    copies in the graph. Same arguments and results as scan; xw's T must be static."""
    last, outputs = tf.zeros_like(states[0]), []
    for t in range(xw.shape[0]):
        h, new_states = step(xw[t], states)
        if mask is not None:
            h, new_states = _masked(mask[t][:, None], h, new_states, last, states,
                                    zero_output_for_mask)  # fmt: skip
        last, states = h, new_states
        outputs.append(h)
    return (tf.stack(outputs) if return_sequences else last), states


def _masked(m, h, new_states, last, states, zero_output_for_mask):
    """Keras's masking at one step, m (B, 1) broadcast over units: where m is False, the output
    is the previous output (or zeros) and the states carry over."""
    h = tf.where(m, h, tf.zeros_like(h) if zero_output_for_mask else last)
    new_states = [tf.where(m, new, old) for new, old in zip(new_states, states, strict=True)]
    return h, new_states


def _seed_gradient(inputs, y):
    """y, unchanged, but joined to the TensorArray of inputs by a selection never taken.

    Why: when nothing downstream uses the inputs TensorArray that leaves the loop, autodiff
    starts its gradient as T zero tensors of (B, G*H). Used here, however idly, its gradient
    starts as an empty list, and each step's gradient is simply put in its slot. Measured
    without it, forward + backward under tf.function, B=64 T=100 D=32 H=128, float32, on this
    book's 2-core CPU, median over 30-40 alternating rounds of (time without / time with):
    GRU 1.03x and 1.04x, masked LSTM 1.06x and 1.08x (two runs each), SimpleRNN 0.99x.
    """
    never = tf.zeros((), tf.bool)
    return tf.where(never, inputs.read(0)[:, : y.shape[-1]], y)
