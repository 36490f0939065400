"""Checkers for making the LSTM fast (problem set 08): fused gate weights, the hoisted input
projection. Besides the values they count the matrix products the learner's code takes, with
arrays that count every `@`, np.matmul, np.dot, np.einsum they take part in."""

import numpy as np

from .. import reference as ref
from ..feedback import Check, close
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
