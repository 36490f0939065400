"""lstm_lib.numpy against Keras 3 with the same weights: outputs and final states within 1e-5
(float32), gradients within 1e-4 of tf.GradientTape's; Dense, Embedding, the losses and the
optimizers likewise."""

from lstm_lib.tf_startup import import_tensorflow

tf = import_tensorflow()  # first: TensorFlow's C++ start-up lines stay out of the output

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_lib.numpy import (  # noqa: E402
    GRU,
    LSTM,
    SGD,
    Adam,
    Dense,
    Embedding,
    SimpleRNN,
    clip_by_global_norm,
    mse,
    softmax_cross_entropy,
)

OUTPUT_ATOL = 1e-5
GRAD_RTOL = 1e-4
PAIRS = [(SimpleRNN, keras.layers.SimpleRNN), (LSTM, keras.layers.LSTM), (GRU, keras.layers.GRU)]
SHAPES = [(3, 7, 5, 4), (8, 30, 16, 32)]  # (B, T, D, H)


def assert_grad_close(ours, theirs, name):
    """Within GRAD_RTOL of Keras's, entry by entry, with an absolute floor at GRAD_RTOL times
    the array's largest entry (relative error of a near-zero float32 entry means nothing)."""
    theirs = np.asarray(theirs)
    atol = GRAD_RTOL * np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs, rtol=GRAD_RTOL, atol=atol, err_msg=name)


def build_pair(Ours, Theirs, B, T, D, H, seed):
    ours = Ours(D, H, seed=seed)
    theirs = Theirs(H, return_sequences=True, return_state=True)
    theirs.build((B, T, D))
    assert [w.shape for w in theirs.get_weights()] == [w.shape for w in ours.get_weights()]
    theirs.set_weights(ours.get_weights())
    return ours, theirs


@pytest.mark.parametrize("Ours, Theirs", PAIRS, ids=["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("B, T, D, H", SHAPES)
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "initial_state"])
def test_layer_matches_keras(Ours, Theirs, B, T, D, H, with_state):
    rng = np.random.default_rng(0)
    ours, theirs = build_pair(Ours, Theirs, B, T, D, H, seed=1)
    # A non-zero bias, so that its layout is tested too (Keras's init has zeros, or ones).
    ours.set_weights([*ours.get_weights()[:2], rng.normal(0, 0.3, ours.bias.shape)])
    theirs.set_weights(ours.get_weights())
    n_states = 2 if Ours is LSTM else 1
    x = rng.standard_normal((B, T, D), dtype=np.float32)
    states = [rng.standard_normal((B, H), dtype=np.float32) for _ in range(n_states)]
    R = rng.standard_normal((B, T, H), dtype=np.float32)
    R_final = [rng.standard_normal((B, H), dtype=np.float32) for _ in range(n_states)]
    pack = tuple if Ours is LSTM else (lambda s: s[0])

    outputs, final = ours.forward(x, pack(states) if with_state else None)
    d_x, d_initial, grads = ours.backward(R, pack(R_final))

    x_tf = tf.constant(x)
    states_tf = [tf.constant(s) for s in states]
    with tf.GradientTape() as tape:
        tape.watch([x_tf, *states_tf])
        k_outputs, *k_final = theirs(x_tf, initial_state=states_tf if with_state else None)
        loss = tf.reduce_sum(k_outputs * R)
        loss += sum(tf.reduce_sum(s * r) for s, r in zip(k_final, R_final, strict=True))
    sources = [x_tf, *theirs.trainable_weights] + (states_tf if with_state else [])
    k_grads = tape.gradient(loss, sources)

    np.testing.assert_allclose(outputs, k_outputs.numpy(), rtol=0, atol=OUTPUT_ATOL)
    final = final if Ours is LSTM else (final,)
    for ours_state, keras_state in zip(final, k_final, strict=True):
        np.testing.assert_allclose(ours_state, keras_state.numpy(), rtol=0, atol=OUTPUT_ATOL)
    assert_grad_close(d_x, k_grads[0], "dx")
    for name, g, k in zip(ours.weight_names, grads, k_grads[1:4], strict=True):
        assert_grad_close(g, k, name)
    if with_state:
        d_initial = d_initial if Ours is LSTM else (d_initial,)
        for k, (g, kg) in enumerate(zip(d_initial, k_grads[4:], strict=True)):
            assert_grad_close(g, kg, f"d_initial_state[{k}]")


@pytest.mark.parametrize("Ours, Theirs", PAIRS, ids=["SimpleRNN", "LSTM", "GRU"])
def test_keras_weights_load_into_ours(Ours, Theirs):
    """The other direction of the contract: Keras's own initial weights, set into ours."""
    B, T, D, H = 2, 5, 3, 6
    keras.utils.set_random_seed(0)
    theirs = Theirs(H, return_sequences=True, return_state=True)
    x = np.random.default_rng(0).standard_normal((B, T, D), dtype=np.float32)
    k_outputs = theirs(x)[0].numpy()
    ours = Ours(D, H)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.forward(x)[0], k_outputs, rtol=0, atol=OUTPUT_ATOL)


