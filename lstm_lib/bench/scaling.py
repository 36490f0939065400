"""Candidates for timing LSTM implementations over a grid of sizes, in one alternating run.

    scaling_candidates(sizes, numpy_versions, tf_layers, batch=16, features=32, seed=0)
        -> {(implementation, T, H): run}
    layer_forward_backward(layer) -> fn(x, dhs): the forward pass and the gradients of a layer

sizes: [(T, H), ...]. numpy_versions: {name: fn(x, h0, c0, W, U, b, dhs)}, the interface of
chapter 08's NumPy versions (forward + backward; weights in Keras's layout). tf_layers:
{name: make(units) -> a Keras LSTM layer, unbuilt}. Every candidate runs forward + backward once
on its size's problem: x (B, T, D) and dhs (B, T, H) drawn from seed, T, H; weights
lstm_lib.numpy.LSTM(D, H, seed).get_weights() (Keras's initialisation), the same for every
implementation; zero initial states. A TensorFlow candidate returns NumPy arrays, so that its
time includes waiting for the result.

Each TensorFlow layer is built and traced once per H, with the length left open (None) in the
tf.function's input signature, and serves every T: retracing for each size would cost more than
the timing. The candidates come grouped by implementation, in the order given, so that in an
alternating run a NumPy call rarely follows a TensorFlow one: TensorFlow's worker threads keep
spinning for a while after their work and slow the next call down (see timing.alternate).
"""

import numpy as np

from lstm_lib.numpy import LSTM

__all__ = ["layer_forward_backward", "scaling_candidates"]


def layer_forward_backward(layer):
    """fn(x, dhs) -> [hs, dx, *weight gradients]: layer(x) and the gradients of sum(hs * dhs)
    with respect to x and the layer's trainable weights. Wrap it in tf.function to time it."""
    from lstm_lib.tf_startup import import_tensorflow

    tf = import_tensorflow()

    def forward_backward(x, dhs):
        with tf.GradientTape() as tape:
            tape.watch(x)
            hs = layer(x)
        return [hs, *tape.gradient(hs, [x, *layer.trainable_weights], output_gradients=dhs)]

    return forward_backward


def scaling_candidates(sizes, numpy_versions, tf_layers, batch=16, features=32, seed=0):
    """{(implementation, T, H): run} for every (T, H) in sizes; see the module docstring."""
    B, D = batch, features
    traced = {}  # (name, H) -> tf.function, shared by every T
    candidates = {}
    for T, H in sizes:
        r = np.random.default_rng([seed, T, H])
        W, U, b = LSTM(D, H, seed=seed).get_weights()
        x = r.standard_normal((B, T, D), dtype=np.float32)
        dhs = r.standard_normal((B, T, H), dtype=np.float32)
        zeros = np.zeros((B, H), np.float32)
        for name, version in numpy_versions.items():
            candidates[(name, T, H)] = (lambda v=version, x=x, z=zeros, w=(W, U, b), d=dhs:
                                        v(x, z, z, *w, d))  # fmt: skip
        if tf_layers:
            candidates.update(_tf_candidates(tf_layers, traced, x, dhs, [W, U, b]))
    names = [*numpy_versions, *tf_layers]
    return {key: candidates[key] for name in names for key in candidates if key[0] == name}


def _tf_candidates(tf_layers, traced, x, dhs, weights):
    from lstm_lib.tf_startup import import_tensorflow

    tf = import_tensorflow()
    (B, T, D), H = x.shape, dhs.shape[-1]
    x_t, dhs_t = tf.constant(x), tf.constant(dhs)
    candidates = {}
    for name, make in tf_layers.items():
        if (name, H) not in traced:
            layer = make(H)
            layer.build((B, None, D))
            layer.set_weights(weights)
            signature = [tf.TensorSpec((B, None, D)), tf.TensorSpec((B, None, H))]
            traced[(name, H)] = tf.function(layer_forward_backward(layer),
                                            input_signature=signature)  # fmt: skip
        run = traced[(name, H)]
        candidates[(name, T, H)] = lambda run=run: [r.numpy() for r in run(x_t, dhs_t)]
    return candidates
