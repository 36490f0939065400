"""The LSTM's CPU fast path, per_gate_lstm, with its hand-written backward pass: the same
outputs and gradients as autodiff through recurrence.scan with LSTMCell's step; and the
layer's use_per_gate switch: "auto" takes the path on a CPU exactly when nothing needs the
generic loop (no mask, no recurrent dropout while training), True insists, False never."""

import re

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402
from lstm_lib.tensorflow import layers  # noqa: E402
from lstm_lib.tensorflow.per_gate_lstm import per_gate_lstm  # noqa: E402

D, H = 4, 5


def random_problem(B, T, dtype, seed=0):
    rng = np.random.default_rng(seed)

    def r(*shape, scale=0.5):
        return tf.constant(rng.normal(0, scale, shape), dtype)

    inputs = [r(T, B, D), r(D, 4 * H), r(H, 4 * H), r(4 * H), r(B, H), r(B, H)]
    upstream = [r(T, B, H, scale=1.0), r(B, H, scale=1.0)]  # on hs and on c_T
    return inputs, upstream


def results_and_gradients(fn, inputs, upstream):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        hs, c_T = fn(*inputs)
        loss = tf.reduce_sum(hs * upstream[0]) + tf.reduce_sum(c_T * upstream[1])
    return [hs, c_T], tape.gradient(loss, inputs)


def scan_results_and_gradients(inputs, upstream):
    x, kernel, recurrent_kernel, bias, h0, c0 = inputs
    with tf.GradientTape() as tape:
        tape.watch([x, h0, c0, kernel, bias])
        cell = ltf.LSTMCell(H, dtype=x.dtype)
        cell.build((None, D))
        cell.set_weights([kernel.numpy(), recurrent_kernel.numpy(), bias.numpy()])
        # The projection from the watched tensors, the recurrence from the cell's variable.
        xw = tf.matmul(x, kernel) + bias
        hs, (_, c_T) = ltf.scan(cell.step_fn(), xw, [h0, c0])
        loss = tf.reduce_sum(hs * upstream[0]) + tf.reduce_sum(c_T * upstream[1])
    dx, dh0, dc0, dkernel, dbias, drecurrent = tape.gradient(
        loss, [x, h0, c0, kernel, bias, cell.recurrent_kernel]
    )
    return [hs, c_T], [dx, dkernel, drecurrent, dbias, dh0, dc0]


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("B, T", [(1, 1), (3, 7), (2, 30)])
def test_per_gate_sequence_matches_autodiff_through_scan(B, T, dtype):
    inputs, upstream = random_problem(B, T, dtype)
    results, grads = results_and_gradients(per_gate_lstm, inputs, upstream)
    expected_results, expected_grads = scan_results_and_gradients(inputs, upstream)
    tol = 1e-5 if dtype == tf.float32 else 1e-12
    names = ["x", "kernel", "recurrent_kernel", "bias", "h0", "c0"]
    for name, got, want in zip(["hs", "c_T"], results, expected_results, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=tol, err_msg=name)
    for name, got, want in zip(names, grads, expected_grads, strict=True):
        want = want.numpy()
        np.testing.assert_allclose(
            got.numpy(), want, rtol=tol, atol=tol * np.abs(want).max(), err_msg=f"d {name}"
        )


def test_per_gate_sequence_compiles_with_xla_to_the_same_gradients():
    inputs, upstream = random_problem(3, 6, tf.float32)
    compiled = tf.function(
        lambda *a: results_and_gradients(per_gate_lstm, list(a), upstream), jit_compile=True
    )
    _, xla_grads = compiled(*inputs)
    _, grads = results_and_gradients(per_gate_lstm, inputs, upstream)
    for got, want in zip(xla_grads, grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def spy_on_per_gate_path(monkeypatch):
    """A list that receives one entry each time a layer runs per_gate_lstm."""
    calls = []

    def spy(*args):
        calls.append(args[0].shape)
        return per_gate_lstm(*args)

    monkeypatch.setattr(layers, "per_gate_lstm", spy)
    return calls


def run_layer(layer, **call):
    x = tf.constant(np.random.default_rng(0).standard_normal((2, 3, D)), tf.float32)
    y = layer(x, **call)
    assert y.shape == (2, H)


MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)


