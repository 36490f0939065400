"""SimpleRNN, LSTM and GRU: sequence layers, drop-in for keras.layers.* on the common arguments.

    layer = LSTM(units, return_sequences=False, return_state=False, go_backwards=False,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, zero_output_for_mask=False, unroll=False,
                 stateful=False, use_per_gate="auto", implementation=2)
    y = layer(x, initial_state=None, mask=None, training=None)
        x (B, T, D) -> y (B, T, H) if return_sequences else (B, H);
        with return_state: [y, h_T, c_T] (LSTM) or [y, h_T] (GRU, SimpleRNN)

How a call runs: x is made time-major, projected for all steps at once (x @ kernel + b, one
matmul, outside the loop), then recurrence.scan runs the cell's step over time. Gradients come
from tf.GradientTape through that loop. Dropout is variational, as in Keras: masks drawn once a
call on the inputs (dropout) and on h before h @ recurrent_kernel (recurrent_dropout), the same
at every time step, applied only when training; the LSTM and GRU draw one per gate when
recurrent_dropout > 0 or implementation=1, as Keras's cells do (cells.py). They come from the
cell's seed generator in the order and at the moment keras.layers.RNN draws them (at every call
where a rate is above 0, in inference too), so a layer and Keras's with the same seed and
weights drop the same units.
Regularizers and constraints sit on the cell's weights (Keras's add_weight does the rest:
penalties in layer.losses, constraints applied after each optimizer step); activity_regularizer
goes to keras.layers.Layer, which penalises the outputs. stateful=True (a fixed batch size)
starts each call where the last one ended, batch index by batch index, until
layer.reset_states() sets zeros or given values. Keras arguments that are not implemented are
accepted at their default value only (see checks.py).

The LSTM has a second path, chosen as keras.layers.LSTM chooses cuDNN, with a switch of the
same kind: use_per_gate="auto" (the default) runs per_gate_lstm.py, the same arithmetic as four
products per step with backpropagation through time written by hand, when the layer's weights
are on a CPU, where it is faster, and the generic loop on any other device; True runs it on
every device; False never. A call with a mask, or recurrent dropout or input masks per gate
(implementation=1) while training, or a layer with unroll=True (the generic step written out T
times, recurrence.unroll), needs the generic step: "auto" falls back to it, True raises a
ValueError saying why.
"""

import numbers

import keras
import tensorflow as tf

from . import checks
from .cells import GRUCell, LSTMCell, SimpleRNNCell
from .per_gate_lstm import per_gate_lstm
from .recurrence import scan, unroll


