"""The squashing functions of the recurrent cells, and softmax for the outputs.

    sigmoid(x, out=None) -> array like x, values in [0, 1]
    softmax(logits, axis=-1) -> array like logits, non-negative, summing to 1 along axis

tanh is NumPy's own, np.tanh: already stable (it saturates at +-1, never overflows).

The backward passes never call a derivative function: they reuse the forward output,
because both derivatives of the cells' functions are cheapest written in terms of it:

    sigmoid'(x) = s * (1 - s)      with s = sigmoid(x)
    tanh'(x)    = 1 - t**2         with t = tanh(x)
"""

import numpy as np

__all__ = ["sigmoid", "softmax"]


def sigmoid(x, out=None):
    """Logistic function 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2.

    The two are equal for every x (an identity, not an approximation). The tanh form is used
    because tanh saturates at +-1 instead of overflowing, so no input, not even |x| > 700 in
    float64 or |x| > 88 in float32, raises an overflow warning; and it is one transcendental
    call instead of exp plus a division, which matters inside a time loop.

    x: any shape, float. out: optional array of the same shape to write into (may be x).
    """
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def softmax(logits, axis=-1):
    """exp(logits) normalised to sum to 1 along axis, for any logits (no overflow).

    Subtracting the maximum first changes nothing mathematically (it cancels in the ratio) and
    makes the largest exponent exp(0) = 1, so nothing overflows.
    """
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
