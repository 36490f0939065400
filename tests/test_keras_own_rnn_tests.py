"""Keras's own tests for SimpleRNN, LSTM and GRU and their cells, run against lstm_lib.tensorflow's.

The Keras wheel ships them (keras/src/layers/rnn/{simple_rnn,lstm,gru}_test.py for the layers,
stacked_rnn_cells_test.py for the cells in keras.layers.RNN), so this module follows the pinned
Keras version. Each file is loaded afresh under a private module name, and in that copy alone the
name `layers` (which the file imports as `from keras.src import layers`) is a namespace that
returns lstm_lib's LSTM, GRU, SimpleRNN and their cells, and Keras's own for everything else.
Keras's modules, keras.layers and every other test are left untouched, so nothing needs
restoring.

A Keras test that checks Keras's internals rather than the layer's behaviour is skipped, with
the reason; a test that fails because lstm_lib lacks a feature is a strict xfail naming it, so
adding the feature turns it into a pass (and the mark must then go).
"""

import importlib.util
from pathlib import Path

from lstm_lib.tf_startup import import_tensorflow

import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import pytest  # noqa: E402
from keras.src import layers as keras_layers  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

# run_layer_test fits on a generator, and Keras then warns that its own shuffle=True is ignored.
pytestmark = pytest.mark.filterwarnings("ignore:`shuffle=True` was passed:UserWarning")

KERAS_RNN_TESTS = Path(keras.__file__).parent / "src" / "layers" / "rnn"
OURS = {
    "SimpleRNN": ltf.SimpleRNN, "LSTM": ltf.LSTM, "GRU": ltf.GRU,
    "SimpleRNNCell": ltf.SimpleRNNCell, "LSTMCell": ltf.LSTMCell, "GRUCell": ltf.GRUCell,
}  # fmt: skip


class _OurRecurrentLayers:
    """keras.src.layers, with LSTM, GRU and SimpleRNN replaced by lstm_lib's."""

    def __getattr__(self, name):
        return OURS[name] if name in OURS else getattr(keras_layers, name)


def _load(stem):
    """A private copy of keras/src/layers/rnn/<stem>.py whose `layers` is _OurRecurrentLayers."""
    spec = importlib.util.spec_from_file_location(
        f"lstm_lib_keras_own_{stem}", KERAS_RNN_TESTS / f"{stem}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.layers = _OurRecurrentLayers()
    return module


def _mark(cls, marks):
    """Put each mark on the test method it names (absl's parameterized names them name0, ...):
    pytest.mark.skip(reason=...) for a test of Keras's internals, or _missing(feature)."""
    for name, mark in marks.items():
        assert callable(getattr(cls, name, None)), f"{cls.__name__} has no test {name}"
        setattr(cls, name, mark(getattr(cls, name)))
    return cls


def _missing(feature):
    return pytest.mark.xfail(strict=True, reason=f"lstm_lib does not implement {feature} yet")


# Keras 3.15.1: all 20 tests that run on the TensorFlow backend pass (4 did before issue 19
# added regularizers, constraints, unroll, stateful, the GRU's reset_after=False and the legacy
# implementation argument); gru_test's test_torch_cudnn_dispatch_fires is Keras's own skip on
# this backend (it checks that Keras's torch backend calls torch._VF.gru on CUDA: Keras
# internals, not the layer). No test needed marking; a new Keras version's tests go in these dicts.
LSTMTest = _mark(_load("lstm_test").LSTMTest, {})
GRUTest = _mark(_load("gru_test").GRUTest, {})
SimpleRNNTest = _mark(_load("simple_rnn_test").SimpleRNNTest, {})

# Keras's tests of stacked cells in keras.layers.RNN (its own RNN, our cells), with dropout and
# recurrent_dropout on every cell, state carried (stateful) and masks.
StackedRNNTest = _mark(_load("stacked_rnn_cells_test").StackedRNNTest, {})
