"""The three recurrent cells as Keras layers: their weights and one time step, in raw TF ops.

Shapes: B batch, T time, D input features, H units. Each cell splits its work in two, so that a
sequence layer can hoist the part that does not depend on the past out of the time loop:

    xw = cell.project(x)              x (..., D) -> (..., G*H): x @ kernel (+ input bias), for
                                      all time steps at once, one matmul
    step = cell.step_fn()             step(xw_t, states) -> (h, new_states): the recurrence,
                                      xw_t (B, G*H), states a list of (B, H)
    (both take the dropout masks in training: project(x, x_mask), step_fn(h_mask))

`cell(inputs, states, training)` does both for a single step, like keras.layers.LSTMCell.

Weights are stored exactly as Keras 3 stores them (names, shapes, gate order, initializers):

    SimpleRNNCell  kernel (D, H)    recurrent_kernel (H, H)    bias (H,)
    LSTMCell       kernel (D, 4H)   recurrent_kernel (H, 4H)   bias (4H,)     gates i, f, c, o
    GRUCell        kernel (D, 3H)   recurrent_kernel (H, 3H)   bias (2, 3H)   gates z, r, h;
                   bias[0] is added to x @ kernel, bias[1] to h @ recurrent_kernel (reset_after);
                   with reset_after=False, bias (3H,), added to x @ kernel

Dropout, as Keras's cells do it (variational: masks drawn once per sequence, the same at every
step, applied only in training): `dropout` multiplies the inputs x_t by a mask (B, D) before
x @ kernel, `recurrent_dropout` multiplies h by a mask (B, H) before h @ recurrent_kernel. How
many masks, as Keras's cells decide it:

    SimpleRNNCell                    one on the inputs, one on h
    LSTMCell, GRUCell                one on the inputs, shared by all gates (Keras's fused
                                     implementation 2, the default)
    LSTMCell, GRUCell with           one per gate on the inputs and one per gate on h (4 for
      implementation=1, or any       the LSTM, gates i f c o; 3 for the GRU, z r h), each
      recurrent_dropout > 0          multiplying its own copy before that gate's block of
      (Keras then switches to 1)     the product (project's x_mask, step_fn's h_mask)

The masks come from the cell's seed generator, keras.random.SeedGenerator(seed), in Keras's
order: the input masks gate by gate, then the masks on h; the same seed gives Keras's masks. A
cell draws them on the first step of a sequence and keeps them until reset_dropout_mask() /
reset_recurrent_dropout_mask(); keras.layers.RNN draws them before its loop (whenever a rate
is above 0, in inference too) and resets them after each call, because the cells carry Keras's
DropoutRNNCell mark, by which it recognises cells that drop. The layers in layers.py draw the
same masks from the same seed generator at the same moment, uncached.
"""

import keras
import tensorflow as tf

# Only a mark here (its four methods are overridden below): keras.layers.RNN prepares and clears
# the dropout masks of exactly the cells that are instances of it.
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from . import checks


