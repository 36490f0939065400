"""Layer classes over the functional code: they own the weights, check their inputs, and keep
the cache between forward and backward.

    layer = SimpleRNN(input_size, units, *, seed=None, dtype=np.float32)   # also LSTM, GRU
    layer.get_weights() / layer.set_weights([kernel, recurrent_kernel, bias])   # Keras layout
    outputs, final_state = layer.forward(x, initial_state=None)
        # x (B, T, D) -> outputs (B, T, H); final_state h_T, or (h_T, c_T) for LSTM;
        # initial_state likewise h0, or (h0, c0) for LSTM; None means zeros
    d_x, d_initial_state, grads = layer.backward(d_outputs, d_final_state=None)
        # d_initial_state: dh0, or (dh0, dc0) for LSTM; grads in get_weights() order
        # d_final_state: gradient on h_T, or (dh_T, dc_T) for LSTM (either may be None)

    dense = Dense(input_size, units, *, seed=None, dtype=np.float32)
    y = dense.forward(x)                  # x (..., D) -> y (..., K): every time step alike
    d_x, grads = dense.backward(d_y)      # grads: [dkernel, dbias]

    embedding = Embedding(vocab_size, output_dim, *, seed=None, dtype=np.float32)
    e = embedding.forward(ids)            # integer ids (...) -> e (..., E)
    grads = embedding.backward(d_e)       # [dembeddings]; ids have no gradient

For training, every layer has .params, the list of its weight arrays in get_weights() order
(the arrays themselves: an optimizer updating them in place updates the layer), and .grads,
the matching gradients from the last backward. Initialisers are Keras's defaults: glorot-uniform
kernels, orthogonal recurrent kernels, zero biases except LSTM's forget block, set to 1
(unit_forget_bias), uniform(-0.05, 0.05) embeddings. Everything is computed in the layer's
dtype; inputs of another dtype are refused rather than cast (the error says how to cast).
"""

import numpy as np

from ._checks import check_array, check_dtype, format_shape
from .dense import dense_backward, dense_forward
from .embedding import embedding_backward, embedding_forward
from .gru import gru_backward, gru_forward
from .init import glorot_uniform, orthogonal, uniform
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward

__all__ = ["SimpleRNN", "LSTM", "GRU", "Dense", "Embedding"]


def _check_size(where, name, value):
    if not (isinstance(value, (int, np.integer)) and value > 0):
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")


def _check_dtype(where, dtype):
    try:
        given = np.dtype(dtype)
    except TypeError:
        given = repr(dtype)
    if isinstance(given, str) or not np.issubdtype(given, np.floating):
        raise ValueError(f"{where}: dtype must be a floating type such as np.float32, got {given}")
    return given


class _Layer:
    """What every layer shares: weights as a list, Keras's get/set_weights, and the cache."""

    weight_names = ()  # set by each layer, in get_weights() order

    @property
    def params(self):
        return [getattr(self, name) for name in self.weight_names]

    def get_weights(self):
        """Copies of the weights, in Keras's order and layout."""
        return [w.copy() for w in self.params]

    def set_weights(self, weights):
        """Copy values into the layer's arrays (which keep their identity and dtype)."""
        where = f"{type(self).__name__}.set_weights"
        expected = [w.shape for w in self.params]
        if len(weights) != len(expected):
            raise ValueError(
                f"{where}: expected {len(expected)} arrays {list(self.weight_names)} of shapes "
                f"{', '.join(format_shape(s) for s in expected)}, got {len(weights)}"
            )
        given = [np.asarray(w) for w in weights]
        for name, w, shape in zip(self.weight_names, given, expected, strict=True):
            if w.shape != shape:
                raise ValueError(f"{where}: {name} must be {format_shape(shape)}, got {w.shape}")
        for param, w in zip(self.params, given, strict=True):
            param[...] = w

    def _cached(self, where):
        if self._cache is None:
            raise ValueError(f"{where}: expected a forward pass first, got none (call forward)")
        return self._cache


