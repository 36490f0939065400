"""The one rule every generator follows: randomness comes from an explicit seed or Generator."""

import numpy as np


def resolve_rng(seed=None, rng=None, *, caller="generator"):
    """A np.random.Generator from exactly one of `seed` (an int) or `rng` (a Generator).

    Passing neither is an error: a run must be reproducible from what its code says.
    """
    if rng is not None and seed is not None:
        raise ValueError(f"{caller}: pass seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{caller}: rng must be a np.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is None:
        raise ValueError(
            f"{caller}: pass seed=<int> or rng=np.random.default_rng(<int>) so the data is "
            "reproducible")
    return np.random.default_rng(seed)
