"""The TensorFlow track: SimpleRNN, LSTM and GRU written with tf.matmul, tf.sigmoid, tf.tanh...
as Keras layers, drop-in for keras.layers.* on the common arguments; autodiff does BPTT
(except on the LSTM's CPU fast path, per_gate_lstm.py, where it is written by hand).

    cells.py          SimpleRNNCell, LSTMCell, GRUCell: Keras-layout weights, one time step,
                      dropout masks drawn once per sequence as Keras's cells draw them, one
                      per gate where theirs are (also inside keras.layers.RNN)
    recurrence.py     scan: the time loop (tf.while_loop) with Keras's masking; unroll: the
                      same loop written out step by step (unroll=True)
    per_gate_lstm.py  per_gate_lstm: the LSTM's sequence as four products per step, with a
                      hand-written backward; the layer's fast path on a CPU (use_per_gate)
    layers.py         SimpleRNN, LSTM, GRU: a cell run over a sequence, config, masking, dropout
    checks.py         the errors a user can cause, each naming what was expected and given

Shapes: B batch, T time, D input features, H units. Importing this module imports TensorFlow.
"""

from ..tf_startup import import_tensorflow

import_tensorflow()  # before the modules below import it: no C++ start-up lines on stderr

from .cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: E402
from .layers import GRU, LSTM, SimpleRNN  # noqa: E402
from .recurrence import scan, unroll  # noqa: E402

__all__ = ["SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "scan", "unroll"]
