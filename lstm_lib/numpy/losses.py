"""Losses: each returns the loss and its gradient with respect to the model's output.

    softmax_cross_entropy(logits, targets, mask=None) -> (loss, dlogits)
        logits (..., V) float, targets (...) integer class ids in [0, V),
        mask (...) optional weights (bool or float): 0 drops a position (padding), and the loss
        is the weighted mean over the counted positions. dlogits: like logits.
    mse(predictions, targets) -> (loss, dpredictions)
        the mean of (predictions - targets)**2 over every element, as keras.losses.MSE then a
        mean over the batch. dpredictions: like predictions.

The loss is a Python float; the gradient has the dtype of the model's output.
"""

import numpy as np

__all__ = ["softmax_cross_entropy", "mse"]


def softmax_cross_entropy(logits, targets, mask=None):
    """Mean negative log-probability of the targets under softmax(logits), and dlogits."""
    if targets.shape != logits.shape[:-1] or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(
            f"softmax_cross_entropy: targets must be integer class ids of shape "
            f"{logits.shape[:-1]} (logits.shape[:-1]), got {targets.dtype} {targets.shape}"
        )
    V = logits.shape[-1]
    if targets.size and (targets.min() < 0 or targets.max() >= V):
        raise ValueError(
            f"softmax_cross_entropy: targets must be in [0, {V}), "
            f"got values in [{targets.min()}, {targets.max()}]"
        )
    weights = np.ones(targets.shape) if mask is None else np.asarray(mask, dtype=np.float64)
    if weights.shape != targets.shape:
        raise ValueError(
            f"softmax_cross_entropy: mask must be {targets.shape} like targets, "
            f"got {weights.shape}"
        )
    # log softmax = z - logsumexp(z); with the maximum taken out first, nothing overflows.
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_p = shifted - log_norm
    # Flatten the leading axes: row n holds one position, y[n] its target class.
    log_p, y, w = log_p.reshape(-1, V), targets.reshape(-1), weights.reshape(-1)
    rows = np.arange(len(y))
    count = max(w.sum(), 1e-12)  # an all-masked batch has loss 0, not NaN
    loss = -(w * log_p[rows, y]).sum() / count
    # d(-log p_y)/dz = softmax(z) - onehot(y), weighted and averaged like the loss.
    dlogits = np.exp(log_p)
    dlogits[rows, y] -= 1
    dlogits *= (w / count)[:, None].astype(logits.dtype)
    return float(loss), dlogits.reshape(logits.shape)


def mse(predictions, targets):
    """Mean squared error over every element, and its gradient."""
    if predictions.shape != targets.shape:
        raise ValueError(
            f"mse: targets must be {predictions.shape} like predictions, got {targets.shape}"
        )
    diff = predictions - targets
    loss = np.mean(np.square(diff, dtype=np.float64))
    dpredictions = (2 / diff.size) * diff
    return float(loss), dpredictions.astype(predictions.dtype, copy=False)
