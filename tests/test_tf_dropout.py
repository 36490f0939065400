"""Dropout on lstm_lib.tensorflow's cells and layers, with Keras's semantics.

A cell with dropout > 0 multiplies x_t by a mask (B, D), and with recurrent_dropout > 0
multiplies h by a mask (B, H) before h @ recurrent_kernel, the same at every step of a sequence,
only when training; each kept value is scaled by 1 / (1 - rate). The LSTM and GRU draw one mask
per gate when recurrent_dropout > 0 or implementation=1, as Keras's cells do. Compared with: the
same cell without dropout (inference), Keras's own layers and cells for every rate setting
(outputs and gradients, the same seed giving the same masks), and what each gate's weight
gradient shows of the mask that gate saw.
"""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

B, T, D, H = 5, 6, 4, 3
KINDS = ["SimpleRNN", "LSTM", "GRU"]


def _x(seed=0, shape=(B, T, D)):
    return tf.constant(np.random.default_rng(seed).normal(size=shape).astype("float32"))


def _rnn(kind, seed=3, **cell_kwargs):
    """keras.layers.RNN running our <kind>Cell, built on _x's shape."""
    rnn = keras.layers.RNN(getattr(ltf, kind + "Cell")(H, seed=seed, **cell_kwargs),
                           return_sequences=True)  # fmt: skip
    rnn.build((None, T, D))
    return rnn


@pytest.mark.parametrize("kind", KINDS)
def test_inference_is_the_cell_without_dropout_and_training_is_not(kind):
    plain = _rnn(kind)
    dropped = _rnn(kind, dropout=0.4, recurrent_dropout=0.4)
    dropped.set_weights(plain.get_weights())
    x = _x()
    np.testing.assert_allclose(dropped(x, training=False), plain(x), rtol=1e-6, atol=1e-7)
    y1, y2 = dropped(x, training=True), dropped(x, training=True)
    assert np.abs(y1 - plain(x)).max() > 1e-2  # dropout acts in training...
    assert np.abs(y1 - y2).max() > 1e-2  # ...with new masks for each batch


def _identity_rnn(input_dropout, recurrent_dropout, seed, units):
    """A SimpleRNNCell whose step is h' = tanh(x m + h m_h): kernel and recurrent kernel the
    identity, no bias, so the output shows which units each mask dropped."""
    rnn = keras.layers.RNN(
        ltf.SimpleRNNCell(units, use_bias=False, dropout=input_dropout,
                          recurrent_dropout=recurrent_dropout, seed=seed),
        return_sequences=True,
    )  # fmt: skip
    rnn.build((None, 3, units))
    rnn.set_weights([np.eye(units, dtype="float32"), np.eye(units, dtype="float32")])
    return rnn


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_input_mask_drops_the_rate_once_per_sequence(rate):
    """x = 1 everywhere: a dropped input unit gives h_1 = 0, a kept one tanh(1 / (1 - rate))."""
    n_b, n_u = 64, 64  # 4096 units: the fraction dropped has a standard deviation under 0.008
    rnn = _identity_rnn(rate, 0.0, seed=11, units=n_u)
    y = rnn(tf.ones((n_b, 3, n_u)), training=True).numpy()
    first = y[:, 0]
    dropped = first == 0
    assert abs(dropped.mean() - rate) < 0.04, (dropped.mean(), rate)
    np.testing.assert_allclose(first[~dropped], np.tanh(1 / (1 - rate)), rtol=1e-6)
    assert not np.all(dropped == dropped[0])  # each sequence of the batch has its own mask
    # Step 2 sees the same input mask: a dropped unit gets only its own h_1 = 0 back.
    np.testing.assert_array_equal(y[:, 1] == 0, dropped)


def test_recurrent_mask_drops_the_rate_of_h_at_every_step():
    """x = 1 and no input dropout: h_1 = tanh(1) everywhere; from step 2 on, a unit whose h is
    dropped gets tanh(1) again, a kept one tanh(1 + h / (1 - rate)) > tanh(1)."""
    rate, n_b, n_u = 0.3, 64, 64
    rnn = _identity_rnn(0.0, rate, seed=12, units=n_u)
    y = rnn(tf.ones((n_b, 3, n_u)), training=True).numpy()
    np.testing.assert_allclose(y[:, 0], np.tanh(1.0), rtol=1e-6)
    dropped = np.isclose(y[:, 1], np.tanh(1.0), rtol=1e-6)
    assert abs(dropped.mean() - rate) < 0.04, dropped.mean()
    np.testing.assert_allclose(y[:, 1][~dropped], np.tanh(1 + np.tanh(1.0) / (1 - rate)), rtol=1e-6)
    np.testing.assert_array_equal(np.isclose(y[:, 2], np.tanh(1.0), rtol=1e-6), dropped)
    np.testing.assert_allclose(rnn(tf.ones((n_b, 3, n_u)), training=False)[:, 1],
                               np.tanh(1 + np.tanh(1.0)), rtol=1e-6)  # fmt: skip