@pytest.mark.parametrize(
    "call, per_gate",
    [
        ({}, True),
        ({"training": True}, True),  # input dropout only: still no reason to leave the path
        ({"mask": MASK}, False),
        ({"training": True, "_recurrent_dropout": 0.3}, False),
        ({"training": False, "_recurrent_dropout": 0.3}, True),  # dropout is off in inference
        ({"training": True, "_implementation": 1}, False),  # an input mask per gate
        ({"training": False, "_implementation": 1}, True),
    ],
)
def test_auto_takes_the_per_gate_path_on_a_cpu_when_nothing_needs_the_generic_loop(
    monkeypatch, call, per_gate
):
    calls = spy_on_per_gate_path(monkeypatch)
    call = dict(call)
    layer = ltf.LSTM(H, dropout=0.2, recurrent_dropout=call.pop("_recurrent_dropout", 0.0),
                     implementation=call.pop("_implementation", 2))  # fmt: skip
    assert layer.use_per_gate == "auto"
    run_layer(layer, **call)
    assert bool(calls) == per_gate


def test_auto_runs_the_generic_loop_when_the_weights_are_not_on_a_cpu(monkeypatch):
    calls = spy_on_per_gate_path(monkeypatch)
    monkeypatch.setattr(layers, "_device_type", lambda variable: "GPU")
    run_layer(ltf.LSTM(H))
    assert calls == []
    run_layer(ltf.LSTM(H, use_per_gate=True))  # the user's choice wins on any device
    assert len(calls) == 1


def test_false_never_takes_the_per_gate_path(monkeypatch):
    calls = spy_on_per_gate_path(monkeypatch)
    run_layer(ltf.LSTM(H, use_per_gate=False))
    assert calls == []


@pytest.mark.parametrize(
    "call, kwargs, why",
    [({"mask": MASK}, {}, "a mask"),
     ({"training": True}, {"recurrent_dropout": 0.3}, "recurrent dropout while training"),
     ({"training": True}, {"dropout": 0.3, "implementation": 1},
      r"an input dropout mask per gate \(implementation=1\) while training")],
)  # fmt: skip
def test_true_refuses_a_call_only_the_generic_loop_handles_and_says_why(call, kwargs, why):
    layer = ltf.LSTM(H, use_per_gate=True, **kwargs)
    with pytest.raises(ValueError, match=f"use_per_gate=True, but this call has {why}"):
        run_layer(layer, **call)


@pytest.mark.parametrize("value", ["auto", True, False])
def test_the_switch_is_in_the_config_and_round_trips(value):
    layer = ltf.LSTM(H, use_per_gate=value)
    config = layer.get_config()
    assert config["use_per_gate"] == value
    clone = ltf.LSTM.from_config(config)
    assert clone.use_per_gate == value and clone.get_config() == config
    serialized = keras.saving.serialize_keras_object(layer)
    assert keras.saving.deserialize_keras_object(serialized).use_per_gate == value


@pytest.mark.parametrize("value", ["cpu", 1, None])
def test_an_unknown_switch_value_is_refused_with_what_was_given(value):
    expected = f"use_per_gate must be 'auto', True or False, got {value!r}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        ltf.LSTM(H, use_per_gate=value)


@pytest.mark.parametrize("use_per_gate", [True, False])
def test_both_paths_give_the_same_outputs_and_gradients(use_per_gate):
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((3, 7, D)), tf.float32)
    reference = ltf.LSTM(H, return_sequences=True, use_per_gate=False)
    reference.build(x.shape)
    weights = [w + rng.normal(0, 0.3, w.shape) for w in reference.get_weights()]
    results = []
    for switch in (use_per_gate, not use_per_gate):
        layer = ltf.LSTM(H, return_sequences=True, use_per_gate=switch)
        layer.build(x.shape)
        layer.set_weights(weights)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
        results.append([y, *tape.gradient(y, [x, *layer.trainable_weights])])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
