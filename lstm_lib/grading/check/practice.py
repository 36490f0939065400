"""Checkers for LSTMs in practice (problem set 11): masking, bidirectional layers, windows of a
series, and the last valid output of sequences of different lengths."""

import numpy as np

from .. import reference as ref
from ..feedback import Check, close, first_bad_step


def _rnn_weights(c, D, H):
    return c.randn(D, H, scale=0.6), c.randn(H, H, scale=0.6), c.randn(H, scale=0.5)


def _masked(x, mask, h0, W, U, b, hold_state=True, masked_output="previous output"):
    """The masked RNN, as Keras's generic loop runs it, or with a classic mistake.

    masked_output: what a masked step outputs - "previous output" (Keras: the last output,
    zeros before the row's first real step), "zeros", or "state" (the held state: h0 before the
    first real step). hold_state=False: the state takes the step even where it is masked.
    """
    hs, h, out = [], h0, np.zeros_like(h0)
    for t in range(x.shape[1]):
        new = ref.rnn_step(x[:, t], h, W, U, b)
        keep = mask[:, t, None]
        held = {"previous output": out, "zeros": 0 * new, "state": h}[masked_output]
        out = np.where(keep, new, held)
        h = np.where(keep, new, h) if hold_state else new
        hs.append(out)
    return np.stack(hs, axis=1)


def _masks(c, B, T):
    """(B, T) bool: row 0 starts with two masked steps, row B - 1 has a hole at step 1."""
    mask = c.rng.random((B, T)) < 0.6
    mask[0, :2], mask[-1, 1] = False, False  # masked first steps, and one later on
    mask[0, -1] = mask[-1, 0] = True
    return mask


