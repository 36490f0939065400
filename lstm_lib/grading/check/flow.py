"""Checker for problem set 04's gradient flow: how far back a gradient reaches in an LSTM."""

import numpy as np

from .. import reference as ref
from ..feedback import Check, close, fmt
from .common import library_pieces


def gradient_by_lag(W, U, forget_bias, x, input_scale, loss="sum", block=1):
    """(T,) mean over the batch of |dL/dx_t| by lag T-1-t, relative to lag 0; L = sum of h_T.

    The bias is zero but for `block` (the forget block, 1), set to forget_bias; the LSTM reads
    input_scale * x from zero states.
    """
    B, H = x.shape[0], U.shape[0]
    b = np.zeros(4 * H)
    b[block * H:(block + 1) * H] = forget_bias
    xs, zeros = input_scale * x, np.zeros((B, H))
    hs, _ = ref.lstm_forward(xs, zeros, zeros, W, U, b)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = 1.0
    dx = ref.lstm_backward(dhs, xs, zeros, zeros, W, U, b)[0]
    by_step = np.linalg.norm(dx, axis=2).mean(axis=0)  # (T,), time order
    return by_step[::-1] / by_step[-1]


def first_below(norms, threshold):
    below = np.flatnonzero(norms < threshold)
    return int(below[0]) if below.size else None


def vanishing_lag(fn, points=None, seed=None, quiet=False, never=False, **sizes):
    """fn(kernel, recurrent_kernel, forget_bias, x, input_scale, threshold) -> (norms (T,), lag).

    never=True: a threshold below every norm, so the answer is lag None.
    """
    with Check("vanishing_lag", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        T = int(sizes.get("T") or c.rng.integers(25, 45))
        W = c.randn(D, 4 * H, scale=1 / np.sqrt(D))
        U = np.linalg.qr(c.randn(4 * H, H))[0].T  # (H, 4H), orthonormal rows as Keras's
        forget_bias = float(c.rng.uniform(-1.0, 2.0))
        input_scale = float(c.rng.uniform(0.3, 3.0))
        x = c.randn(B, T, D)
        want = gradient_by_lag(W, U, forget_bias, x, input_scale)
        threshold = _threshold(c, want, never)
        result = c.call(fn, W, U, forget_bias, x, input_scale, threshold,
                        allow=library_pieces())
        norms, lag = c.outputs(result, ("norms", "lag"))
        norms = c.array("norms", norms, (T,), "(T,)")
        _diagnose_norms(c, norms, want, W, U, forget_bias, x, input_scale)
        _diagnose_lag(c, lag, norms, threshold, T)


def _threshold(c, norms, never):
    """A threshold the norms cross (or never cross), well away from every norm."""
    logs = np.log(norms)
    if never:
        return float(np.exp(logs.min() - 1.0))
    for _ in range(100):
        k = int(c.rng.integers(2, len(norms) - 2))
        between = np.sort(logs)[k - 1:k + 1]
        threshold = float(np.exp(between.mean()))
        if np.min(np.abs(logs - np.log(threshold))) > 1e-3 and threshold < 1:
            return threshold
    return float(np.exp(logs.min() - 1.0))


def _diagnose_norms(c, norms, want, W, U, forget_bias, x, input_scale):
    if close(norms, want):
        return
    B, T = x.shape[:2]

    def raw():
        xs, H = input_scale * x, U.shape[0]
        b = np.zeros(4 * H)
        b[H:2 * H] = forget_bias
        zeros = np.zeros((B, H))
        hs, _ = ref.lstm_forward(xs, zeros, zeros, W, U, b)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = 1.0
        return ref.lstm_backward(dhs, xs, zeros, zeros, W, U, b)[0]

    dx = raw()
    by_lag = np.linalg.norm(dx, axis=2).mean(axis=0)[::-1]
    gates = ("input", "forget", "candidate", "output")
    c.mistakes((norms,), [
        ("norms[0] is the first step's gradient: the norms are at the wrong end of the "
         "sequence. Index by lag, T - 1 - t: norms[0] is the last step x[:, T-1], "
         "norms[k] the step k before it (reverse the time axis).",
         lambda: want[::-1] / want[-1]),
        ("norms[0] is the first step's gradient: the norms are at the wrong end of the "
         "sequence. Index by lag, T - 1 - t: norms[0] is the last step x[:, T-1], "
         "norms[k] the step k before it (reverse the time axis).", lambda: want[::-1]),
        ("these are the norms themselves: divide them by the norm at lag 0, so that norms[0] "
         "is 1 and norms[k] says how much of the gradient is left k steps back.",
         lambda: by_lag),
        ("you took the norm of the whole batch at each step: take each example's norm over "
         "its D features, then the mean over the batch.",
         lambda: (lambda n: n / n[0])(np.linalg.norm(dx, axis=(0, 2))[::-1])),
        ("the inputs were not scaled: the LSTM reads input_scale * x.",
         lambda: gradient_by_lag(W, U, forget_bias, x, 1.0)),
        *[(f"forget_bias went into the {gates[k]} block bias[{k}H:{k + 1}H]: the forget "
           "gate is the second block, bias[H:2H] (order i, f, c, o).",
           lambda k=k: gradient_by_lag(W, U, forget_bias, x, input_scale, block=k))
          for k in (0, 2, 3)],
    ])
    c.same("norms", norms, want, "norms[k] = mean over the batch of |dL/dx_{T-1-k}| (over the "
           "D features), divided by the same at lag 0; L = the sum of h_T, so dhs is zero but "
           "for dhs[:, -1] = 1, and the bias is zero but for its forget block.")


def _diagnose_lag(c, lag, norms, threshold, T):
    want = first_below(norms, threshold)
    if want is None:
        if lag is not None:
            c.fail(f"no norm falls below threshold = {fmt(threshold)} (the smallest is "
                   f"{fmt(norms.min())}), so the lag is None; you returned {lag!r}.")
        return
    if lag is None:
        c.fail(f"norms[{want}] = {fmt(norms[want])} is below threshold = {fmt(threshold)}: "
               f"the lag is {want}, not None.")
    if not isinstance(lag, (int, np.integer)) or isinstance(lag, (bool, np.bool_)):
        c.fail(f"`lag` should be an int (or None), got a {type(lag).__name__}.")
    if lag == want:
        return
    if lag == want + 1:
        c.fail(f"lag {lag} is one too late: norms[{want}] = {fmt(norms[want])} is already "
               f"below threshold = {fmt(threshold)}. Is the lag counted from 1, or the step "
               "after the crossing returned?")
    if lag == want - 1:
        c.fail(f"lag {lag} is one too early: norms[{lag}] = {fmt(norms[lag])} is still "
               f"above threshold = {fmt(threshold)}. Return the first lag whose norm is below "
               "it, not the last one above.")
    if lag == T - 1 - want:
        c.fail(f"{lag} is the time step t = T - 1 - lag of the crossing, not its lag: lag "
               f"{want} counts steps back from the last one.")
    c.fail(f"lag = {lag!r}, expected {want}: the smallest k with norms[k] < threshold "
           f"(norms[{want}] = {fmt(norms[want])}, threshold = {fmt(threshold)}).")
