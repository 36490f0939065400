"""lstm_lib.tensorflow layers work where Keras layers work: Sequential and functional models,
model.fit, save/load as .keras, masks from Embedding(mask_zero=True), a custom training loop
under tf.function, and dropout."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib import tensorflow as ltf  # noqa: E402

# Keras's own saving code converts variables with np.array(x, copy=False) (not our code).
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def mean_task(n=64, T=8, seed=0):
    """x (n, T, 1) uniform in [0, 1); target: the mean over time, a task an RNN must carry."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, T, 1), dtype=np.float32)
    return x, x.mean(axis=1)


def test_sequential_model_fit_lowers_the_loss_with_a_progress_bar(capsys):
    keras.utils.set_random_seed(0)
    x, y = mean_task()
    model = keras.Sequential([keras.Input((8, 1)), ltf.LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=1)
    after = model.evaluate(x, y, verbose=0)
    assert "loss:" in capsys.readouterr().out  # the progress bar was drawn
    assert after < 0.2 * before, (before, history.history["loss"])


def tokens(seed=1, n=6, T=7, vocab=10):
    """Integer sequences, right-padded with 0 to length T."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, (n, T))
    lengths = rng.integers(1, T + 1, n)
    ids[np.arange(T) >= lengths[:, None]] = 0
    return ids


def masked_model(rnn, rnn_2, vocab=10, mask_zero=True):
    inputs = keras.Input((None,), dtype="int32")
    e = keras.layers.Embedding(vocab, 4, mask_zero=mask_zero)(inputs)
    h = rnn(5, return_sequences=True)(e)  # passes the mask on
    h = rnn_2(3)(h)  # ...so this layer sees it too
    return keras.Model(inputs, keras.layers.Dense(2)(h))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_embedding_mask_propagates_like_keras(kind):
    ours = masked_model(getattr(ltf, kind), getattr(ltf, kind))
    theirs = masked_model(getattr(keras.layers, kind), getattr(keras.layers, kind))
    theirs.set_weights(ours.get_weights())
    ids = tokens()
    np.testing.assert_allclose(ours.predict(ids, verbose=0), theirs.predict(ids, verbose=0),
                               atol=1e-5)  # fmt: skip
    # And the mask matters: the same model without masking gives other answers.
    unmasked = masked_model(getattr(ltf, kind), getattr(ltf, kind), mask_zero=False)
    unmasked.set_weights(ours.get_weights())
    assert not np.allclose(unmasked.predict(ids, verbose=0), ours.predict(ids, verbose=0))


def test_save_and_load_keras_file_predicts_identically(tmp_path):
    keras.utils.set_random_seed(2)
    inputs = keras.Input((None,), dtype="int32")
    e = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    h = ltf.LSTM(6, return_sequences=True, go_backwards=True, unit_forget_bias=False)(e)
    h = ltf.GRU(5, return_sequences=True, recurrent_dropout=0.1, seed=3)(h)
    h = ltf.SimpleRNN(4, use_bias=False, kernel_initializer="he_normal")(h)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
    ids = tokens()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0))
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.layers[2].get_config() == model.layers[2].get_config()


def test_config_round_trip():
    layer = ltf.LSTM(7, return_sequences=True, return_state=True, go_backwards=True,
                     use_bias=False, unit_forget_bias=False, dropout=0.2, recurrent_dropout=0.1,
                     seed=5, recurrent_initializer="glorot_uniform", name="encoder")  # fmt: skip
    config = layer.get_config()
    clone = ltf.LSTM.from_config(config)
    assert clone.get_config() == config
    assert config["name"] == "encoder" and config["units"] == 7 and config["dropout"] == 0.2


def seq2seq(rnn):
    """An encoder-decoder: the decoder starts from the encoder's final states."""
    enc_in, dec_in = keras.Input((5, 3)), keras.Input((4, 2))
    _, *states = rnn(6, return_state=True)(enc_in)
    y = rnn(6, return_sequences=True)(dec_in, initial_state=states)
    return keras.Model([enc_in, dec_in], keras.layers.Dense(1)(y))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_functional_api_with_states_passed_between_layers(kind):
    ours, theirs = seq2seq(getattr(ltf, kind)), seq2seq(getattr(keras.layers, kind))
    theirs.set_weights(ours.get_weights())
    rng = np.random.default_rng(4)
    data = [rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 4, 2))]
    np.testing.assert_allclose(ours.predict(data, verbose=0), theirs.predict(data, verbose=0),
                               atol=1e-5)  # fmt: skip


def test_custom_training_loop_under_tf_function():
    keras.utils.set_random_seed(5)
    x, y = mean_task(seed=6)
    rnn, head = ltf.GRU(8), keras.layers.Dense(1)
    head(rnn(x[:1]))
    variables = rnn.trainable_variables + head.trainable_variables
    optimizer = keras.optimizers.Adam(0.02)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((head(rnn(x, training=True)) - y) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    losses = [float(train_step(x, y)) for _ in range(40)]
    assert losses[-1] < 0.2 * losses[0], losses


def test_dropout_masks_are_per_sequence_and_only_in_training():
    """Input dropout draws one mask per sequence: with the same x_t at every step and no
    recurrence, every step sees the same dropped features and gives the same output."""
    D = H = 16
    layer = ltf.SimpleRNN(H, return_sequences=True, dropout=0.5, seed=7)
    layer.build((None, 5, D))
    layer.set_weights([np.eye(D, dtype="float32"), np.zeros((H, H), "float32"),
                       np.zeros(H, "float32")])  # fmt: skip
    x = tf.ones((4, 5, D))
    y_train = layer(x, training=True).numpy()
    np.testing.assert_allclose(y_train, np.repeat(y_train[:, :1], 5, axis=1))
    dropped = y_train[:, 0] == 0
    assert 0 < dropped.mean() < 1  # some features dropped, not all
    assert not np.all(dropped == dropped[0])  # a different mask for each sequence
    np.testing.assert_allclose(y_train[:, 0][~dropped], np.tanh(2.0), rtol=1e-6)  # kept ones scaled
    np.testing.assert_allclose(layer(x, training=False), np.tanh(np.ones((4, 5, H))), rtol=1e-6)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recurrent_dropout_changes_training_outputs_only(kind):
    keras.utils.set_random_seed(8)
    plain = getattr(ltf, kind)(6)
    dropped = getattr(ltf, kind)(6, recurrent_dropout=0.5, dropout=0.3, seed=9)
    x = tf.random.normal((3, 5, 4))
    plain(x)
    dropped(x)
    dropped.set_weights(plain.get_weights())
    np.testing.assert_allclose(dropped(x, training=False), plain(x), atol=1e-6)
    assert not np.allclose(dropped(x, training=True), plain(x), atol=1e-3)
