"""Bad input raises ValueError, and the message names both what was expected and what was given."""

import re

import numpy as np
import pytest

from lstm_lib.numpy import GRU, LSTM, SGD, Adam, Dense, Embedding, SimpleRNN, gradcheck, mse
from lstm_lib.numpy import softmax_cross_entropy as xent

D, H = 32, 8
LAYERS = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
f32 = np.float32


def raises(*fragments):
    """pytest.raises(ValueError) whose message contains every fragment, in this order."""
    return pytest.raises(ValueError, match=".*".join(re.escape(f) for f in fragments))


def x_of(shape, dtype=f32):
    return np.zeros(shape, dtype=dtype)


def test_the_example_message_verbatim():
    with raises("LSTM.forward: x must be (batch, time, 32), got (64, 100, 31)"):
        LSTM(32, 16).forward(x_of((64, 100, 31)))


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize(
    "x, fragments",
    [
        (x_of((4, D)), ("x must be (batch, time, 32)", "got (4, 32)")),  # a missing time axis
        (x_of((2, 4, 5, D)), ("x must be (batch, time, 32)", "got (2, 4, 5, 32)")),
        (x_of((2, 4, D + 1)), ("x must be (batch, time, 32)", "got (2, 4, 33)")),
        (np.zeros((2, 4, D), dtype=np.int64), ("x must have dtype float32", "got int64")),
        (x_of((2, 4, D), np.float64), ("x must have dtype float32", "got float64")),
        (x_of((2, 0, D)), ("at least 1 time step", "got (2, 0, 32)")),
    ],
    ids=["rank2", "rank4", "features", "int", "float64", "no_steps"],
)
def test_forward_rejects_bad_x(name, x, fragments):
    with raises(f"{name}.forward: ", *fragments):
        LAYERS[name](D, H).forward(x)


def test_float64_layer_rejects_float32_x():
    with raises("x must have dtype float64", "got float32"):
        GRU(D, H, dtype=np.float64).forward(x_of((2, 3, D)))


@pytest.mark.parametrize("name", ["SimpleRNN", "GRU"])
def test_wrong_initial_state(name):
    with raises(f"{name}.forward: initial_state must be (2, 8), got (2, 7)"):
        LAYERS[name](D, H).forward(x_of((2, 3, D)), x_of((2, 7)))
    with raises("initial_state must have dtype float32", "got int64"):
        LAYERS[name](D, H).forward(x_of((2, 3, D)), np.zeros((2, H), dtype=np.int64))


def test_wrong_lstm_initial_state():
    layer, x = LSTM(D, H), x_of((2, 3, D))
    with raises("LSTM.forward: initial_state[0] must be (2, 8), got (3, 8)"):
        layer.forward(x, (x_of((3, H)), x_of((2, H))))
    with raises("LSTM.forward: initial_state[1] must be (2, 8), got (2,)"):
        layer.forward(x, (x_of((2, H)), x_of((2,))))
    with raises("initial_state must be a pair (h, c) or None, got ndarray"):
        layer.forward(x, x_of((2, H)))


@pytest.mark.parametrize("name", LAYERS)
def test_set_weights_checks_count_and_shapes(name):
    layer = LAYERS[name](D, H)
    kernel, recurrent, bias = layer.get_weights()
    with raises(f"{name}.set_weights: expected 3 arrays", "got 2"):
        layer.set_weights([kernel, recurrent])
    with raises(f"{name}.set_weights: kernel must be {kernel.shape}", "got (31, "):
        layer.set_weights([kernel[:-1], recurrent, bias])
    with raises(f"{name}.set_weights: recurrent_kernel must be {recurrent.shape}", "got (8, 1)"):
        layer.set_weights([kernel, recurrent[:, :1], bias])
    with raises(f"{name}.set_weights: bias must be {bias.shape}", "got (1,)"):
        layer.set_weights([kernel, recurrent, bias.ravel()[:1]])


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward(name):
    with raises(f"{name}.backward: expected a forward pass first, got none"):
        LAYERS[name](D, H).backward(x_of((2, 3, H)))


@pytest.mark.parametrize("name", LAYERS)
def test_backward_checks_d_outputs_and_d_final_state(name):
    layer = LAYERS[name](D, H)
    layer.forward(x_of((2, 3, D)))
    with raises(f"{name}.backward: d_outputs must be (2, 3, 8), got (2, 3, 7)"):
        layer.backward(x_of((2, 3, H - 1)))
    with raises(f"{name}.backward: d_outputs must have dtype float32", "got float64"):
        layer.backward(x_of((2, 3, H), np.float64))
    bad_final = (x_of((2, H)), x_of((2, 1))) if name == "LSTM" else x_of((2, 1))
    with raises(f"{name}.backward: d_final_state", "must be (2, 8), got (2, 1)"):
        layer.backward(x_of((2, 3, H)), bad_final)