class _Recurrent(keras.layers.Layer):
    """A cell run over time: the arguments, checks, masking and config the three layers share."""

    cell_class = None
    cell_name = None  # as Keras names it, so weight paths read lstm/lstm_cell/kernel
    state_names = ("h",)
    # Of checks.NOT_IMPLEMENTED, the arguments this layer's Keras twin does not take either.
    not_in_keras = ("recurrent_activation", "implementation", "use_cudnn")
    # (the LSTM and GRU, which take implementation, override not_in_keras without it)

    def __init__(
        self,
        units,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
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
        zero_output_for_mask=False,
        unroll=False,
        stateful=False,
        cell_kwargs=None,
        **kwargs,
    ):
        where = type(self).__name__
        kwargs = checks.refuse_unsupported(where, kwargs, self.not_in_keras)
        if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{where}: units must be a positive integer, got {units!r}")
        # Keras's legacy switch between orderings of the same arithmetic (LSTM and GRU only):
        # accepted and kept in the config, so saved models load. Without dropout it changes
        # nothing; the cell takes it too, and with 1 draws the dropout masks per gate, as Keras's.
        self.implementation = None
        if "implementation" not in self.not_in_keras:
            self.implementation = checks.check_implementation(
                where, kwargs.pop("implementation", 2)
            )
            cell_kwargs = {**(cell_kwargs or {}), "implementation": self.implementation}
        dropout = checks.check_rate(where, "dropout", dropout)
        recurrent_dropout = checks.check_rate(where, "recurrent_dropout", recurrent_dropout)
        super().__init__(**kwargs)
        # The cell holds the dropout rates and the seed generator, as Keras's cells do.
        self.cell = self.cell_class(
            int(units), use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=self.dtype_policy, name=self.cell_name,
            **(cell_kwargs or {}),
        )  # fmt: skip
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.unroll = bool(unroll)
        # stateful: the final states of a call are the next call's initial states, per batch
        # index, kept in self.states (variables made by build, not weights) until reset_states.
        self.stateful, self.states = bool(stateful), None
        self.supports_masking = True
        self._compiled_run = None

    @property
    def units(self):
        return self.cell.units

    @property
    def dropout(self):
        return self.cell.dropout

    @property
    def recurrent_dropout(self):
        return self.cell.recurrent_dropout

    @property
    def seed(self):
        return self.cell.seed

    def build(self, sequences_shape, initial_state_shape=None):
        checks.check_inputs(type(self).__name__, sequences_shape)
        if self.unroll:
            checks.check_steps_known(type(self).__name__, sequences_shape)
        if not self.cell.built:
            self.cell.build((None, sequences_shape[-1]))
        if self.stateful:
            self._build_states(sequences_shape[0])

    def _build_states(self, batch):
        """stateful=True: one (batch, H) variable per state, zeros; kept out of self.weights (as
        Keras keeps them), so get_weights and set_weights stay [kernel, recurrent, bias]."""
        where = type(self).__name__
        if batch is None:
            raise ValueError(
                f"{where}: stateful=True needs a fixed batch size (keras.Input(batch_shape=...) "
                "or batch_size=...), got a batch size of None"
            )
        if self.states is not None:
            self.reset_states()
            return
        with tf.init_scope():  # made once, outside any graph being traced
            states = [
                tf.Variable(tf.zeros((batch, self.units), self.variable_dtype), trainable=False,
                            name=f"{self.name}_state_{name}")
                for name in self.state_names
            ]  # fmt: skip
        self.states = tuple(states)

    def reset_states(self, states=None):
        """stateful=True: the next call starts from zeros, or from states (one (batch, H) array
        per state, [h, c] for the LSTM)."""
        where = type(self).__name__
        if self.states is None:
            if states is None:
                return  # as Keras: nothing kept, nothing to reset
            raise ValueError(f"{where}: reset_states(states) needs a built stateful=True layer")
        batch = self.states[0].shape[0]
        if states is None:
            states = [tf.zeros_like(v) for v in self.states]
        states = checks.check_initial_state(where, states, self.state_names, self.units, batch)
        for v, s in zip(self.states, states, strict=True):
            v.assign(tf.cast(s, v.dtype))

    def reset_state(self, states=None):
        """Keras 3's name for reset_states."""
        self.reset_states(states)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        where, H = type(self).__name__, self.units
        checks.check_inputs(where, sequences.shape, self.cell.kernel.shape[0])
        B, T = sequences.shape[0], sequences.shape[1]
        if self.unroll:
            checks.check_steps_known(where, sequences.shape)
        if self.stateful:
            checks.check_stateful_batch(where, self.states[0].shape[0], B)
        if initial_state is not None:
            initial_state = checks.check_initial_state(where, initial_state, self.state_names, H, B)
        if mask is not None:
            checks.check_mask(where, mask, B, T)
        run = self._run
        if tf.executing_eagerly():
            # Called outside tf.function: run the loop as one compiled graph all the same.
            if self._compiled_run is None:
                self._compiled_run = tf.function(self._run, reduce_retracing=True)
            run = self._compiled_run
        return run(sequences, initial_state, mask, bool(training))

    def _run(self, x, initial_state, mask, training):
        H = self.units
        batch = x.shape[0] if x.shape[0] is not None else tf.shape(x)[0]
        if initial_state is None and self.stateful:
            states = [tf.cast(v, self.compute_dtype) for v in self.states]
        elif initial_state is None:
            states = [tf.zeros((batch, H), self.compute_dtype) for _ in self.state_names]
        else:
            states = [tf.cast(s, self.compute_dtype) for s in initial_state]

        x = tf.transpose(tf.cast(x, self.compute_dtype), [1, 0, 2])  # (T, B, D)
        if mask is not None:
            mask = tf.transpose(tf.cast(mask, tf.bool))  # (T, B)
        if self.go_backwards:
            x = tf.reverse(x, [0])
            mask = None if mask is None else tf.reverse(mask, [0])

        # The cell's masks, drawn afresh for this call as keras.layers.RNN draws them: whenever
        # the rate is above 0, training or not (so the seed generator moves as Keras's), inputs
        # first, then h; one mask or a list, one per gate (cell.dropout_mask_count).
        x_mask = h_mask = None
        if self.dropout > 0:
            x_mask = self.cell.dropout_mask(x[0], self.dropout)  # (B, D), same at every step
        if self.recurrent_dropout > 0:
            h_mask = self.cell.dropout_mask(states[0], self.recurrent_dropout)  # (B, H)
        if not training:
            x_mask = h_mask = None  # only training drops

        fast = self._fast_path(x, states, mask, x_mask, h_mask)
        if fast is not None:
            hs, states = fast
            y = hs if self.return_sequences else states[0]
        else:
            xw = self.cell.project(x, x_mask)  # (T, B, G*H): every step's input part at once
            step = self.cell.step_fn(h_mask)
            loop = unroll if self.unroll else scan
            y, states = loop(
                step, xw, states, mask, self.return_sequences, self.zero_output_for_mask
            )
        if self.stateful:  # the next call starts here
            for v, s in zip(self.states, states, strict=True):
                v.assign(tf.cast(s, v.dtype))
        if self.return_sequences:
            y = tf.transpose(y, [1, 0, 2])  # (B, T, H)
        return (y, *states) if self.return_state else y

    def _fast_path(self, x, states, mask, x_mask, h_mask):
        """A faster way to run this call, or None for the generic loop: x (T, B, D) time-major,
        states a list of (B, H), the dropout masks as project and step_fn take them ->
        (hs (T, B, H), final states). Only the LSTM has one."""
        return None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        B, T = sequences_shape[0], sequences_shape[1]
        y = (B, T, self.units) if self.return_sequences else (B, self.units)
        if self.return_state:
            return (y, *[(B, self.units) for _ in self.state_names])
        return y

    def compute_mask(self, sequences, mask=None):
        # As keras.layers.RNN: the time mask passes on with the sequence it belongs to.
        y_mask = mask if self.return_sequences else None
        if self.return_state:
            return [y_mask] + [None for _ in self.state_names]
        return y_mask

    def get_config(self):
        cell = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell.pop(key, None)
        config = {
            **super().get_config(),
            **cell,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "zero_output_for_mask": self.zero_output_for_mask,
            "unroll": self.unroll,
            "stateful": self.stateful,
        }
        if self.implementation is not None:
            config["implementation"] = self.implementation
        return config