class _Recurrent(_Layer):
    """SimpleRNN, LSTM and GRU: construction and the checks of x and of the states."""

    weight_names = ("kernel", "recurrent_kernel", "bias")
    blocks = 1  # gate blocks side by side in the kernels

    def __init__(self, input_size, units, *, seed=None, dtype=np.float32):
        name = type(self).__name__
        _check_size(name, "input_size", input_size)
        _check_size(name, "units", units)
        self.input_size, self.units = int(input_size), int(units)
        self.dtype = _check_dtype(name, dtype)
        rng = np.random.default_rng(seed)
        width = self.blocks * units
        self.kernel = glorot_uniform((input_size, width), rng, self.dtype)
        self.recurrent_kernel = orthogonal((units, width), rng, self.dtype)
        self.bias = np.zeros(self._bias_shape(), dtype=self.dtype)
        self.grads = None
        self._cache = None

    def _bias_shape(self):
        return (self.blocks * self.units,)

    def _check_x(self, x):
        where = f"{type(self).__name__}.forward"
        x = check_array(where, "x", x, ("batch", "time", self.input_size), self.dtype)
        if x.shape[1] == 0:
            raise ValueError(f"{where}: x must have at least 1 time step, got {x.shape}")
        return x

    def _state(self, where, name, s, batch):
        """A (batch, units) state: zeros for None, else checked."""
        shape = (batch, self.units)
        if s is None:
            return np.zeros(shape, dtype=self.dtype)
        return check_array(where, name, s, shape, self.dtype)

    def _check_d_outputs(self, where, d_outputs, shape):
        return check_array(where, "d_outputs", d_outputs, shape, self.dtype)


class _OneState(_Recurrent):
    """A recurrent layer whose only state is h (SimpleRNN, GRU): the final state is h_T."""

    # The functional pair this layer runs: forward(x, h0, kernel, recurrent_kernel, bias).
    _forward = _backward = None

    def forward(self, x, initial_state=None):
        x = self._check_x(x)
        where = f"{type(self).__name__}.forward"
        h0 = self._state(where, "initial_state", initial_state, x.shape[0])
        hs, self._cache = type(self)._forward(
            x, h0, self.kernel, self.recurrent_kernel, self.bias)
        self._shape = hs.shape
        return hs, hs[:, -1].copy()

    def backward(self, d_outputs, d_final_state=None):
        where = f"{type(self).__name__}.backward"
        cache = self._cached(where)
        dhs = self._check_d_outputs(where, d_outputs, self._shape)
        if d_final_state is not None:
            dh_T = self._state(where, "d_final_state", d_final_state, dhs.shape[0])
            dhs = dhs.copy()  # h_T is hs[:, -1]: its two gradients add
            dhs[:, -1] += dh_T
        dx, dh0, *self.grads = type(self)._backward(dhs, cache)
        return dx, dh0, self.grads


class SimpleRNN(_OneState):
    """h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias); see rnn.py."""

    _forward, _backward = staticmethod(rnn_forward), staticmethod(rnn_backward)