@pytest.mark.parametrize("Layer", [*LAYERS.values(), Dense, Embedding])
def test_constructor_arguments(Layer):
    name = Layer.__name__
    with raises(f"{name}: ", "must be a positive integer, got 0"):
        Layer(0, 4)
    with raises(f"{name}: ", "must be a positive integer, got 2.5"):
        Layer(3, 2.5)
    with raises(f"{name}: dtype must be a floating type", "got int32"):
        Layer(3, 4, dtype=np.int32)


def test_dense_errors():
    layer = Dense(5, 3)
    with raises("Dense.forward: x must be (..., 5), got (2, 4)"):
        layer.forward(x_of((2, 4)))
    with raises("Dense.forward: x must be (..., 5), got (5,)"):
        layer.forward(x_of((5,)))
    with raises("Dense.forward: x must have dtype float32, got int64"):
        layer.forward(np.zeros((2, 5), dtype=np.int64))
    with raises("Dense.backward: expected a forward pass first, got none"):
        layer.backward(x_of((2, 3)))
    layer.forward(x_of((2, 7, 5)))
    with raises("Dense.backward: d_y must be (2, 7, 3), got (2, 3)"):
        layer.backward(x_of((2, 3)))
    with raises("Dense.set_weights: bias must be (3,), got (4,)"):
        layer.set_weights([layer.kernel, x_of((4,))])


def test_embedding_errors():
    layer = Embedding(10, 4)
    with raises("Embedding.forward: ids must have an integer dtype, got float32"):
        layer.forward(x_of((2, 3)))
    with raises("Embedding.forward: ids must be in [0, 10), got values in [0, 10]"):
        layer.forward(np.array([[0, 10]]))
    with raises("ids must be in [0, 10), got values in [-1, 3]"):
        layer.forward(np.array([3, -1]))
    layer.forward(np.array([[1, 2, 3]]))
    with raises("Embedding.backward: d_out must be (1, 3, 4), got (3, 4)"):
        layer.backward(x_of((3, 4)))


def test_loss_errors():
    logits = x_of((2, 3, 5))
    with raises("targets must be integer class ids of shape (2, 3)", "got int64 (2, 4)"):
        xent(logits, np.zeros((2, 4), dtype=np.int64))
    with raises("targets must be integer class ids of shape (2, 3)", "got float32 (2, 3)"):
        xent(logits, x_of((2, 3)))
    with raises("targets must be in [0, 5), got values in [0, 5]"):
        xent(logits, np.array([[0, 1, 5], [0, 0, 0]]))
    with raises("mask must be (2, 3) like targets, got (2,)"):
        xent(logits, np.zeros((2, 3), dtype=np.int64), mask=np.ones(2))
    with raises("mse: targets must be (2, 3) like predictions, got (3, 2)"):
        mse(x_of((2, 3)), x_of((3, 2)))


@pytest.mark.parametrize("Optimizer", [SGD, Adam])
def test_optimizer_errors(Optimizer):
    name = Optimizer.__name__
    params = [x_of((2, 3)), x_of(3)]
    with raises(f"{name}.step: expected one gradient per parameter (2), got 1"):
        Optimizer().step(params, [x_of((2, 3))])
    with raises(f"{name}.step: grads[1] must be (3,) like params[1], got (4,)"):
        Optimizer().step(params, [x_of((2, 3)), x_of(4)])
    opt = Optimizer(momentum=0.9) if Optimizer is SGD else Optimizer()
    opt.step(params, [x_of((2, 3)), x_of(3)])
    with raises("params must be the same list at every step: [(2, 3), (3,)], got [(3,)]"):
        opt.step(params[1:], [x_of(3)])


def test_gradcheck_errors():
    p = [np.zeros(3, dtype=f32)]
    with raises("gradcheck: params[0] must be float64, got float32"):
        gradcheck(lambda ps: 0.0, p, [np.zeros(3)])
    with raises("gradcheck: gradient of w must be (3,), got (2,)"):
        gradcheck(lambda ps: 0.0, [np.zeros(3)], [np.zeros(2)], names=["w"])
    with raises("gradcheck: expected as many grads and names as params (1), got 2 grads"):
        gradcheck(lambda ps: 0.0, [np.zeros(3)], [np.zeros(3), np.zeros(3)])
