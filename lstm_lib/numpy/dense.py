"""The affine layer that turns hidden states into outputs (logits, predictions).

Shapes: ... any leading axes, for example (B, H) for the last state or (B, T, H) for every
step; D inputs, K outputs. Weights in Keras layout: kernel (D, K), bias (K,).

    y = x @ kernel + bias

    dense_forward(x, kernel, bias) -> (y, cache)          x (..., D) -> y (..., K)
    dense_backward(dy, cache) -> (dx, dkernel, dbias)     dy (..., K)
"""


__all__ = ["dense_forward", "dense_backward"]


def dense_forward(x, kernel, bias):
    """x: (..., D), kernel: (D, K), bias: (K,) -> y: (..., K) and the cache."""
    y = x @ kernel + bias  # matmul applies the same kernel at every leading index (time step)
    return y, (x, kernel)


def dense_backward(dy, cache):
    """dy: (..., K) -> dx (..., D), dkernel (D, K), dbias (K,)."""
    x, kernel = cache
    dx = dy @ kernel.T
    # The same kernel served every leading index, so its gradient sums over all of them:
    # flatten them into one axis and it is one GEMM.
    x2, dy2 = x.reshape(-1, x.shape[-1]), dy.reshape(-1, dy.shape[-1])
    dkernel = x2.T @ dy2
    dbias = dy2.sum(axis=0)
    return dx, dkernel, dbias