def assert_relative(actual, expected, tol=1e-5, what=""):
    """|actual - expected| <= tol * max|expected|, elementwise."""
    expected = np.asarray(expected)
    np.testing.assert_allclose(
        actual, expected, rtol=tol, atol=tol * np.abs(expected).max(), err_msg=what
    )


RATES = [(0.3, 0.0), (0.0, 0.4), (0.3, 0.4)]  # (dropout, recurrent_dropout)
CASES = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("LSTM", {"implementation": 1}),  # one input mask per gate, also without recurrent dropout
    ("GRU", {}),
    ("GRU", {"implementation": 1}),
    ("GRU", {"reset_after": False}),
]


def _four_runners(kind, rates, seed, **kwargs):
    """Keras's layer (use_cudnn=False: its generic loop), keras.layers.RNN running Keras's cell,
    our layer, keras.layers.RNN running our cell; all with the same seed and Keras's weights."""
    dropout, recurrent_dropout = rates
    kwargs = {"dropout": dropout, "recurrent_dropout": recurrent_dropout, "seed": seed, **kwargs}
    no_cudnn = {} if kind == "SimpleRNN" else {"use_cudnn": False}
    cell = kind + "Cell"
    runners = [
        getattr(keras.layers, kind)(H, return_sequences=True, **no_cudnn, **kwargs),
        keras.layers.RNN(getattr(keras.layers, cell)(H, **kwargs), return_sequences=True),
        getattr(ltf, kind)(H, return_sequences=True, **kwargs),
        keras.layers.RNN(getattr(ltf, cell)(H, **kwargs), return_sequences=True),
    ]
    for runner in runners:
        runner.build((None, T, D))
    for runner in runners[1:]:
        runner.set_weights(runners[0].get_weights())
    return runners


def _inference_then_training(runner, x):
    """One call in inference (Keras draws masks there too, unused), then one in training:
    its outputs, and the gradients of a loss reading every output, for x and each weight."""
    inference = runner(x, training=False)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = runner(x, training=True)
        weights = tf.reshape(tf.cos(tf.range(T * H, dtype=y.dtype)), (T, H))  # all unequal
        loss = tf.reduce_sum(y * weights)
    return inference, y, tape.gradient(loss, [x, *runner.trainable_weights])


@pytest.mark.parametrize("rates", RATES, ids=["dropout", "recurrent", "both"])
@pytest.mark.parametrize("kind, kwargs", CASES, ids=lambda v: v if isinstance(v, str) else
                         "-".join(f"{k}={w}" for k, w in v.items()) or "default")  # fmt: skip
def test_training_gives_kerass_numbers_for_every_rate_setting(kind, kwargs, rates):
    """Our layer and our cell in keras.layers.RNN draw Keras's masks (how many, in which order,
    from the cell's seed generator, also in inference) and apply them to Keras's gates: the
    same seed and weights give Keras's outputs and gradients. One mask shared by all gates, or
    no draw in inference, would give other numbers."""
    x = _x(2)
    keras_layer, *others = _four_runners(kind, rates, seed=21, **kwargs)
    expected_inference, expected_y, expected_grads = _inference_then_training(keras_layer, x)
    assert np.abs(expected_y - expected_inference).max() > 1e-2  # the masks act
    for runner, name in zip(others, ["Keras's cell", "our layer", "our cell"], strict=True):
        inference, y, grads = _inference_then_training(runner, x)
        assert_relative(inference, expected_inference, what=f"{name}, inference")
        assert_relative(y, expected_y, what=f"{name}, training")
        names = ["x", "kernel", "recurrent_kernel", "bias"]
        for g, g_keras, w in zip(grads, expected_grads, names, strict=True):
            assert_relative(g, g_keras, what=f"{name}, gradient for {w}")


