"""Mistakes a user can make with lstm_lib.tensorflow layers: each a ValueError that names what
was expected and what was given."""

import re
from pathlib import Path

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402
from lstm_lib.tensorflow import checks  # noqa: E402

LAYERS = [ltf.SimpleRNN, ltf.LSTM, ltf.GRU]


def zeros(*shape):
    return tf.zeros(shape)


@pytest.mark.parametrize("cls", LAYERS)
def test_wrong_rank(cls):
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name}: inputs must be \(batch, time, features\), "
                                         r"got \(64, 32\)$"):  # fmt: skip
        cls(8)(zeros(64, 32))
    layer = cls(8)
    layer(zeros(2, 5, 32))
    with pytest.raises(ValueError, match=r"be \(batch, time, 32\), got \(2, 5, 4, 32\)"):
        layer(zeros(2, 5, 4, 32))


def test_wrong_rank_in_the_functional_api():
    with pytest.raises(ValueError, match=r"LSTM: inputs must be \(batch, time, features\), "
                                         r"got \(None, 32\)"):  # fmt: skip
        ltf.LSTM(8)(keras.Input(shape=(32,)))


@pytest.mark.parametrize("cls", LAYERS)
def test_feature_size_changed_after_build(cls):
    layer = cls(8)
    layer(zeros(64, 10, 32))
    message = rf"{cls.__name__}: inputs must be \(batch, time, 32\), got \(64, 100, 31\)"
    with pytest.raises(ValueError, match=message):
        layer(zeros(64, 100, 31))
    with pytest.raises(ValueError, match=message):
        tf.function(layer)(zeros(64, 100, 31))


def test_initial_state_count():
    with pytest.raises(ValueError, match=r"LSTM: initial_state must be 2 tensors \[h, c\], "
                                         r"each \(batch, 8\), got 1"):  # fmt: skip
        ltf.LSTM(8)(zeros(4, 5, 3), initial_state=[zeros(4, 8)])
    with pytest.raises(ValueError, match=r"GRU: initial_state must be 1 tensor \[h\], "
                                         r"each \(batch, 8\), got 2"):  # fmt: skip
        ltf.GRU(8)(zeros(4, 5, 3), initial_state=[zeros(4, 8), zeros(4, 8)])


@pytest.mark.parametrize("bad, message", [
    ((4, 7), r"initial_state\[1\] \(c\) must be \(4, 8\), got \(4, 7\)"),
    ((5, 8), r"initial_state\[1\] \(c\) must be \(4, 8\), got \(5, 8\)"),
    ((4, 8, 1), r"initial_state\[1\] \(c\) must be \(4, 8\), got \(4, 8, 1\)"),
])  # fmt: skip
def test_initial_state_shape(bad, message):
    with pytest.raises(ValueError, match="LSTM: " + message):
        ltf.LSTM(8)(zeros(4, 5, 3), initial_state=[zeros(4, 8), zeros(*bad)])


def test_single_state_may_be_a_bare_tensor_but_must_fit():
    ltf.SimpleRNN(8)(zeros(4, 5, 3), initial_state=zeros(4, 8))
    with pytest.raises(ValueError, match=r"SimpleRNN: initial_state\[0\] \(h\) must be "
                                         r"\(4, 8\), got \(4, 6\)"):  # fmt: skip
        ltf.SimpleRNN(8)(zeros(4, 5, 3), initial_state=zeros(4, 6))


def test_mask_shape():
    with pytest.raises(ValueError, match=r"GRU: mask must be \(batch, time\) = \(4, 5\), "
                                         r"got \(4, 6\)"):  # fmt: skip
        ltf.GRU(8)(zeros(4, 5, 3), mask=tf.ones((4, 6), tf.bool))


@pytest.mark.parametrize("cls, kwargs, message", [
    (ltf.LSTM, {"implementation": 3}, r"implementation must be 0, 1 or 2, got 3"),
    (ltf.LSTM, {"time_major": True}, r"time_major=True is not supported; .* only time_major=False"),
    (ltf.GRU, {"use_cudnn": True}, r"use_cudnn=True is not supported; .* use_cudnn='auto'"),
    (ltf.SimpleRNN, {"activation": "relu"}, r"activation='relu' is not supported; .* "
                                            r"activation='tanh'"),
    (ltf.LSTM, {"recurrent_activation": "hard_sigmoid"}, r"recurrent_activation='hard_sigmoid'"),
    (ltf.LSTM, {"units": 0}, r"units must be a positive integer, got 0"),
    (ltf.LSTM, {"dropout": 1.5}, r"dropout must be in \[0, 1\), got 1.5"),
    (ltf.GRU, {"recurrent_dropout": -0.1}, r"recurrent_dropout must be in \[0, 1\), got -0.1"),
])  # fmt: skip
def test_unsupported_or_invalid_arguments(cls, kwargs, message):
    kwargs = {"units": 8, **kwargs}
    with pytest.raises(ValueError, match=f"{cls.__name__}: {message}"):
        cls(**kwargs)


def test_keras_defaults_of_unimplemented_arguments_are_accepted():
    ltf.LSTM(8, activation="tanh", recurrent_activation=tf.sigmoid, time_major=False,
             implementation=1, use_cudnn=False)  # fmt: skip
    ltf.GRU(8, reset_after=True, activation=keras.activations.tanh)


def test_unknown_argument_is_rejected_by_keras():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        ltf.LSTM(8, colour="blue")


def test_errors_leave_a_built_layer_usable():
    layer = ltf.LSTM(8)
    y = layer(zeros(2, 3, 4))
    with pytest.raises(ValueError):
        layer(zeros(2, 3, 5))
    np.testing.assert_array_equal(layer(zeros(2, 3, 4)), y)


def test_stateful_needs_a_fixed_batch_size_and_keeps_it():
    with pytest.raises(ValueError, match=r"LSTM: stateful=True needs a fixed batch size"):
        ltf.LSTM(8, stateful=True)(keras.Input((3, 4)))
    layer = ltf.GRU(8, stateful=True)
    layer(zeros(2, 3, 4))
    message = r"GRU: stateful=True keeps states for a batch of 2; .* that batch size, got 5"
    with pytest.raises(ValueError, match=message):
        layer(zeros(5, 3, 4))
    with pytest.raises(ValueError, match=r"GRU: initial_state\[0\] \(h\) must be \(2, 8\)"):
        layer.reset_states([np.zeros((5, 8), "float32")])


def test_readme_names_the_refused_arguments_the_code_refuses():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    refused = re.search(r"Refused at any value but\s+Keras's default.*?: (.*?)\s+\(the list",
                        readme, re.S)  # fmt: skip
    assert refused, "README: the drop-in paragraph's list of refused arguments is missing"
    named = re.findall(r"`(\w+)`", refused.group(1))
    assert named == list(checks.NOT_IMPLEMENTED)
