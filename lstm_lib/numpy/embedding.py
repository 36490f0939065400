"""The lookup table that turns integer ids (characters, words) into vectors.

Shapes: ids of any shape, for example (B, T); V vocabulary size, E vector size.
Weights in Keras layout: embeddings (V, E).

    out = embeddings[ids]

    embedding_forward(ids, embeddings) -> (out, cache)     ids (...) -> out (..., E)
    embedding_backward(dout, cache) -> dembeddings         dout (..., E) -> (V, E)
"""

import numpy as np

__all__ = ["embedding_forward", "embedding_backward"]


def embedding_forward(ids, embeddings):
    """ids: (...) integers in [0, V), embeddings: (V, E) -> out: (..., E) and the cache."""
    return embeddings[ids], (ids, embeddings.shape)


def embedding_backward(dout, cache):
    """dout: (..., E) -> dembeddings: (V, E).

    Row v receives the sum of dout over every position where ids == v. np.add.at adds once per
    occurrence; plain fancy-index assignment d[ids] += dout would keep only one of repeated ids.
    """
    ids, shape = cache
    dembeddings = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dembeddings, ids.reshape(-1), dout.reshape(-1, shape[1]))
    return dembeddings