class _Cell(keras.layers.Layer, DropoutRNNCell):
    """What the three cells share: arguments, weights, the input projection, dropout, the
    config."""

    gates = 1  # blocks of H columns in kernel and recurrent_kernel
    # As Keras's DropoutRNNCell reads it: None, one mask for all gates; G, one mask per gate.
    dropout_mask_count = None

    def __init__(
        self,
        units,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.units = int(units)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        # Per weight, as Keras's add_weight takes them: a regularizer's penalty joins
        # layer.losses at every call; a constraint projects the weight after each optimizer step.
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.dropout = checks.check_rate(where, "dropout", dropout)
        self.recurrent_dropout = checks.check_rate(where, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._dropout_mask = self._recurrent_dropout_mask = None  # drawn once per sequence

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        D, GH = input_shape[-1], self.gates * self.units
        self.kernel = self.add_weight(
            shape=(D, GH), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, GH), name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
        )  # fmt: skip
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.bias_shape(), name="bias", initializer=self.bias_init(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip

    def bias_shape(self):
        return (self.gates * self.units,)

    def bias_init(self):
        return self.bias_initializer

    def read(self, weight):
        """The weight as a tensor in the compute dtype, read once per call, not once per step."""
        return tf.cast(weight, self.compute_dtype)

    def input_bias(self):
        return None if self.bias is None else self.read(self.bias)

    def project(self, x, x_mask=None):
        """x (..., D) -> x @ kernel + input bias, (..., G*H): one (N, D) @ (D, G*H) matmul for
        all N = T*B rows at once. x_mask, if given, is the input dropout (dropout_mask): (B, D)
        multiplies x, or a list of G (B, D), one per gate, each multiplies its own copy of x
        before that gate's block of the kernel (then G matmuls). x is (T, B, D) or (B, D)."""
        shape = tf.shape(x)
        W = self.read(self.kernel)
        if isinstance(x_mask, list):  # gate g's block of x @ kernel from its own copy, x * m_g
            blocks = tf.split(W, len(x_mask), axis=1)
            xw = tf.concat(
                [tf.matmul(_rows(x * m), W_g) for m, W_g in zip(x_mask, blocks, strict=True)],
                axis=-1,
            )
        else:
            xw = tf.matmul(_rows(x if x_mask is None else x * x_mask), W)
        b = self.input_bias()
        if b is not None:
            xw = tf.nn.bias_add(xw, b)
        return tf.reshape(xw, tf.concat([shape[:-1], [xw.shape[-1]]], 0))

    def step_fn(self, h_mask=None):
        """The recurrence step(xw_t, states) -> (h, new_states), with the recurrent weights
        read once. h_mask, if given, is the recurrent dropout (dropout_mask): (B, H) multiplies
        h before h @ recurrent_kernel, or a list of G (B, H), one per gate, each multiplies its
        own copy of h before that gate's block of recurrent_kernel."""
        raise NotImplementedError

    def dropout_mask(self, like, rate):
        """Fresh masks shaped like `like` (B, D) or (B, H): 0 with probability rate, else
        1 / (1 - rate), so that the expected input is unchanged. One mask, or with
        dropout_mask_count = G a list of G, drawn one after the other from the seed generator,
        as Keras's DropoutRNNCell draws them."""
        ones = tf.ones_like(like, dtype=self.compute_dtype)
        if self.dropout_mask_count is None:
            return keras.random.dropout(ones, rate, seed=self.seed_generator)
        return [
            keras.random.dropout(ones, rate, seed=self.seed_generator)
            for _ in range(self.dropout_mask_count)
        ]

    def get_dropout_mask(self, step_input):
        """The input mask(s) of this sequence (B, D): drawn at its first step, then reused."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self.dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, h):
        """The mask(s) on h of this sequence (B, H): drawn at its first step, then reused."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self.dropout_mask(h, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """The next sequence draws a new input mask."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """The next sequence draws a new mask on h."""
        self._recurrent_dropout_mask = None

    def call(self, inputs, states, training=False):
        """One time step, as keras.layers.*Cell: inputs (B, D), states a list of (B, H)."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        x_mask = h_mask = None
        if training and self.dropout > 0:
            x_mask = self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            h_mask = self.get_recurrent_dropout_mask(states[0])
        return self.step_fn(h_mask)(self.project(inputs, x_mask), states)

    def _set_implementation(self, implementation):
        """Keras's legacy implementation argument (LSTM and GRU cells), kept for the one thing
        it still decides: with 1, and always when recurrent_dropout > 0 (Keras forces 1 then),
        the masks are one per gate; with 0 or 2, one input mask for all gates."""
        self.implementation = checks.check_implementation(type(self).__name__, implementation)
        if self.recurrent_dropout > 0:
            self.implementation = 1
        self.dropout_mask_count = self.gates if self.implementation == 1 else None

    def get_initial_state(self, batch_size=None):
        n = len(self.state_size) if isinstance(self.state_size, list) else 1
        return [tf.zeros((batch_size, self.units), self.compute_dtype) for _ in range(n)]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": keras.constraints.serialize(self.recurrent_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


def _rows(x):
    """x (..., D) as rows (N, D), for one 2-D matmul."""
    return tf.reshape(x, [-1, x.shape[-1]])


def _product(U, h_mask):
    """h -> h @ U for h (B, H), U (H, G*H), with the recurrent dropout on h: h_mask None; one
    mask (B, H) for all gates; or a list of G masks, one per gate: [(h m_1) @ U_1 | ... |
    (h m_G) @ U_G], U_g the gate's block of H columns (Keras's implementation=1). Made once per
    call, so that U is split outside the time loop."""
    if h_mask is None:
        return lambda h: tf.matmul(h, U)
    if not isinstance(h_mask, list):
        return lambda h: tf.matmul(h * h_mask, U)
    blocks = tf.split(U, len(h_mask), axis=1)
    return lambda h: tf.concat(
        [tf.matmul(h * m, U_g) for m, U_g in zip(h_mask, blocks, strict=True)], axis=-1
    )


@keras.saving.register_keras_serializable(package="lstm_lib")
class SimpleRNNCell(_Cell):
    """h' = tanh(x W + h U + b)."""

    def step_fn(self, h_mask=None):
        recurrent = _product(self.read(self.recurrent_kernel), h_mask)  # h -> h U

        def step(xw_t, states):
            (h,) = states
            h = tf.tanh(xw_t + recurrent(h))
            return h, [h]

        return step


@keras.saving.register_keras_serializable(package="lstm_lib")
class LSTMCell(_Cell):
    """z = x W + h U + b -> [i|f|c|o];  c' = f*c + i*g;  h' = o*tanh(c'), with i, f, o = sigmoid
    and g = tanh of their blocks. States [h, c]."""

    gates = 4

    def __init__(self, units, unit_forget_bias=True, implementation=2, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._set_implementation(implementation)

    @property
    def state_size(self):
        return [self.units, self.units]

    def bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        H, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # As Keras: the forget block starts at 1, so the cell remembers by default.
            return tf.concat([init((H,), dtype), tf.ones((H,), dtype), init((2 * H,), dtype)], 0)

        return forget_bias_one

    def step_fn(self, h_mask=None):
        recurrent = _product(self.read(self.recurrent_kernel), h_mask)  # h -> h U, (B, 4H)

        def step(xw_t, states):
            h, c = states
            z = xw_t + recurrent(h)  # (B, 4H), all gates at once
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(z_f) * c + tf.sigmoid(z_i) * tf.tanh(z_c)
            h = tf.sigmoid(z_o) * tf.tanh(c)
            return h, [h, c]

        return step

    def get_config(self):
        return {
            **super().get_config(),
            "unit_forget_bias": self.unit_forget_bias,
            "implementation": self.implementation,
        }


@keras.saving.register_keras_serializable(package="lstm_lib")
class GRUCell(_Cell):
    """Keras's GRU. reset_after=True (Keras's default): the reset gate multiplies h U + b_rec,
    after the matmul.  z, r = sigmoid(x W + b_in + h U + b_rec) blocks;  h~ = tanh(x W_h +
    b_in,h + r * (h U_h + b_rec,h));  h' = z*h + (1 - z)*h~.  reset_after=False (Cho et al.,
    2014): one bias (3H,), and the reset gate multiplies h before it:  h~ = tanh(x W_h + b_h +
    (r * h) U_h)."""

    gates = 3

    def __init__(self, units, reset_after=True, implementation=2, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)
        self._set_implementation(implementation)

    def bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_bias(self):
        if self.bias is None or not self.reset_after:
            return super().input_bias()
        return self.read(self.bias)[0]

    def step_fn(self, h_mask=None):
        if not self.reset_after:
            return self._reset_before_step_fn(h_mask)
        recurrent = _product(self.read(self.recurrent_kernel), h_mask)  # h -> h U, (B, 3H)
        b_rec = None if self.bias is None else self.read(self.bias)[1]

        def step(xw_t, states):
            (h,) = states
            u = recurrent(h)  # (B, 3H), the recurrent part
            if b_rec is not None:
                u = tf.nn.bias_add(u, b_rec)
            a_z, a_r, a_h = tf.split(xw_t, 3, axis=-1)  # the input part, chapter 10's a
            u_z, u_r, u_h = tf.split(u, 3, axis=-1)
            z = tf.sigmoid(a_z + u_z)  # update gate
            r = tf.sigmoid(a_r + u_r)  # reset gate
            h_tilde = tf.tanh(a_h + r * u_h)
            h = z * h + (1 - z) * h_tilde
            return h, [h]

        return step

    def _reset_before_step_fn(self, h_mask):
        """reset_after=False: r * h has to exist before its product with U_h, so the step takes
        two products, h @ U_zr (B, 2H) and then (r * h) @ U_h (B, H). With a mask per gate,
        h_mask[2] is the candidate's: (r * h * m_h) @ U_h, as Keras."""
        U = self.read(self.recurrent_kernel)
        U_zr, U_h = U[:, : 2 * self.units], U[:, 2 * self.units :]
        per_gate = isinstance(h_mask, list)
        recurrent_zr = _product(U_zr, h_mask[:2] if per_gate else h_mask)
        m_h = h_mask[2] if per_gate else h_mask

        def step(xw_t, states):
            (h,) = states
            a_z, a_r, a_h = tf.split(xw_t, 3, axis=-1)
            u_z, u_r = tf.split(recurrent_zr(h), 2, axis=-1)
            z = tf.sigmoid(a_z + u_z)  # update gate
            r = tf.sigmoid(a_r + u_r)  # reset gate
            h_tilde = tf.tanh(a_h + tf.matmul(r * (h if m_h is None else h * m_h), U_h))
            h = z * h + (1 - z) * h_tilde
            return h, [h]

        return step

    def get_config(self):
        return {
            **super().get_config(),
            "reset_after": self.reset_after,
            "implementation": self.implementation,
        }
