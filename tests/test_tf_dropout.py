"""Dropout on lstm_lib.tensorflow's cells, run by keras.layers.RNN, with Keras's semantics.

A cell with dropout > 0 multiplies x_t by one mask per sequence (B, D), and with
recurrent_dropout > 0 multiplies h by one mask (B, H) before h @ recurrent_kernel, at every step
of that sequence, only when training; each kept value is scaled by 1 / (1 - rate). Compared
with: the same cell without dropout (inference), our layers (the same masks from the same seed)
and Keras's own cells and layers where Keras draws the same masks (see test_same_as_keras).
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


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rates", [(0.3, 0.0), (0.0, 0.4), (0.3, 0.4)])
def test_cell_in_keras_rnn_is_our_layer_with_the_same_seed(kind, rates):
    """The layer draws its masks from its cell's seed generator in the order keras.layers.RNN
    draws them (inputs, then h): the same seed, the same masks, the same outputs."""
    dropout, recurrent_dropout = rates
    rnn = _rnn(kind, seed=5, dropout=dropout, recurrent_dropout=recurrent_dropout)
    layer = getattr(ltf, kind)(H, return_sequences=True, seed=5, dropout=dropout,
                               recurrent_dropout=recurrent_dropout)  # fmt: skip
    layer.build((None, T, D))
    layer.set_weights(rnn.get_weights())
    x = _x(1)
    # The LSTM layer without recurrent dropout runs per_gate_lstm: other sums, same numbers.
    np.testing.assert_allclose(layer(x, training=True), rnn(x, training=True),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def _keras_and_ours(kind, seed, **kwargs):
    extra = {} if kind == "SimpleRNN" else {"use_cudnn": False}
    theirs = getattr(keras.layers, kind)(H, return_sequences=True, seed=seed, **extra, **kwargs)
    ours = keras.layers.RNN(getattr(ltf, kind + "Cell")(H, seed=seed, **kwargs),
                            return_sequences=True)  # fmt: skip
    theirs.build((None, T, D))
    ours.build((None, T, D))
    ours.set_weights(theirs.get_weights())
    return theirs, ours


@pytest.mark.parametrize(
    "kind, kwargs",
    [("SimpleRNN", {"dropout": 0.3, "recurrent_dropout": 0.4}),
     ("LSTM", {"dropout": 0.3}),
     ("GRU", {"dropout": 0.3})],
)  # fmt: skip
def test_same_as_keras(kind, kwargs):
    """Where Keras draws the same masks from the same seed, training gives Keras's numbers.
    That is every case of SimpleRNNCell, and input dropout alone for the LSTM and GRU cells: with
    recurrent_dropout > 0 these switch to implementation=1 and draw one mask per gate (4 for
    the LSTM, 3 for the GRU), where ours draw one for all gates, so their numbers differ."""
    theirs, ours = _keras_and_ours(kind, seed=21, **kwargs)
    x = _x(2)
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True),
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(ours(x, training=False), theirs(x, training=False),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


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


def test_bad_rate_names_the_cell():
    with pytest.raises(ValueError, match=r"LSTMCell: recurrent_dropout must be in \[0, 1\), got 1"):
        ltf.LSTMCell(H, recurrent_dropout=1)
