"""Checkers for making the LSTM fast (problem set 08): fused gate weights, the hoisted input
projection, the hoisted LSTM and GRU, the weight gradients after the backward loop, and timing
fairly. Besides the values they count the matrix products the learner's code takes, with
arrays that count every `@`, np.matmul, np.dot, np.einsum they take part in; the timing check
runs on a fake clock, never on real time."""

import numpy as np

from .. import reference as ref
from ..feedback import LSTM_GATES, Blocks, Check, CheckFailed, close, fmt
from .common import diagnose_sequence
from .lstm import SHAPE_HINT

PRODUCTS = {np.dot, np.einsum, np.tensordot, np.inner, np.vdot, np.linalg.multi_dot}


class Counted(np.ndarray):
    """An array that counts the matrix products it takes part in (in Counted.products)."""

    products = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            Counted.products += 1
        inputs = tuple(_plain(i) for i in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func in PRODUCTS:
            Counted.products += 1
        return func(*_plain(args), **_plain(kwargs))


def _plain(value):
    if isinstance(value, Counted):
        return value.view(np.ndarray)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def counted(c, fn, *args, **kwargs):
    """fn(*args) with the arrays counting products -> (result, number of products)."""
    args = [a.copy().view(Counted) if isinstance(a, np.ndarray) else a for a in args]
    Counted.products = 0
    result = c.call(fn, *args, allow=(Counted, _plain), **kwargs)
    return _plain(result), Counted.products


def fuse_gate_weights(fn, points=None, seed=None, quiet=False, vector=False, **sizes):
    """fn(W_i, W_f, W_c, W_o), each (D, H) (or (H,)) -> their concatenation (D, 4H)."""
    with Check("fuse_gate_weights", points, seed, quiet) as c:
        D, H = c.sizes("D", "H", **sizes)
        lead = () if vector else (D,)
        parts = [c.randn(*lead, H) for _ in range(4)]
        dims = "(4H,)" if vector else "(D, 4H)"
        got = c.outputs(c.call(fn, *parts), "kernel", (*lead, 4 * H), dims)
        want = np.concatenate(parts, axis=-1)
        for k, name in enumerate(("W_i", "W_f", "W_c", "W_o")):
            block = got[..., k * H:(k + 1) * H]
            if not close(block, parts[k]):
                where = [j for j in range(4) if close(block, parts[j])]
                found = f"; they hold {('W_i', 'W_f', 'W_c', 'W_o')[where[0]]}" if where else ""
                c.fail(f"columns {k}H:{k + 1}H should hold {name}{found}. Keras's order is "
                       "i, f, c, o: the four blocks side by side on the last axis.")
        c.same("kernel", got, want)


def hoisted_input_projection(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x (B, T, D), kernel (D, 4H), bias (4H,)) -> x @ kernel + bias, (B, T, 4H), 1 product."""
    with Check("hoisted_input_projection", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, W, b = c.randn(B, T, D), c.randn(D, 4 * H), c.randn(4 * H)
        result, n = counted(c, fn, x, W, b, hint=SHAPE_HINT)
        got = c.outputs(result, "zx", (B, T, 4 * H), "(B, T, 4H)")
        want = x @ W + b
        c.same("zx", got, want, "zx[:, t] = x[:, t] @ kernel + bias for every t.")
        if n != 1:
            c.fail(f"the values are right, but it took {n} matrix products for T = {T} steps. "
                   "Do all steps in one: x.reshape(B * T, D) @ kernel (or x @ kernel, which "
                   "broadcasts over B and T), then add the bias.")


def lstm_forward_hoisted(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h0, c0, kernel, recurrent_kernel, bias) -> (hs, c_T), with T + 1 products."""
    with Check("lstm_forward_hoisted", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x, h0, c0 = c.randn(B, T, D), c.randn(B, H), c.randn(B, H)
        W, U, b = c.randn(D, 4 * H, scale=0.5), c.randn(H, 4 * H, scale=0.5), c.randn(4 * H)
        result, n = counted(c, fn, x, h0, c0, W, U, b, hint=SHAPE_HINT)
        hs, c_T = c.outputs(result, ("hs", "c_T"), [(B, T, H), (B, H)],
                            ["(B, T, H)", "(B, H)"])
        want_hs, want_c = ref.lstm_forward(x, h0, c0, W, U, b)
        if not close(hs, want_hs):
            diagnose_sequence(c, hs, want_hs,
                              lambda t: ref.lstm_step(x[:, t], h0, c0, W, U, b)[0], h0)
        c.same("c_T", c_T, want_c, "c_T is the cell state after the last step.")
        if n > T + 1:
            c.fail(f"the values are right, but it took {n} matrix products for T = {T} steps; "
                   f"the hoisted LSTM needs T + 1 = {T + 1}: one x @ kernel for all the steps "
                   "before the loop, then one h @ recurrent_kernel per step, for all four "
                   "gates at once.")


def gru_forward_hoisted(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h0, kernel (D, 3H), recurrent_kernel (H, 3H), bias (2, 3H)) -> hs (B, T, H),
    keras.layers.GRU's default (reset_after=True), with T + 1 products."""
    from .variants import gru_mistakes

    with Check("gru_forward_hoisted", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x, h0 = c.randn(B, T, D), c.randn(B, H)
        W, U, b = c.randn(D, 3 * H, scale=0.6), c.randn(H, 3 * H, scale=0.6), c.randn(2, 3 * H)
        result, n = counted(c, fn, x, h0, W, U, b, hint="Shapes: x (B, T, D) @ kernel (D, 3H), "
                            "h (B, H) @ recurrent_kernel (H, 3H), bias (2, 3H).")
        hs = c.outputs(result, "hs", (B, T, H), "(B, T, H)")
        want = ref.gru_forward(x, h0, W, U, b)
        if not close(hs, want):
            if not close(hs[:, 0], want[:, 0]):
                c.mistakes((hs[:, 0],), gru_mistakes(x[:, 0], h0, W, U, b))
            diagnose_sequence(c, hs, want, lambda t: ref.gru_step(x[:, t], h0, W, U, b), h0)
        if n > T + 1:
            one = ("one h @ recurrent_kernel serves all three blocks, because with "
                   "reset_after=True the reset gate multiplies the *product*, "
                   "r * (h @ U_h + b_rec,h), not h")
            if n == 2 * T:
                why = "x @ kernel is still inside the loop: take it out, for all steps at once"
            elif (n - 1) % T == 0:
                why = f"{(n - 1) // T} products a step; {one}"
            else:
                why = f"take x @ kernel out of the loop (one product for all steps); {one}"
            c.fail(f"the values are right, but it took {n} matrix products for T = {T} steps; "
                   f"the hoisted GRU needs T + 1 = {T + 1}: {why}.")


# -- the weight gradients after the backward loop ------------------------------------------

def lstm_cache(x, h0, c0, W, U, b):
    """The cache of problem set 08's lstm_forward_cache: a dict of x (B, T, D), h_prev and c_prev
    (B, T, H) (the states each step read), gates (B, T, 4H) (i, f, g, o after their
    activations), c (B, T, H), kernel, recurrent_kernel."""
    H = h0.shape[1]
    h, c, rows = h0, c0, {"h_prev": [], "c_prev": [], "gates": [], "c": []}
    for t in range(x.shape[1]):
        i, f, g, o = ref.blocks(x[:, t] @ W + h @ U + b, 4)
        gates = np.concatenate([ref.sigmoid(i), ref.sigmoid(f), np.tanh(g), ref.sigmoid(o)], 1)
        rows["h_prev"].append(h)
        rows["c_prev"].append(c)
        c = gates[:, H:2 * H] * c + gates[:, :H] * gates[:, 2 * H:3 * H]
        h = gates[:, 3 * H:] * np.tanh(c)
        rows["gates"].append(gates)
        rows["c"].append(c)
    cache = {k: np.stack(v, axis=1) for k, v in rows.items()}
    return {"x": x, **cache, "kernel": W, "recurrent_kernel": U}


def _dz(dhs, cache):
    """Every step's dz (B, T, 4H), as the backward loop computes it."""
    B, T, H = dhs.shape
    dz = np.empty((B, T, 4 * H))
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        i, f, g, o = ref.blocks(cache["gates"][:, t], 4)
        dh = dhs[:, t] + dh_next
        tanh_c = np.tanh(cache["c"][:, t])
        dc = dc_next + dh * o * (1 - tanh_c**2)
        dz[:, t] = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"][:, t] * f * (1 - f),
                                   dc * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
        dh_next, dc_next = dz[:, t] @ cache["recurrent_kernel"].T, dc * f
    return dz


def lstm_backward_hoisted(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(dhs (B, T, H), cache) -> (dx, dh0, dc0, dkernel, drecurrent_kernel, dbias), with
    T + 3 matrix products: dh_prev in the loop, dx, dkernel, drecurrent_kernel after it."""
    with Check("lstm_backward_hoisted", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", low=3, **sizes)
        x, h0, c0 = c.randn(B, T, D), c.randn(B, H), c.randn(B, H)
        W, U, b = c.randn(D, 4 * H, scale=0.5), c.randn(H, 4 * H, scale=0.5), c.randn(4 * H)
        dhs = c.randn(B, T, H)
        cache = lstm_cache(x, h0, c0, W, U, b)
        counting = {k: v.copy().view(Counted) for k, v in cache.items()}
        Counted.products = 0
        result = c.call(fn, dhs, counting, allow=(Counted, _plain))
        n = Counted.products
        names = ("dx", "dh0", "dc0", "dkernel", "drecurrent_kernel", "dbias")
        shapes = [(B, T, D), (B, H), (B, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
        dims = ["(B, T, D)", "(B, H)", "(B, H)", "(D, 4H)", "(H, 4H)", "(4H,)"]
        got = c.outputs(_plain(result), names, shapes, dims)
        want = ref.lstm_backward(dhs, x, h0, c0, W, U, b)
        if not all(close(g, w) for g, w in zip(got, want, strict=True)):
            dZ = _dz(dhs, cache).reshape(B * T, 4 * H)
            hs = np.concatenate([cache["h_prev"][:, 1:], ref.lstm_forward(
                x, h0, c0, W, U, b)[0][:, -1:]], axis=1)
            c.mistakes(got[3:5], [
                ("drecurrent_kernel uses the state each step *wrote*, h_t: it needs the state "
                 "each step read, h_{t-1} (cache['h_prev'], h0 first).",
                 lambda: (want[3], hs.reshape(B * T, H).T @ dZ)),
                ("the rows of x and of dZ are stacked in different orders (one time-major, "
                 "(T, B, ...), one batch-major, (B, T, ...)): stack both the same way.",
                 lambda: (x.transpose(1, 0, 2).reshape(B * T, D).T @ dZ,
                          cache["h_prev"].transpose(1, 0, 2).reshape(B * T, H).T @ dZ)),
            ])
            hints = {"dx": "dx = dZ @ kernel.T for all the steps at once, reshaped to (B, T, D).",
                     "dh0": "dh0 is what flows out of step 0 through dz @ recurrent_kernel.T.",
                     "dc0": "dc0 is what flows out of step 0 through dc * f.",
                     "dbias": "dbias sums dz over every row, all the steps of every sequence."}
            for name, g, w in zip(names, got, want, strict=True):
                c.same(name, g, w, hints.get(name, "the sum over the steps happens inside "
                                             "the product: X^T dZ with the B * T rows stacked."),
                       blocks=Blocks(H, LSTM_GATES) if name.startswith("d") and g.ndim == 2
                       and g.shape[-1] == 4 * H else None)
        if n > T + 3:
            extra = n - (T + 3)
            inside = (f"{extra // (T - 1)} of dx, dkernel, drecurrent_kernel still computed step "
                      "by step" if extra % (T - 1) == 0 and extra // (T - 1) <= 3 else
                      f"{extra} products too many")
            c.fail(f"the values are right, but it took {n} matrix products for T = {T} steps "
                   f"({inside}). In the loop only dh_prev = dz @ recurrent_kernel.T is needed "
                   f"(T products); keep every step's dz in a (B, T, 4H) array and, after the "
                   f"loop, take dx, dkernel and drecurrent_kernel with one product each over "
                   f"the B * T stacked rows: 3 instead of 3T, T + 3 = {T + 3} in all.")


# -- timing fairly ------------------------------------------------------------------------

class FakeClock:
    """A clock that only the stub calls move: each call of a or b takes a drawn duration."""

    def __init__(self, durations):
        self.now, self.durations, self.log, self.reads = 0.0, durations, [], 0

    def __call__(self):
        self.reads += 1
        return self.now

    def stub(self, name):
        def call():
            k = len(self.log)
            if k >= len(self.durations[name]) * 2 + 2:
                raise CheckFailed(f"fair_ratio: {name}() was called more than {k - 1} times: "
                                  "call each function exactly `rounds` times.")
            seconds = self.durations[name][min(sum(n == name for n, _ in self.log),
                                               len(self.durations[name]) - 1)]
            self.log.append((name, seconds))
            self.now += seconds
        call.__name__ = name
        return call


def fair_ratio(fn, points=None, seed=None, quiet=False, rounds=None):
    """fn(a, b, rounds, clock) -> the median over rounds of time(a) / time(b), with a and b
    called alternately, a first in even rounds. Checked with a fake clock, never real time."""
    with Check("fair_ratio", points, seed, quiet) as c:
        rounds = int(c.rng.integers(5, 10)) if rounds is None else rounds
        # The load drifts up through the run, and a few calls are hit by a spike: a fair
        # procedure still sees a ratio near the true one (2), an unfair one does not.
        drift = 1.0 + 0.15 * np.arange(2 * rounds)
        spikes = np.where(c.rng.random(2 * rounds) < 0.15, 20.0, 1.0)
        base = {"a": 2.0 * (1 + 0.05 * c.rng.random(rounds)),
                "b": 1.0 * (1 + 0.05 * c.rng.random(rounds))}
        # durations[name][k]: the k-th call of name, at the place a fair run puts it.
        order = [("a", "b") if r % 2 == 0 else ("b", "a") for r in range(rounds)]
        slot = {name: [2 * r + pair.index(name) for r, pair in enumerate(order)]
                for name in "ab"}
        durations = {name: [base[name][r] * drift[s] * spikes[s] for r, s in
                            enumerate(slot[name])] for name in "ab"}
        clock = FakeClock(durations)
        got = c.call(fn, clock.stub("a"), clock.stub("b"), rounds, clock,
                     allow=(FakeClock,))
        calls = [name for name, _ in clock.log]
        if calls.count("a") != rounds or calls.count("b") != rounds:
            c.fail(f"with rounds = {rounds} it called a() {calls.count('a')} times and b() "
                   f"{calls.count('b')} times: call each exactly `rounds` times, no more.")
        if clock.reads < 2 * len(calls):
            c.fail(f"it read the clock {clock.reads} times for {len(calls)} calls: time every "
                   "call with the clock you are given, start = clock() before and clock() - "
                   "start after (not time.perf_counter: the check's clock is its own).")
        want_order = [name for pair in order for name in pair]
        if calls != want_order:
            shown = " ".join(calls[:8]) + (" ..." if len(calls) > 8 else "")
            if calls == ["a"] * rounds + ["b"] * rounds or calls == ["b"] * rounds + ["a"] * rounds:
                why = ("all the runs of one, then all of the other: the load drifts, so the "
                       "two are timed on two different machines. Alternate them")
            elif calls == ["a", "b"] * rounds:
                why = ("a always runs first, b second, on a machine that is a little busier: "
                       "flip the order each round")
            else:
                why = "alternate, flipping the order each round"
            c.fail(f"the calls went {shown}; {why}: a, b in round 0, b, a in round 1, a, b "
                   "in round 2 ...")
        times = {name: [s for n, s in clock.log if n == name] for name in "ab"}
        ratios = np.array(times["a"]) / np.array(times["b"])
        want = float(np.median(ratios))
        value = c.outputs(got, "ratio")
        if not isinstance(value, (float, int, np.floating, np.integer)):
            c.fail(f"should return one number, the median ratio; got a {type(value).__name__}.")
        if np.isclose(value, want, rtol=1e-9):
            return
        c.mistakes((value,), [
            ("this is time(b) / time(a): the ratio asked is time(a) / time(b).",
             lambda: float(np.median(1 / ratios))),
            ("this is the *mean* of the per-round ratios: one spiked round pulls a mean "
             "anywhere; take the median.", lambda: float(np.mean(ratios))),
            ("this is the ratio of the medians: take the median of the per-round ratios, "
             "which pairs each a with the b of its own round.",
             lambda: float(np.median(times["a"]) / np.median(times["b"]))),
            ("this is the ratio of the total times: take the median of the per-round ratios.",
             lambda: float(np.sum(times["a"]) / np.sum(times["b"]))),
            ("this is the fastest round's ratio: take the median of the per-round ratios.",
             lambda: float(np.min(ratios))),
        ], rtol=1e-9, atol=0)
        c.fail(f"returned {fmt(value)}; the median over the {rounds} rounds of time(a) / "
               f"time(b) is {fmt(want)}.")