class LSTM(_Recurrent):
    """Long short-term memory, gates i, f, c, o; see lstm.py. States are pairs (h, c)."""

    blocks = 4

    def __init__(self, input_size, units, *, seed=None, dtype=np.float32):
        super().__init__(input_size, units, seed=seed, dtype=dtype)
        # unit_forget_bias: f starts near sigmoid(1) = 0.73, so the cell state is mostly kept
        # and gradients flow through time from the start (Jozefowicz et al., 2015).
        self.bias[units : 2 * units] = 1

    def _pair(self, where, name, pair, batch):
        if pair is None:
            pair = (None, None)
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            given = type(pair).__name__
            raise ValueError(f"{where}: {name} must be a pair (h, c) or None, got {given}")
        return tuple(self._state(where, f"{name}[{k}]", s, batch) for k, s in enumerate(pair))

    def forward(self, x, initial_state=None):
        x = self._check_x(x)
        h0, c0 = self._pair("LSTM.forward", "initial_state", initial_state, x.shape[0])
        hs, c_T, self._cache = lstm_forward(
            x, h0, c0, self.kernel, self.recurrent_kernel, self.bias
        )
        self._shape = hs.shape
        return hs, (hs[:, -1].copy(), c_T)

    def backward(self, d_outputs, d_final_state=None):
        where = "LSTM.backward"
        cache = self._cached(where)
        dhs = self._check_d_outputs(where, d_outputs, self._shape)
        dc_T = None
        if d_final_state is not None:
            dh_T, dc_T = self._pair(where, "d_final_state", d_final_state, dhs.shape[0])
            dhs = dhs.copy()  # h_T is hs[:, -1]: its two gradients add
            dhs[:, -1] += dh_T
        dx, dh0, dc0, *self.grads = lstm_backward(dhs, cache, dc_T)
        return dx, (dh0, dc0), self.grads


class GRU(_OneState):
    """Gated recurrent unit, Keras's reset_after=True, gates z, r, h; see gru.py."""

    blocks = 3

    _forward, _backward = staticmethod(gru_forward), staticmethod(gru_backward)

    def _bias_shape(self):
        return (2, 3 * self.units)  # row 0 for the input projection, row 1 for the recurrent


class Dense(_Layer):
    """y = x @ kernel + bias over the last axis, the same at every time step; see dense.py."""

    weight_names = ("kernel", "bias")

    def __init__(self, input_size, units, *, seed=None, dtype=np.float32):
        _check_size("Dense", "input_size", input_size)
        _check_size("Dense", "units", units)
        self.input_size, self.units = int(input_size), int(units)
        self.dtype = _check_dtype("Dense", dtype)
        self.kernel = glorot_uniform((input_size, units), seed, self.dtype)
        self.bias = np.zeros(units, dtype=self.dtype)
        self.grads = None
        self._cache = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != self.input_size:
            raise ValueError(f"Dense.forward: x must be (..., {self.input_size}), got {x.shape}")
        x = check_dtype("Dense.forward", "x", x, self.dtype)
        y, self._cache = dense_forward(x, self.kernel, self.bias)
        self._shape = y.shape
        return y

    def backward(self, d_y):
        cache = self._cached("Dense.backward")
        d_y = check_array("Dense.backward", "d_y", d_y, self._shape, self.dtype)
        dx, *self.grads = dense_backward(d_y, cache)
        return dx, self.grads


class Embedding(_Layer):
    """Integer ids -> rows of a (vocab_size, output_dim) table; see embedding.py."""

    weight_names = ("embeddings",)

    def __init__(self, vocab_size, output_dim, *, seed=None, dtype=np.float32):
        _check_size("Embedding", "vocab_size", vocab_size)
        _check_size("Embedding", "output_dim", output_dim)
        self.vocab_size, self.output_dim = int(vocab_size), int(output_dim)
        self.dtype = _check_dtype("Embedding", dtype)
        self.embeddings = uniform((vocab_size, output_dim), seed, dtype=self.dtype)
        self.grads = None
        self._cache = None

    def forward(self, ids):
        ids = np.asarray(ids)
        ids = check_dtype("Embedding.forward", "ids", ids, "integer")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(
                f"Embedding.forward: ids must be in [0, {self.vocab_size}), "
                f"got values in [{ids.min()}, {ids.max()}]"
            )
        out, self._cache = embedding_forward(ids, self.embeddings)
        self._shape = out.shape
        return out

    def backward(self, d_out):
        cache = self._cached("Embedding.backward")
        d_out = check_array("Embedding.backward", "d_out", d_out, self._shape, self.dtype)
        self.grads = [embedding_backward(d_out, cache)]
        return self.grads
