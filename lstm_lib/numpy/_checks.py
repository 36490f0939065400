"""Input checks for the layer classes: errors that say what was expected and what was given.

    check_array(where, name, a, shape, dtype) -> a as an ndarray, or ValueError like
        "LSTM.forward: x must be (batch, time, 32), got (64, 100, 31)"
    check_dtype(where, name, a, dtype) -> a, or ValueError
        "LSTM.forward: x must have dtype float32, got int64"

shape holds ints for sizes that must match and strings for sizes that may be anything
("batch"); dtype is the exact dtype required, or "integer" for any integer type.
"""

import numpy as np


def format_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_array(where, name, a, shape, dtype):
    a = np.asarray(a)
    matches = a.ndim == len(shape) and all(
        isinstance(want, str) or got == want for got, want in zip(a.shape, shape, strict=True)
    )
    if not matches:
        raise ValueError(f"{where}: {name} must be {format_shape(shape)}, got {a.shape}")
    return check_dtype(where, name, a, dtype)


def check_dtype(where, name, a, dtype):
    if dtype == "integer":
        if not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"{where}: {name} must have an integer dtype, got {a.dtype}")
    elif a.dtype != dtype:
        # Never cast silently: int data into a float layer is usually a bug (token ids fed to
        # a layer that wanted embeddings), and float64 into float32 hides a precision choice.
        hint = f" (use {name}.astype(np.{np.dtype(dtype)}))" if a.dtype.kind == "f" else ""
        raise ValueError(f"{where}: {name} must have dtype {np.dtype(dtype)}, got {a.dtype}{hint}")
    return a