def _gate_weight_gradients(runner, x):
    """Each gate's block of the gradient for kernel and for recurrent_kernel, (G, D, H) and
    (G, H, H), of a loss reading every output, in training."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.sin(runner(x, training=True)))
    cell = runner.cell
    g_kernel, g_recurrent = tape.gradient(loss, [cell.kernel, cell.recurrent_kernel])
    G = g_kernel.shape[-1] // cell.units
    return [np.stack(np.split(g.numpy(), G, axis=-1)) for g in (g_kernel, g_recurrent)]


def _dropped_rows(gate_blocks):
    """Per gate, which input rows got no gradient at all, (G, rows): the units its mask
    dropped (x_d m_d = 0 in every product that reads row d)."""
    return np.all(gate_blocks == 0, axis=-1)


@pytest.mark.parametrize("kind, kwargs", [
    ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
], ids=["LSTM", "GRU", "GRU-reset_after=False"])  # fmt: skip
@pytest.mark.parametrize("in_rnn", [False, True], ids=["layer", "cell_in_rnn"])
def test_with_recurrent_dropout_each_gate_has_its_own_masks(kind, kwargs, in_rnn):
    """One sequence (B = 1) of random inputs: a row of a gate's kernel block gets no gradient
    exactly when that gate's input mask dropped the input unit, and a row of its recurrent
    block when its mask on h dropped that unit. Each gate drops its own units, about the rate
    of them; with one mask for all gates every block would lose the same rows."""
    n, rate = 64, 0.5
    if in_rnn:
        runner = keras.layers.RNN(getattr(ltf, kind + "Cell")(n, dropout=rate,
                                  recurrent_dropout=rate, seed=5, **kwargs))  # fmt: skip
    else:
        runner = getattr(ltf, kind)(n, dropout=rate, recurrent_dropout=rate, seed=5, **kwargs)
    x = _x(4, (1, 3, n))
    for blocks in _gate_weight_gradients(runner, x):
        dropped = _dropped_rows(blocks)  # (G, n)
        assert np.all(np.abs(dropped.mean(axis=1) - rate) < 0.25), dropped.mean(axis=1)
        for g in range(1, len(dropped)):
            assert np.any(dropped[g] != dropped[0]), f"gate {g} dropped gate 0's units"


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_input_dropout_alone_is_one_mask_for_all_gates(kind):
    """Without recurrent dropout and with implementation=2 (Keras's default), the LSTM and GRU
    draw one input mask, as Keras's fused path does: every gate's kernel block loses the same
    rows; implementation=1 gives each gate its own."""
    n, rate, x = 64, 0.5, _x(4, (1, 3, 64))
    shared = getattr(ltf, kind)(n, dropout=rate, seed=5)
    dropped = _dropped_rows(_gate_weight_gradients(shared, x)[0])
    assert 0 < dropped[0].mean() < 1
    np.testing.assert_array_equal(dropped, np.broadcast_to(dropped[0], dropped.shape))
    per_gate = getattr(ltf, kind)(n, dropout=rate, seed=5, implementation=1)
    dropped = _dropped_rows(_gate_weight_gradients(per_gate, x)[0])
    assert not np.all(dropped == dropped[0])


def test_a_model_with_dropout_cells_trains_and_predicts():
    """model.fit runs the cells in a tf.function: keras.layers.RNN draws and clears the masks
    inside that graph, so they do not leak into the next batch or into predict."""
    keras.utils.set_random_seed(4)
    model = keras.Sequential([
        keras.Input((T, D)),
        keras.layers.RNN(ltf.LSTMCell(H, dropout=0.2, recurrent_dropout=0.2, seed=1)),
        keras.layers.Dense(1),
    ])  # fmt: skip
    model.compile(optimizer="adam", loss="mse")
    x, y = _x(3, (16, T, D)), tf.ones((16, 1))
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    p1, p2 = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(p1, p2)  # inference: no masks


def test_config_round_trip_keeps_the_rates():
    cell = ltf.GRUCell(H, dropout=0.25, recurrent_dropout=0.5, seed=7)
    again = ltf.GRUCell.from_config(cell.get_config())
    assert (again.dropout, again.recurrent_dropout, again.seed) == (0.25, 0.5, 7)


@pytest.mark.parametrize("cls", [ltf.LSTMCell, ltf.GRUCell])
def test_implementation_decides_the_number_of_masks_and_round_trips(cls):
    """As Keras's cells: recurrent_dropout > 0 forces implementation 1, masks one per gate."""
    assert cls(H).dropout_mask_count is None
    assert cls(H, recurrent_dropout=0.1).implementation == 1
    cell = cls(H, dropout=0.1, implementation=1)
    assert cell.dropout_mask_count == cell.gates
    assert cls.from_config(cell.get_config()).dropout_mask_count == cell.gates
    with pytest.raises(ValueError, match=rf"{cls.__name__}: implementation must be 0, 1 or 2"):
        cls(H, implementation=3)


def test_bad_rate_names_the_cell():
    with pytest.raises(ValueError, match=r"LSTMCell: recurrent_dropout must be in \[0, 1\), got 1"):
        ltf.LSTMCell(H, recurrent_dropout=1)