def masked_rnn_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, mask (B, T) bool, h0, kernel, recurrent_kernel, bias) -> hs (B, T, H)."""
    with Check("masked_rnn_forward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x, h0 = c.randn(B, T, D), c.randn(B, H)
        W, U, b = _rnn_weights(c, D, H)
        mask = _masks(c, B, T)
        hs = c.outputs(c.call(fn, x, mask, h0, W, U, b), "hs", (B, T, H), "(B, T, H)")
        want = _masked(x, mask, h0, W, U, b)
        if close(hs, want):
            return
        c.mistakes((hs,), [
            ("the mask is ignored: at a step where mask[b, t] is False, row b keeps its state.",
             lambda: ref.rnn_forward(x, h0, W, U, b)),
            ("before a row's first real step your outputs are h0, but Keras outputs zeros "
             "there: a masked step repeats the previous *output*, and before the first real "
             "step there is none. The state, h0, is carried on all the same.",
             lambda: _masked(x, mask, h0, W, U, b, masked_output="state")),
            ("every masked step outputs zeros; Keras writes zeros only before a row's first "
             "real step, and after it repeats the previous output, h_{t-1}, keeping the state.",
             lambda: _masked(x, mask, h0, W, U, b, masked_output="zeros")),
            ("the output is held at masked steps but the state still changes: hold both.",
             lambda: _masked(x, mask, h0, W, U, b, hold_state=False)),
        ])
        t = first_bad_step(hs, want)
        masked = np.flatnonzero(~mask[:, t])
        c.same("hs", hs, want, f"at step {t} rows {masked.tolist()} are masked: "
               "hs[b, t] = hs[b, t - 1] where mask[b, t] is False (zeros before row b's first "
               "real step), a normal step elsewhere.", step=t)


def bidirectional_rnn(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(x (B, T, D), forward_weights, backward_weights) -> (B, T, 2H), [forward | backward].

    forward is the notebook's given rnn_forward(x, h0, kernel, recurrent_kernel, bias).
    """
    with Check("bidirectional_rnn", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x = c.randn(B, T, D)
        fw, bw = _rnn_weights(c, D, H), _rnn_weights(c, D, H)
        out = c.outputs(c.call(fn, x, fw, bw), "outputs", (B, T, 2 * H), "(B, T, 2H)")
        h0 = np.zeros((B, H))
        f = ref.rnn_forward(x, h0, *fw)
        r = ref.rnn_forward(x[:, ::-1], h0, *bw)
        want = np.concatenate([f, r[:, ::-1]], axis=-1)
        if close(out, want):
            return
        c.mistakes((out,), [
            ("the backward outputs are still in reversed time order: flip them back, so that "
             "outputs[:, t] pairs both directions at the same step t.",
             lambda: np.concatenate([f, r], axis=-1)),
            ("the two halves are swapped: the forward direction comes first.",
             lambda: np.concatenate([r[:, ::-1], f], axis=-1)),
            ("the backward layer reads x forwards: run it on x[:, ::-1].",
             lambda: np.concatenate([f, ref.rnn_forward(x, h0, *bw)], axis=-1)),
            ("both directions use the forward weights.",
             lambda: np.concatenate([f, ref.rnn_forward(x[:, ::-1], h0, *fw)[:, ::-1]], -1)),
        ])
        c.same("outputs[..., :H]", out[..., :H], f, "the forward direction: "
               "rnn_forward(x, zeros, *forward_weights).")
        c.same("outputs[..., H:]", out[..., H:], r[:, ::-1], "the backward direction, "
               "run on x[:, ::-1] and flipped back.")


def make_windows(fn, points=None, seed=None, quiet=False):
    """fn(series (N,), window, horizon=1) -> X (M, window, 1), y (M,)."""
    with Check("make_windows", points, seed, quiet) as c:
        N = int(c.rng.integers(15, 40))
        series = c.randn(N)
        for window, horizon in ((int(c.rng.integers(2, 6)), 1),
                                (int(c.rng.integers(2, 6)), int(c.rng.integers(2, 5)))):
            kw = {} if horizon == 1 else {"horizon": horizon}
            M = N - window - horizon + 1
            X, y = c.outputs(c.call(fn, series, window, **kw), ("X", "y"), [(M, window, 1), (M,)],
                             [f"(N - window - horizon + 1, window, 1) = ({M}, {window}, 1)",
                              f"(M,) = ({M},)"])
            want_X = np.stack([series[m:m + window] for m in range(M)])[..., None]
            want_y = series[window + horizon - 1:window + horizon - 1 + M]
            c.same("X", X, want_X, f"X[m, :, 0] = series[m:m + window] (window = {window}).")
            c.same("y", y, want_y, f"y[m] = series[m + window + horizon - 1], the value "
                   f"horizon = {horizon} step(s) after the window's last one.")


def last_valid_output(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(hs (B, T, H), lengths (B,)) -> (B, H): hs[b, lengths[b] - 1] for every b."""
    with Check("last_valid_output", points, seed, quiet) as c:
        B, T, H = c.sizes("B", "T", "H", low=3, **sizes)
        hs = c.randn(B, T, H)
        lengths = c.rng.integers(1, T + 1, size=B)
        lengths[0], lengths[-1] = 1, T
        got = c.outputs(c.call(fn, hs, lengths), "last", (B, H), "(B, H)")
        want = hs[np.arange(B), lengths - 1]
        if close(got, want):
            return
        c.mistakes((got,), [
            ("this is hs[:, -1] for every row: a padded row's last valid step is "
             "lengths[b] - 1.", lambda: hs[:, -1]),
            ("this is hs[b, lengths[b]]: the last valid index is lengths[b] - 1.",
             lambda: hs[np.arange(B), np.minimum(lengths, T - 1)]),
        ])
        c.same("last", got, want, "last[b] = hs[b, lengths[b] - 1].")


MASKED_GRADS = ("dx", "dh0", "dkernel", "drecurrent_kernel", "dbias")


def masked_rnn_backward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(dhs, x, mask, h0, kernel, recurrent_kernel, bias) -> (dx, dh0, dkernel,
    drecurrent_kernel, dbias): BPTT through the masked RNN of masked_rnn_forward."""
    with Check("masked_rnn_backward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x, h0, dhs = c.randn(B, T, D), c.randn(B, H), c.randn(B, T, H)
        W, U, b = _rnn_weights(c, D, H)
        mask = _masks(c, B, T)
        got = c.outputs(c.call(fn, dhs, x, mask, h0, W, U, b), MASKED_GRADS,
                        [(B, T, D), (B, H), (D, H), (H, H), (H,)],
                        ["(B, T, D)", "(B, H)", "(D, H)", "(H, H)", "(H,)"])
        want = ref.masked_rnn_backward(dhs, x, mask, h0, W, U, b)
        if all(close(g, w) for g, w in zip(got, want, strict=True)):
            return
        c.mistakes(got, [
            ("the mask is ignored: this is the plain RNN's BPTT. A masked step holds the state, "
             "h_t = h_{t-1}, so it has no tanh and no weights to differentiate.",
             lambda: ref.rnn_backward(dhs, x, h0, W, U, b)),
            ("a masked step stops the gradient. It holds the state, h_t = h_{t-1}: what reaches "
             "h_t flows on to h_{t-1} unchanged (dh_prev = dh for that row).",
             lambda: ref.masked_rnn_backward(dhs, x, mask, h0, W, U, b, "stop")),
            ("a masked step is differentiated as a normal step. It holds the state: dx = 0 "
             "and no weight gradient for that row, and dh_prev = dh.",
             lambda: ref.masked_rnn_backward(dhs, x, mask, h0, W, U, b, "leak")),
            ("the gradient of the outputs before a row's first real step reaches dh0. Those "
             "outputs are zeros (exercise 4), constants: their dhs[b, t] reaches nothing. Only "
             "what flows back from the row's real steps reaches the held state, h0.",
             lambda: ref.masked_rnn_backward(dhs, x, mask, h0, W, U, b, "h0_output")),
        ])
        t = first_bad_step(got[0], want[0], reverse=True)
        if t is not None:
            masked = np.flatnonzero(~mask[:, t]).tolist()
            c.same("dx", got[0], want[0], f"walking back from the last step, dx differs first "
                   f"at step {t}; rows {masked} are masked there (dx = 0 for them, and their "
                   "gradient passes to step t - 1 unchanged).", step=t)
        hints = {"dh0": "dh0 is what flows out of step 0; a row masked at step 0 passes on "
                        "what reaches it from later steps, but not dhs[b, 0]: its output there "
                        "is a constant zero.",
                 "dkernel": "sum x[:, t].T @ da over the steps, with da = 0 in masked rows.",
                 "drecurrent_kernel": "sum h_prev.T @ da over the steps, h_prev the state "
                                      "*held* before step t, with da = 0 in masked rows.",
                 "dbias": "sum da over the batch and the steps, da = 0 in masked rows."}
        for k, name in enumerate(MASKED_GRADS[1:], start=1):
            c.same(name, got[k], want[k], hints[name])
