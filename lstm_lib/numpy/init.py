"""Weight initialisers, the ones Keras uses by default for recurrent layers.

    glorot_uniform(shape, rng=None, dtype=np.float32)   kernels
    orthogonal(shape, rng=None, dtype=np.float32, gain=1.0)   recurrent kernels
    uniform(shape, rng=None, limit=0.05, dtype=np.float32)    embeddings

rng is a np.random.Generator or a seed (int or None), passed to np.random.default_rng, so a
layer built twice with the same seed has the same weights. The draws follow Keras's
distributions, not its random streams: same seed here and in Keras gives different numbers.
"""

import numpy as np

__all__ = ["glorot_uniform", "orthogonal", "uniform"]


def glorot_uniform(shape, rng=None, dtype=np.float32):
    """U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)), shape (fan_in, fan_out).

    Glorot & Bengio (2010) chose the limit so that activations and gradients keep roughly the
    same variance from layer to layer. For a gate kernel (D, 4H) the fans are D and 4H, as in Keras.
    """
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).uniform(-limit, limit, size=shape).astype(dtype)


def orthogonal(shape, rng=None, dtype=np.float32, gain=1.0):
    """A random matrix with orthonormal rows or columns (whichever are fewer), times gain.

    Multiplying by an orthogonal matrix keeps the norm of h, so at initialisation repeated
    recurrent products neither explode nor vanish (Saxe et al., 2014). For (H, 4H) the H rows
    are orthonormal. As Keras: QR of a Gaussian matrix, signs fixed so Q is uniformly random.
    """
    rows, cols = shape
    a = np.random.default_rng(rng).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # without this, QR's sign convention biases the distribution
    if rows < cols:
        q = q.T
    return (gain * q).astype(dtype)


def uniform(shape, rng=None, limit=0.05, dtype=np.float32):
    """U(-limit, limit); Keras's default for Embedding."""
    return np.random.default_rng(rng).uniform(-limit, limit, size=shape).astype(dtype)