def test_dense_over_time_matches_keras():
    rng = np.random.default_rng(1)
    B, T, H, K = 3, 4, 5, 6
    ours = Dense(H, K, seed=0)
    ours.set_weights([ours.kernel, rng.normal(size=K)])
    theirs = keras.layers.Dense(K)
    theirs.build((B, T, H))
    theirs.set_weights(ours.get_weights())
    x = rng.standard_normal((B, T, H), dtype=np.float32)
    R = rng.standard_normal((B, T, K), dtype=np.float32)
    x_tf = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_tf)
        y = theirs(x_tf)
        loss = tf.reduce_sum(y * R)
    k_grads = tape.gradient(loss, [x_tf, *theirs.trainable_weights])
    np.testing.assert_allclose(ours.forward(x), y.numpy(), rtol=0, atol=OUTPUT_ATOL)
    d_x, grads = ours.backward(R)
    for name, g, k in zip(["dx", "dkernel", "dbias"], [d_x, *grads], k_grads, strict=True):
        assert_grad_close(g, k, name)


def test_embedding_matches_keras():
    rng = np.random.default_rng(2)
    V, E = 7, 3
    ids = rng.integers(0, V, size=(4, 6))
    ids[0, :3] = 2  # a repeated id: its gradients must add up
    ours = Embedding(V, E, seed=0)
    theirs = keras.layers.Embedding(V, E)
    theirs.build((4, 6))
    theirs.set_weights(ours.get_weights())
    R = rng.standard_normal((4, 6, E), dtype=np.float32)
    with tf.GradientTape() as tape:
        out = theirs(ids)
        loss = tf.reduce_sum(out * R)
    k_grad = tf.convert_to_tensor(tape.gradient(loss, theirs.trainable_weights[0]))
    np.testing.assert_array_equal(ours.forward(ids), out.numpy())
    assert_grad_close(ours.backward(R)[0], k_grad, "dembeddings")


def test_softmax_cross_entropy_matches_keras():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 3, size=(4, 5, 7)).astype(np.float32)
    targets = rng.integers(0, 7, size=(4, 5))
    loss, dlogits = softmax_cross_entropy(logits, targets)
    logits_tf = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(logits_tf)
        k_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(targets, logits_tf)
    np.testing.assert_allclose(loss, float(k_loss), rtol=1e-6)
    assert_grad_close(dlogits, tape.gradient(k_loss, logits_tf), "dlogits")


def test_mse_matches_keras():
    rng = np.random.default_rng(4)
    pred = rng.standard_normal((6, 3), dtype=np.float32)
    target = rng.standard_normal((6, 3), dtype=np.float32)
    loss, dpred = mse(pred, target)
    pred_tf = tf.constant(pred)
    with tf.GradientTape() as tape:
        tape.watch(pred_tf)
        k_loss = keras.losses.MeanSquaredError()(target, pred_tf)
    np.testing.assert_allclose(loss, float(k_loss), rtol=1e-6)
    assert_grad_close(dpred, tape.gradient(k_loss, pred_tf), "dpredictions")


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: Adam(), lambda: keras.optimizers.Adam()),
        (lambda: Adam(0.01, 0.8, 0.99, 1e-6),
         lambda: keras.optimizers.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6)),
        (lambda: SGD(0.1), lambda: keras.optimizers.SGD(0.1)),
        (lambda: SGD(0.1, momentum=0.9), lambda: keras.optimizers.SGD(0.1, momentum=0.9)),
    ],
    ids=["adam_defaults", "adam_custom", "sgd", "sgd_momentum"],
)  # fmt: skip
def test_optimizer_steps_match_keras(ours, theirs):
    """Three steps on the same variables and gradients, float32."""
    rng = np.random.default_rng(5)
    params = [rng.standard_normal(shape, dtype=np.float32) for shape in ((3, 4), (4,))]
    variables = [keras.Variable(p.copy()) for p in params]
    ours, theirs = ours(), theirs()
    for _ in range(3):
        grads = [rng.standard_normal(p.shape, dtype=np.float32) for p in params]
        ours.step(params, grads)
        theirs.apply_gradients(zip(grads, variables, strict=True))
    for p, v in zip(params, variables, strict=True):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p, v.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_by_global_norm_matches_tf():
    rng = np.random.default_rng(6)
    grads = [rng.standard_normal(shape, dtype=np.float32) for shape in ((3, 4), (5,))]
    for max_norm in (0.5, 100.0):  # clipped, and left alone
        clipped, norm = clip_by_global_norm(grads, max_norm)
        k_clipped, k_norm = tf.clip_by_global_norm(grads, max_norm)
        np.testing.assert_allclose(norm, float(k_norm), rtol=1e-6)
        for c, k in zip(clipped, k_clipped, strict=True):
            np.testing.assert_allclose(c, k.numpy(), rtol=1e-6)
