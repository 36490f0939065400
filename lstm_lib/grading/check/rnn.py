"""Checkers for the vanilla RNN (problem set 01) and backpropagation through time (02)."""

import numpy as np

from .. import reference as ref
from ..feedback import Check, CheckFailed, close, first_bad_step, fmt, format_shape
from .common import check_bptt, diagnose_sequence

SHAPE_HINT = ("Check which weight goes with which input: x (B, D) @ kernel (D, H), "
              "h_prev (B, H) @ recurrent_kernel (H, H).")


def _weights(c, D, H):
    return c.randn(D, H, scale=0.6), c.randn(H, H, scale=0.6), c.randn(H, scale=0.5)


def rnn_step_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h_prev, kernel, recurrent_kernel, bias) -> h (B, H)."""
    with Check("rnn_step_forward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev = c.randn(B, D), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        h = c.outputs(c.call(fn, x, h_prev, W, U, b, hint=SHAPE_HINT), "h", (B, H), "(B, H)")
        want = ref.rnn_step(x, h_prev, W, U, b)
        if not close(h, want):
            c.mistakes((h,), [
                ("the bias is missing.", lambda: np.tanh(x @ W + h_prev @ U)),
                ("the recurrent term h_prev @ recurrent_kernel is missing.",
                 lambda: np.tanh(x @ W + b)),
                ("the input term x @ kernel is missing.", lambda: np.tanh(h_prev @ U + b)),
                ("no tanh: h = tanh(a), not a.", lambda: x @ W + h_prev @ U + b),
                ("a sigmoid instead of tanh.", lambda: ref.sigmoid(x @ W + h_prev @ U + b)),
                ("kernel and recurrent_kernel are swapped.",
                 lambda: np.tanh(x @ U + h_prev @ W + b)),
            ])
            c.same("h", h, want, "h = tanh(x @ kernel + h_prev @ recurrent_kernel + bias)")


def rnn_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h0, kernel, recurrent_kernel, bias) -> hs (B, T, H)."""
    with Check("rnn_forward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0 = c.randn(B, T, D), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        hs = c.outputs(c.call(fn, x, h0, W, U, b, hint=SHAPE_HINT), "hs", (B, T, H), "(B, T, H)")
        want = ref.rnn_forward(x, h0, W, U, b)
        if not close(hs, want):
            diagnose_sequence(c, hs, want, lambda t: ref.rnn_step(x[:, t], h0, W, U, b), h0)


READOUT_HINT = ("Shapes: x (B, T, D), W_xh (D, H), W_hh (H, H), b_h (H,); the readout "
                "W_hy (H, K), b_y (K,): y = h_T @ W_hy + b_y is (B, K).")


def rnn_many_to_one(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h0, W_xh, W_hh, b_h, W_hy, b_y) -> (y (B, K), h_T (B, H)): a vanilla RNN in
    Keras's layout reads the whole sequence, and a linear readout of its last state alone
    gives one prediction per sequence, y = h_T @ W_hy + b_y. B, D, H and K all differ, so a
    readout used transposed does not fit."""
    with Check("rnn_many_to_one", points, seed, quiet) as c:
        B, T, D, H, K = c.sizes("B", "T", "D", "H", "K", **sizes)
        x, h0 = c.randn(B, T, D), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        V, b_y = c.randn(H, K, scale=0.8), c.randn(K, scale=0.5)

        def run(xs):
            try:
                result = c.call(fn, xs, h0, W, U, b, V, b_y, hint=READOUT_HINT)
            except CheckFailed as e:
                cause = e.__cause__
                if isinstance(cause, ValueError) and any(
                        f"size {m} is different from {n}" in str(cause)
                        for m, n in ((K, H), (H, K))):
                    raise CheckFailed(
                        f"rnn_many_to_one: your function raised ValueError: {cause}\n  It was "
                        f"called with W_hy {format_shape(V.shape)} = (H, K) and b_y "
                        f"{format_shape(b_y.shape)}. The readout maps a state (B, H) to a "
                        "prediction (B, K): h_T @ W_hy, with W_hy as it is (no transpose, and "
                        "h_T on the left).") from cause
                raise
            return c.outputs(result, ("y", "h_T"), [(B, K), (B, H)], ["(B, K)", "(B, H)"])

        y, h_T = run(x)
        hs = ref.rnn_forward(x, h0, W, U, b)
        want_y, want_h = hs[:, -1] @ V + b_y, hs[:, -1]
        if close(y, want_y) and close(h_T, want_h):
            return
        if close(h_T, want_y) and close(y, want_h):
            c.fail("y and h_T are swapped: return (y, h_T), in that order.")

        def readout(h):
            return h @ V + b_y

        c.mistakes((y,), [
            ("the readout is applied at every step and the predictions averaged. Many to one "
             "reads the last state only: y = h_T @ W_hy + b_y.", lambda: readout(hs).mean(1)),
            ("the readout is applied at every step and the predictions summed. Many to one "
             "reads the last state only: y = h_T @ W_hy + b_y.", lambda: readout(hs).sum(1)),
            ("the readout reads the average of the states. Many to one reads the last state "
             "only: y = h_T @ W_hy + b_y.", lambda: readout(hs.mean(1))),
            ("the readout reads the sum of the states. Many to one reads the last state only: "
             "y = h_T @ W_hy + b_y.", lambda: readout(hs.sum(1))),
            ("the readout reads the initial state h0, not the last state h_T.",
             lambda: readout(h0)),
            ("the readout reads h_{T-1}, the state one step before the end: is it applied "
             "before the last step (or the loop one step short)?", lambda: readout(hs[:, -2])),
            ("the readout reads the first state, after x[:, 0]; many to one reads the last.",
             lambda: readout(hs[:, 0])),
            ("the bias b_y is missing: y = h_T @ W_hy + b_y.", lambda: hs[:, -1] @ V),
            ("y is squashed with a tanh: the readout is linear, y = h_T @ W_hy + b_y.",
             lambda: np.tanh(readout(hs[:, -1]))),
            ("the readout is squashed with a sigmoid: it is linear, y = h_T @ W_hy + b_y.",
             lambda: ref.sigmoid(readout(hs[:, -1]))),
        ])
        if close(h_T, want_h):
            c.same("y", y, want_y, "h_T is right: y = h_T @ W_hy + b_y, the readout of the "
                   "last state alone.")
        if T > 1 and close(h_T, hs[:, -2]):
            c.fail(f"h_T is the state after T - 1 = {T - 1} steps: the loop is one step short "
                   "(range(T) reads every x[:, t]).")
        if close(h_T, h0):
            c.fail("h_T is h0: the loop never updates the state it returns.")
        if T > 1 and close(h_T, ref.rnn_step(x[:, -1], h0, W, U, b)):
            c.fail("h_T is one step from h0 on the last input: every step must start from the "
                   "previous step's state (carry h through the loop).")
        # Which prefix of x does it first get wrong? Rerun on x[:, :k] for k = 1..T.
        prefixes = np.stack([run(x[:, :k])[1] for k in range(1, T + 1)], axis=1)
        t = first_bad_step(prefixes, hs)
        if t is None:
            c.same("h_T", h_T, want_h, "h_T is the state after the last step.")
        where = ("already after one step, on x[:, :1]: check the step formula, "
                 "h = tanh(x_t @ W_xh + h_prev @ W_hh + b_h)." if t == 0 else
                 f"right on the first {t} steps, x[:, :{t}], and wrong from {t + 1} steps on: "
                 "is the state carried from step to step?")
        c.same("h_T", prefixes, hs, f"rerun on the first k steps of x, your h_T is {where}",
               step=t)


def largest_units(fn, points=None, seed=None, quiet=False):
    """fn(budget, D, K) -> the largest H (an int) for which SimpleRNN(H) on D inputs, then
    Dense(K), has at most `budget` trainable numbers."""
    with Check("largest_units", points, seed, quiet) as c:
        D, K = int(c.rng.integers(1, 300)), int(c.rng.integers(1, 40))

        def count(H, d=D, k=K):
            return d * H + H * H + H + H * k + k

        budgets = [count(1)]  # the smallest budget: H = 1
        for H in c.rng.integers(2, 400, size=6):  # met exactly, one short of H + 1, between
            H = int(H)
            budgets += [count(H), count(H + 1) - 1, int(c.rng.integers(count(H), count(H + 1)))]
        got = []
        for budget in budgets:
            H = c.call(fn, budget, D, K)
            if isinstance(H, (bool, np.bool_)) or not isinstance(H, (int, np.integer)):
                c.fail(f"should return an int, got {type(H).__name__} {H!r}.")
            got.append(int(H))
        want = [_largest(count, budget) for budget in budgets]
        if got != want:
            _diagnose_units(c, got, want, budgets, D, K, count)


def _largest(count, budget):
    H = 1
    while count(H + 1) <= budget:
        H += 1
    return H


def _diagnose_units(c, got, want, budgets, D, K, count):
    """Name the mistake whose answers are the learner's on every budget, else the first."""
    k = next(j for j, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    budget, H, right = budgets[k], got[k], want[k]
    case = f"for budget = {budget}, D = {D}, K = {K} you return H = {H}, expected {right}"
    if got == [w + 1 for w in want]:
        c.fail(f"{case}: H = {H} needs {count(H)} numbers, over the budget: that is the first "
               "H that does not fit; the answer is the one before it.")
    strict = [_largest(lambda n: count(n) + 1, b) for b in budgets]
    if got == strict:
        c.fail(f"{case}: H = {right} uses exactly {budget} numbers, and a budget met exactly "
               "is allowed (count <= budget, not <).")
    variants = [
        (lambda n: D * n + n * n + n + n * K, "the head's bias (K numbers) is missing."),
        (lambda n: D * n + n * n + n, "the Dense head is missing: its kernel (H, K) and bias "
         "(K,) count against the budget too."),
        (lambda n: D * n + n * n + n * K + K, "the recurrent layer's bias (H numbers) is "
         "missing."),
        (lambda n: D * n + n + n * K + K, "the recurrent kernel (H, H) is missing."),
        (lambda n: 2 * D * n + n + n * K + K, "the recurrent kernel is (H, H), not (D, H)."),
    ]
    for wrong, hint in variants:
        if got == [_largest(wrong, b) for b in budgets]:
            c.fail(f"{case}: your count leaves something out: {hint}")
    used = f"H = {H} needs {count(H)} numbers" if H > 0 else f"H = {H} is no layer"
    c.fail(f"{case} ({used}; H = {right} needs {count(right)}, H = {right + 1} needs "
           f"{count(right + 1)}). Count kernel (D, H), recurrent kernel (H, H), bias (H,), "
           "then the head's kernel (H, K) and bias (K,).")


BATCH_HINT = ("W_xh is (H, D) and W_hh (H, H), the textbook's layout: row b needs "
              "W_xh @ x[b], and for all rows at once that is x @ W_xh.T, (B, D) @ (D, H).")


def rnn_step_batch(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x (B, D), h_prev (B, H), W_xh (H, D), W_hh (H, H), b_h (H,)) -> h (B, H), row b
    equal to tanh(W_xh @ x[b] + W_hh @ h_prev[b] + b_h), without a loop over the batch."""
    from .speed import counted

    with Check("rnn_step_batch", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev = c.randn(B, D), c.randn(B, H)
        W_xh, W_hh, b_h = c.randn(H, D, scale=0.6), c.randn(H, H, scale=0.6), c.randn(H)
        result, n = counted(c, fn, x, h_prev, W_xh, W_hh, b_h, hint=BATCH_HINT)
        h = c.outputs(result, "h", (B, H), "(B, H)")
        want = np.stack([np.tanh(W_xh @ x[b] + W_hh @ h_prev[b] + b_h) for b in range(B)])
        if not close(h, want):
            c.mistakes((h,), [
                ("the recurrent term is h_prev @ W_hh, which uses W_hh's transpose: row b needs "
                 "W_hh @ h_prev[b], and for the batch that is h_prev @ W_hh.T. The shapes "
                 "cannot warn you, because W_hh is square.",
                 lambda: np.tanh(x @ W_xh.T + h_prev @ W_hh + b_h)),
                ("the input term is x @ W_xh, which uses W_xh's transpose (the shapes only fit "
                 "because D = H here): row b needs W_xh @ x[b], that is x @ W_xh.T.",
                 lambda: np.tanh(x @ W_xh + h_prev @ W_hh.T + b_h)),
                ("the bias is missing.", lambda: np.tanh(x @ W_xh.T + h_prev @ W_hh.T)),
                ("the recurrent term is missing.", lambda: np.tanh(x @ W_xh.T + b_h)),
                ("no tanh: h = tanh(a), not a.", lambda: x @ W_xh.T + h_prev @ W_hh.T + b_h),
            ])
            c.same("h", h, want, "row b of h must be tanh(W_xh @ x[b] + W_hh @ h_prev[b] + b_h)"
                   ", the single-example step.")
        if n > 3:
            c.fail(f"the values are right, but your step took {n} matrix products for B = {B} "
                   "rows: a loop over the batch. One product per weight computes every row at "
                   "once, x @ W_xh.T is (B, H).")


# -- 02: backpropagation through time ----------------------------------------------------

STEP_GRADS = ("dx", "dh_prev", "dkernel", "drecurrent_kernel", "dbias")
STEP_HINTS = {
    "dbias": "dbias = da.sum(axis=0), where da = dh * (1 - h**2) is the gradient through tanh.",
    "dkernel": "dkernel = x.T @ da.",
    "drecurrent_kernel": "drecurrent_kernel = h_prev.T @ da.",
    "dx": "dx = da @ kernel.T.",
    "dh_prev": "dh_prev = da @ recurrent_kernel.T.",
}


def rnn_step_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dh, cache) -> (dx, dh_prev, dkernel, drecurrent_kernel, dbias); cache from forward."""
    with Check("rnn_step_backward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev, dh = c.randn(B, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        h, cache = c.call(forward, x, h_prev, W, U, b)
        got = c.outputs(c.call(fn, dh, cache), STEP_GRADS,
                        [(B, D), (B, H), (D, H), (H, H), (H,)],
                        ["(B, D)", "(B, H)", "(D, H)", "(H, H)", "(H,)"])
        want = ref.rnn_step_backward(dh, x, h_prev, h, W, U)
        if all(close(g, w) for g, w in zip(got, want, strict=True)):
            return
        c.mistakes(got, [
            ("the tanh derivative is missing: da = dh * (1 - h**2), then use da everywhere.",
             lambda: ref.rnn_step_backward(dh, x, h_prev, np.zeros_like(h), W, U)),
            ("tanh' is 1 - h**2, not 1 - h.",
             lambda: ref.rnn_step_backward(dh * (1 - h) / (1 - h * h), x, h_prev, h, W, U)),
        ])
        order = ("dbias", "dkernel", "drecurrent_kernel", "dx", "dh_prev")
        for name in order:
            k = STEP_GRADS.index(name)
            c.same(name, got[k], want[k], STEP_HINTS[name])


def leaky_rnn_step_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dh, cache) -> (dx, dh_prev, dkernel, drecurrent_kernel, dbias) of the leaky RNN step
    h = (1 - alpha) h_prev + alpha tanh(x W + h_prev U + b); cache from forward."""
    with Check("leaky_rnn_step_backward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev, dh = c.randn(B, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        alpha = float(c.rng.uniform(0.1, 0.9))
        _, cache = c.call(forward, x, h_prev, W, U, b, alpha)
        got = c.outputs(c.call(fn, dh, cache), STEP_GRADS,
                        [(B, D), (B, H), (D, H), (H, H), (H,)],
                        ["(B, D)", "(B, H)", "(D, H)", "(H, H)", "(H,)"])
        want = ref.leaky_rnn_step_backward(dh, x, h_prev, W, U, b, alpha)
        if all(close(g, w) for g, w in zip(got, want, strict=True)):
            return

        def wrong(mistake):
            return lambda: ref.leaky_rnn_step_backward(dh, x, h_prev, W, U, b, alpha, mistake)

        c.mistakes(got, [
            ("dh_prev misses the direct path: h_prev reaches h twice, through tanh and through "
             "(1 - alpha) * h_prev, so dh_prev = (1 - alpha) * dh + da @ recurrent_kernel.T.",
             wrong("no_leak")),
            ("the direct path of dh_prev is (1 - alpha) * dh, not dh.",
             wrong("leak_without_factor")),
            (f"da misses the factor alpha = {alpha:.3g}: h = ... + alpha * tanh(a), so "
             "da = dh * alpha * (1 - h_tilde**2).", wrong("no_alpha")),
        ])
        hints = {"dbias": "dbias = da.sum(axis=0), with da = dh * alpha * (1 - h_tilde**2).",
                 "dh_prev": "dh_prev = (1 - alpha) * dh + da @ recurrent_kernel.T."}
        for name in ("dbias", "dkernel", "drecurrent_kernel", "dx", "dh_prev"):
            k = STEP_GRADS.index(name)
            c.same(name, got[k], want[k], hints.get(name, STEP_HINTS[name]))

SEQ_GRADS = ("dx", "dh0", "dkernel", "drecurrent_kernel", "dbias")


def rnn_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dhs, cache) -> (dx, dh0, dkernel, drecurrent_kernel, dbias); cache from forward."""
    with Check("rnn_backward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0, dhs = c.randn(B, T, D), c.randn(B, H), c.randn(B, T, H)
        W, U, b = _weights(c, D, H)
        hs, cache = c.call(forward, x, h0, W, U, b)
        got = c.outputs(c.call(fn, dhs, cache), SEQ_GRADS,
                        [(B, T, D), (B, H), (D, H), (H, H), (H,)],
                        ["(B, T, D)", "(B, H)", "(D, H)", "(H, H)", "(H,)"])
        want = ref.rnn_backward(dhs, x, h0, W, U, b)
        check_bptt(c, SEQ_GRADS, got, want, [
            ("the gradient that flows back through h from step t + 1 is dropped: at step t "
             "the upstream gradient is dhs[:, t] + dh_prev (from step t + 1).",
             lambda: ref.rnn_backward(dhs, x, h0, W, U, b, recurrent=False)),
        ])


def truncated_bptt(dhs, x, h0, W, U, b, cut):
    """BPTT that drops the gradient flowing out of every step t with cut(t) into step t - 1.

    Truncated BPTT with windows of k steps from the start: cut(t) = t > 0 and t % k == 0.
    """
    hs = ref.rnn_forward(x, h0, W, U, b)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dx, dW, dU, db = np.zeros_like(x), np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        g = ref.rnn_step_backward(dhs[:, t] + dh_next, x[:, t], prev[:, t], hs[:, t], W, U)
        dx[:, t], dh_next = g[0], 0 * g[1] if cut(t) else g[1]
        dW, dU, db = dW + g[2], dU + g[3], db + g[4]
    return dx, dh_next, dW, dU, db


def truncated_rnn_backward(fn, forward, points=None, seed=None, quiet=False, k=None, **sizes):
    """fn(dhs, caches, k) -> (dx, dh0, dkernel, drecurrent_kernel, dbias): BPTT within windows
    of k steps, [0, k), [k, 2k), ..., no gradient carried from one window into the one before."""
    with Check("truncated_rnn_backward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        T = int(sizes.get("T") or c.rng.integers(10, 20))
        if k is None:
            # Three windows or more, the last neither full nor of one or k - 1 steps: then
            # every window mistake below gives gradients of its own.
            k = int(c.rng.integers(4, 7))
            T = max(T, 2 * k + 2)
            while T % k in (0, 1, k - 1):
                T += 1
        k = int(k)
        x, h0, dhs = c.randn(B, T, D), c.randn(B, H), c.randn(B, T, H)
        W, U, b = _weights(c, D, H)
        hs, cache = c.call(forward, x, h0, W, U, b)
        got = c.outputs(c.call(fn, dhs, cache, k), SEQ_GRADS,
                        [(B, T, D), (B, H), (D, H), (H, H), (H,)],
                        ["(B, T, D)", "(B, H)", "(D, H)", "(H, H)", "(H,)"])

        def windows(size, start=0):
            """Windows of `size` steps from step `start` (negative: counted from the end)."""
            return lambda: truncated_bptt(dhs, x, h0, W, U, b,
                                          lambda t: t > 0 and (t - start) % size == 0)

        want = windows(k)()
        cuts = [t for t in range(1, T) if t % k == 0]
        where = f"(T = {T}, k = {k}: windows start at steps 0, {', '.join(map(str, cuts))})"
        mistakes = [
            ("this is full BPTT, with no cut: the gradient must stop at the start of each "
             f"window {where}.", lambda: truncated_bptt(dhs, x, h0, W, U, b, lambda t: False)),
            ("the gradient never flows from one step to the one before: truncation cuts it "
             f"only where a window starts {where}.", lambda: truncated_bptt(
                 dhs, x, h0, W, U, b, lambda t: t > 0)),
            (f"your windows are k + 1 = {k + 1} steps long: step t starts a window when "
             f"t % k == 0 {where}.", windows(k + 1)),
            (f"your windows are k - 1 = {k - 1} steps long: step t starts a window when "
             f"t % k == 0 {where}.", windows(k - 1)),
            (f"the cut is one step late: you drop the gradient flowing out of steps 1, "
             f"{k + 1}, ...; it is the gradient out of step {k}, the first step of the second "
             f"window, that must stop {where}.", windows(k, start=1)),
            (f"the cut is one step early: you drop the gradient flowing out of step {k - 1}, "
             f"the last step of the first window; it is the gradient out of step {k}, the "
             f"first step of the next window, that must stop {where}.", windows(k, start=-1)),
            ("your windows are counted from the end of the sequence; they start at step 0, as "
             f"the sequence is fed to the model in windows {where}.", windows(k, start=T)),
            ("dh0 is zero: the first window starts at step 0 and nothing cuts the gradient "
             "flowing out of it into h0.", lambda: (*want[:1], 0 * want[1], *want[2:])),
        ]
        check_bptt(c, SEQ_GRADS, got, want, mistakes)


def _random_grads(c):
    """Gradients to clip: two matrices and a vector of random small shapes."""
    shapes = [(int(c.rng.integers(2, 6)), int(c.rng.integers(2, 6))) for _ in range(2)]
    return [c.randn(*s) for s in shapes] + [c.randn(int(c.rng.integers(2, 6)))]


def _clipped_arrays(c, clipped, grads):
    """The learner's clipped gradients, checked to be one array per gradient, of its shape."""
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        c.fail(f"`clipped` should be a list of {len(grads)} arrays, one per gradient.")
    return [c.array(f"clipped[{k}]", g, w.shape)
            for k, (g, w) in enumerate(zip(clipped, grads, strict=True))]


def clip_by_global_norm(fn, points=None, seed=None, quiet=False):
    """fn(grads, max_norm) -> (clipped, norm)."""
    with Check("clip_by_global_norm", points, seed, quiet) as c:
        grads = _random_grads(c)
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        for max_norm in (norm * c.rng.uniform(0.2, 0.8), norm * c.rng.uniform(1.2, 3.0)):
            given = [g.copy() for g in grads]
            result = c.call(fn, given, max_norm)
            clipped, got_norm = c.outputs(result, ("clipped", "norm"))
            if not all(np.array_equal(g, h) for g, h in zip(given, grads, strict=True)):
                c.fail("your function changed the gradients it was given (in place). "
                       "Return new arrays: g * scale, not g *= scale.")
            clipped = _clipped_arrays(c, clipped, grads)
            if not np.isscalar(got_norm) and np.shape(got_norm) != ():
                c.fail(f"`norm` should be one number, got shape {np.shape(got_norm)}.")
            want, want_norm = ref.clip_by_global_norm(grads, max_norm)
            if not close(got_norm, want_norm):
                per_tensor = [np.sqrt(np.sum(g * g)) for g in grads]
                hint = ("it looks like the norm of one gradient only; "
                        if any(close(got_norm, n) for n in per_tensor) else "")
                c.fail(f"norm = {got_norm:.6g}, expected {want_norm:.6g}: {hint}the global norm "
                       "is sqrt of the sum of the squares of every entry of every gradient, "
                       "measured before clipping.")
            for k, (g, w) in enumerate(zip(clipped, want, strict=True)):
                below = max_norm >= want_norm
                c.same(f"clipped[{k}]", g, w,
                       "the norm is below max_norm here: return the gradients unchanged."
                       if below else "scale every gradient by max_norm / norm, the same "
                       "factor for all of them.")


def numerical_gradient(fn, points=None, seed=None, quiet=False, shape=None):
    """fn(f, x, eps) -> the central-difference gradient of the scalar f at x, same shape."""
    with Check("numerical_gradient", points, seed, quiet) as c:
        shape = shape or tuple(int(n) for n in c.rng.integers(2, 5, size=2))
        x0 = c.randn(*shape)
        a, w = c.uniform(*shape, scale=2.0), c.randn(*shape)

        def f(x):
            return float(np.sum(a * np.sin(x) + 0.5 * w * x**3))

        x = x0.copy()
        eps = 1e-4
        grad = c.array("grad", c.call(fn, f, x, eps, allow=(f,), copy=False), shape,
                       f"x.shape = {shape}")
        if not np.array_equal(x, x0):
            c.fail("x is not as it was after your function ran: put each entry back after "
                   "perturbing it (x[idx] = old).")
        want = a * np.cos(x0) + 1.5 * w * x0**2
        forward = np.zeros(shape)
        for idx in np.ndindex(shape):
            e = np.zeros(shape)
            e[idx] = eps
            forward[idx] = (f(x0 + e) - f(x0)) / eps
        if close(grad, forward, rtol=1e-9, atol=1e-9) or close(grad, 2 * want, 1e-5, 1e-6):
            c.fail("use the central difference (f(x + eps) - f(x - eps)) / (2 * eps): "
                   "its error is O(eps**2), the one-sided difference's O(eps).")
        c.same("grad", grad, want, "grad[idx] = (f(x + eps e_idx) - f(x - eps e_idx)) / (2 eps),"
               " one entry idx of x at a time.", rtol=1e-5, atol=1e-6)


def bracket_counter(fn, points=None, seed=None, quiet=False, T=None, B=300):
    """fn() -> (kernel (2, H), recurrent_kernel (H, H), bias (H,), readout (H,)): a vanilla RNN
    on one-hot brackets (feature 0 "(", feature 1 ")") whose h_T @ readout is the depth at the
    end, #"(" - #")", within 0.1."""
    names = ("kernel", "recurrent_kernel", "bias", "readout")
    with Check("bracket_counter", points, seed, quiet) as c:
        result = c.outputs(c.call(fn), names)
        bias = c.array("bias", result[2], np.shape(result[2]))
        if bias.ndim != 1 or not bias.size:
            c.fail(f"`bias` has shape {bias.shape}, expected (H,).")
        H = bias.size
        W, U, b, V = (c.array(n, v, s, d) for n, v, s, d in zip(
            names, result, [(2, H), (H, H), (H,), (H,)],
            ["(D, H) with D = 2 (open, close)", "(H, H)", "(H,)", "(H,)"], strict=True))
        T = int(c.rng.integers(10, 61)) if T is None else int(T)
        opens = c.rng.random((B, T)) < c.rng.uniform(0.3, 0.7, size=(B, 1))
        x = np.stack([opens, ~opens], axis=2).astype(np.float64)
        hs = ref.rnn_forward(x, np.zeros((B, H)), W, U, b)
        y = hs[:, -1] @ V
        n_open = opens.sum(axis=1).astype(float)
        want = n_open - (T - n_open)
        err = np.abs(y - want)
        tol = 0.1
        if err.max() < tol:
            return
        last = np.where(opens[:, -1], 1.0, -1.0)
        k = float(y @ want / (want @ want)) if want @ want else 0.0
        if np.abs(y + want).max() < tol:
            c.fail("h_T @ readout is minus the depth: the sign is flipped ('(' adds one).")
        if np.abs(y - n_open).max() < tol or np.abs(y - (T - n_open)).max() < tol:
            c.fail("h_T @ readout counts one kind of bracket only: '(' adds one and ')' "
                   "subtracts one.")
        if np.abs(y - last).max() < tol or np.abs(U).max() == 0:
            c.fail("h_T @ readout sees only the last step: the state must carry the count "
                   "from step to step, through recurrent_kernel.")
        if np.abs(y - k * want).max() < tol:
            c.fail(f"h_T @ readout is {k:.3g} x the depth: the readout's scale is off; it must "
                   "undo the scale of what each step adds to the state.")
        j = int(np.argmax(err))
        h_max = float(np.abs(hs).max())
        hint = (f"the states reach |h| = {fmt(h_max)}, where tanh(a) is far from a: keep "
                "what a step adds small (about 1e-4), so that the running count stays where "
                "tanh is a straight line, and undo the scale in the readout." if h_max > 0.05
                else "add the step's +-1 (scaled) to the state carried unchanged "
                "(recurrent_kernel the identity), with no bias.")
        c.fail(f"{int((err >= tol).sum())} of {B} sequences (T = {T}) are off by 0.1 or more. "
               f"The worst, sequence {j}: {int(n_open[j])} '(' and {T - int(n_open[j])} ')', "
               f"depth {fmt(want[j])}; h_T @ readout = {fmt(y[j])}.\n  {hint}")


def adaptive_clip(fn, points=None, seed=None, quiet=False, n=None):
    """fn(grads, history, q) -> (clipped, new_history): clip by the global norm to the q-th
    quantile of the earlier steps' norms, and record this step's norm before clipping."""
    with Check("adaptive_clip", points, seed, quiet) as c:
        grads = _random_grads(c)
        norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
        n = int(c.rng.integers(5, 12)) if n is None else n
        q = float(c.rng.uniform(0.5, 0.9))
        for scale in (0.5, 2.0):
            history = list(norm * scale * c.rng.uniform(0.5, 1.5, n))
            given, given_history = [g.copy() for g in grads], list(history)
            clipped, new_history = c.outputs(c.call(fn, given, given_history, q),
                                             ("clipped", "new_history"))
            if given_history != history or not all(
                    np.array_equal(g, h) for g, h in zip(given, grads, strict=True)):
                c.fail("your function changed what it was given (in place): return new arrays "
                       "and a new history, history + [norm], not history.append(norm).")
            clipped = _clipped_arrays(c, clipped, grads)
            limit = float(np.quantile(history, q)) if history else norm
            want = [g * min(1.0, limit / norm) for g in grads]

            def scaled(lim):
                return [g * min(1.0, lim / norm) for g in grads]

            def each(lim):
                return [g * min(1.0, lim / np.sqrt(np.sum(g * g))) for g in grads]

            if not all(close(g, w) for g, w in zip(clipped, want, strict=True)):
                c.mistakes(tuple(clipped), [
                    ("the limit is np.percentile(history, q) with q a fraction: percentiles "
                     "run from 0 to 100; np.quantile takes q in [0, 1].",
                     lambda h=history: tuple(scaled(np.percentile(h, q)))),
                    ("the limit includes this step's own norm: take the quantile of the "
                     "earlier steps' norms only, then record this one.",
                     lambda h=history: tuple(scaled(np.quantile(h + [norm], q)))),
                    ("each gradient was clipped on its own: measure one global norm over every "
                     "entry of every array and scale all by the same factor.",
                     lambda lim=limit: tuple(each(lim))),
                    ("the limit is the mean of the history, not its q-th quantile.",
                     lambda h=history: tuple(scaled(float(np.mean(h))))),
                ])
                for k, (g, w) in enumerate(zip(clipped, want, strict=True)):
                    c.same(f"clipped[{k}]", g, w,
                           "the norm is below the limit here: return the gradients unchanged."
                           if norm <= limit else "scale every gradient by limit / norm, with "
                           "limit = np.quantile(history, q) and norm the global norm.")
            if not isinstance(new_history, (list, tuple)) or len(new_history) != n + 1:
                c.fail(f"`new_history` should be a list of {n + 1} norms: the {n} given, then "
                       "this step's.")
            if not close(np.asarray(new_history[:n], dtype=float), history):
                c.fail("`new_history` should start with the norms it was given, unchanged.")
            last = new_history[-1]
            if np.shape(last) != ():
                c.fail(f"the norm recorded should be one number, got shape {np.shape(last)}.")
            if not close(last, norm):
                hint = ("it is the norm after clipping: record the norm measured before, so "
                        "that the limit follows the true gradients; "
                        if close(last, min(norm, limit)) else "")
                c.fail(f"the norm recorded is {float(last):.6g}, expected {norm:.6g}: {hint}"
                       "the global norm is sqrt of the sum of the squares of every entry of "
                       "every gradient.")
