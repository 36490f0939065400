"""The NumPy track: every forward and backward pass written by hand, NumPy only.

Functional API (one module each; forward returns (outputs, cache), backward(d_outputs, cache)):
    rnn.py     rnn_step_forward/backward, rnn_forward/backward      SimpleRNN
    lstm.py    lstm_step_forward/backward, lstm_forward/backward    LSTM
    gru.py     gru_step_forward/backward, gru_forward/backward      GRU (reset_after=True)
    dense.py   dense_forward/backward; embedding.py  embedding_forward/backward
Layers (layers.py): SimpleRNN, LSTM, GRU, Dense, Embedding, weights in Keras 3 layout.
Training: losses.py (softmax_cross_entropy, mse), optim.py (SGD, Adam, clip_by_global_norm),
init.py (glorot_uniform, orthogonal, uniform), gradcheck.py (gradcheck, numerical_gradient).
Shapes everywhere: B batch, T time, D input features, H units.
"""

from .activations import sigmoid, softmax
from .dense import dense_backward, dense_forward
from .embedding import embedding_backward, embedding_forward
from .gradcheck import GradcheckResult, gradcheck, numerical_gradient, relative_error
from .gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward
from .init import glorot_uniform, orthogonal, uniform
from .layers import GRU, LSTM, Dense, Embedding, SimpleRNN
from .losses import mse, softmax_cross_entropy
from .lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .optim import SGD, Adam, clip_by_global_norm
from .rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "sigmoid", "softmax",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward",
    "dense_forward", "dense_backward", "embedding_forward", "embedding_backward",
    "SimpleRNN", "LSTM", "GRU", "Dense", "Embedding",
    "softmax_cross_entropy", "mse",
    "SGD", "Adam", "clip_by_global_norm",
    "glorot_uniform", "orthogonal", "uniform",
    "gradcheck", "numerical_gradient", "relative_error", "GradcheckResult",
]  # fmt: skip