@keras.saving.register_keras_serializable(package="lstm_lib")
class SimpleRNN(_Recurrent):
    """A fully connected RNN, h' = tanh(x W + h U + b); drop-in for keras.layers.SimpleRNN."""

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"


@keras.saving.register_keras_serializable(package="lstm_lib")
class LSTM(_Recurrent):
    """Long Short-Term Memory (Hochreiter & Schmidhuber, 1997); drop-in for keras.layers.LSTM.
    States [h, c]; unit_forget_bias=True starts the forget-gate bias at 1, as Keras does."""

    cell_class = LSTMCell
    cell_name = "lstm_cell"
    state_names = ("h", "c")
    not_in_keras = ()

    def __init__(self, units, unit_forget_bias=True, use_per_gate="auto", **kwargs):
        if not (use_per_gate is True or use_per_gate is False or use_per_gate == "auto"):
            raise ValueError(
                f"LSTM: use_per_gate must be 'auto', True or False, got {use_per_gate!r}"
            )
        super().__init__(units, cell_kwargs={"unit_forget_bias": unit_forget_bias}, **kwargs)
        self.use_per_gate = use_per_gate

    def _fast_path(self, x, states, mask, x_mask, h_mask):
        """per_gate_lstm.py's sequence, as use_per_gate says (see the module docstring)."""
        if self.use_per_gate is False:
            return None
        needs_loop = (
            "a mask" if mask is not None
            else "recurrent dropout while training" if h_mask is not None
            else "an input dropout mask per gate (implementation=1) while training"
            if isinstance(x_mask, list)
            else "unroll=True" if self.unroll
            else None
        )  # fmt: skip
        if needs_loop is not None:
            if self.use_per_gate is True:
                raise ValueError(
                    f"LSTM: use_per_gate=True, but this call has {needs_loop}, which only the "
                    "generic loop handles; use use_per_gate='auto' to fall back to it"
                )
            return None
        if self.use_per_gate == "auto" and _device_type(self.cell.kernel) != "CPU":
            return None
        if x_mask is not None:
            x = x * x_mask  # one input mask for all gates, the same at every step
        cell = self.cell
        bias = cell.input_bias()
        if bias is None:
            bias = tf.zeros((4 * self.units,), self.compute_dtype)
        W, U = cell.read(cell.kernel), cell.read(cell.recurrent_kernel)
        hs, c_T = per_gate_lstm(x, W, U, bias, *states)
        return hs, [hs[-1], c_T]

    def get_config(self):
        return {**super().get_config(), "use_per_gate": self.use_per_gate}


def _device_type(variable):
    """The kind of device, "CPU" or "GPU", that holds a Keras variable. A layer built and called
    on one device (a tf.device scope, or by default the first GPU TensorFlow sees, else the
    CPU) keeps its weights there and runs its ops there."""
    return tf.DeviceSpec.from_string(variable.value.device or "").device_type


@keras.saving.register_keras_serializable(package="lstm_lib")
class GRU(_Recurrent):
    """Gated Recurrent Unit (Cho et al., 2014) as Keras builds it: by default reset_after=True,
    bias (2, 3H); reset_after=False, bias (3H,), as in the paper. Drop-in for keras.layers.GRU."""

    cell_class = GRUCell
    cell_name = "gru_cell"
    not_in_keras = ()

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, cell_kwargs={"reset_after": reset_after}, **kwargs)
