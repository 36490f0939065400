"""Feeding arrays to a training loop: one-hot codes and seeded minibatches.

    one_hot(ids, size) -> (..., size) float32
    minibatches(*arrays, batch_size, shuffle=True, drop_last=False, seed=None, rng=None)
        -> iterator of tuples of (b, ...) slices, one pass over the data
"""

import numpy as np

from ._random import resolve_rng

__all__ = ["minibatches", "one_hot"]


def one_hot(ids, size):
    """ids: integer array (...) with values in 0 .. size-1. Returns (..., size) float32."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"one_hot: ids must be in 0 .. {size - 1}, got {ids.min()} .. {ids.max()}")
    return np.eye(size, dtype=np.float32)[ids]


def minibatches(*arrays, batch_size, shuffle=True, drop_last=False, seed=None, rng=None):
    """One epoch over arrays that share their first axis, in minibatches of batch_size.

    shuffle=True visits the samples in a random order drawn from seed or rng (required then);
    shuffle=False keeps their order and needs no randomness. drop_last=True skips a final batch
    smaller than batch_size. Returns an iterator of tuples with one (b, ...) slice of each array.
    """
    if not arrays:
        raise ValueError("minibatches: pass at least one array")
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be >= 1, got {batch_size}")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(
            f"minibatches: arrays must share their first axis, got {[len(a) for a in arrays]}")
    order = resolve_rng(seed, rng, caller="minibatches").permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    # A generator inside, so that bad arguments raise here, at the call, not at the first batch.
    return (tuple(a[order[i : i + batch_size]] for a in arrays) for i in range(0, stop, batch_size))
