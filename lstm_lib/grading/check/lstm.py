"""Checkers for the LSTM cell (problem set 03), its backward pass (04) and debugging it (06).

An LSTM step that differs from the reference is diagnosed in three stages: the classic mistakes
(blocks read in the wrong order, a sigmoid candidate, h and c swapped...) are recognised by
their output; otherwise *probes* isolate one gate at a time (kernel = recurrent_kernel = 0 and a
bias that saturates the other gates) and name the first gate that is wrong; otherwise the
output that differs is reported with its worst entry.
"""

import itertools

import numpy as np

from .. import reference as ref
from ..feedback import (
    LSTM_GATES,
    Blocks,
    Check,
    CheckFailed,
    NotAttempted,
    close,
    first_bad_step,
    fmt,
    format_shape,
    mismatch,
)
from .common import check_bptt, diagnose_sequence

SHAPE_HINT = ("Shapes: x (B, D) @ kernel (D, 4H), h_prev (B, H) @ recurrent_kernel (H, 4H), "
              "bias (4H,).")
GATE_NAMES = "ifco"


def _weights(c, D, H):
    return c.randn(D, 4 * H, scale=0.5), c.randn(H, 4 * H, scale=0.5), c.randn(4 * H, scale=0.5)


def split_gates(fn, points=None, seed=None, quiet=False, T=None, **sizes):
    """fn(z) -> (z_i, z_f, z_c, z_o): the four blocks of the last axis of z (..., 4H)."""
    with Check("split_gates", points, seed, quiet) as c:
        B, H = c.sizes("B", "H", **sizes)
        lead = (B,) if T is None else (B, T)
        z = c.randn(*lead, 4 * H)
        dims = "(B, H)" if T is None else "(B, T, H)"
        got = c.outputs(c.call(fn, z), ("z_i", "z_f", "z_c", "z_o"), [(*lead, H)] * 4, dims)
        want = ref.blocks(z, 4)
        for k, (name, g) in enumerate(zip(("z_i", "z_f", "z_c", "z_o"), got, strict=True)):
            if close(g, want[k]):
                continue
            found = [j for j in range(4) if close(g, want[j])]
            if found:
                j = found[0]
                c.fail(f"`{name}` is block {j} of z (columns {j}H:{j + 1}H), the "
                       f"{LSTM_GATES[j]} block. Keras orders the blocks i, f, c, o: "
                       f"{name} is block {k}, columns {k}H:{k + 1}H.")
            c.same(name, g, want[k], f"{name} is z[..., {k}H:{k + 1}H], sliced on the last axis.")


# -- one step forward --------------------------------------------------------------------

def lstm_mistakes(x, h, cp, W, U, b):
    """(hint, thunk) for the classic mistakes of an LSTM step, in the order they are tried."""
    def step(**kw):
        return lambda: ref.lstm_step(x, h, cp, W, U, b, **kw)

    right = ref.lstm_step(x, h, cp, W, U, b)
    out = [
        ("h and c are swapped: return (h, c), in that order.", lambda: right[::-1]),
        ("the candidate g is squashed with a sigmoid; it is g = tanh(z_c).",
         step(cand=ref.sigmoid)),
        ("the gates use tanh; i, f and o are sigmoids.", step(gate=np.tanh)),
        ("every block uses a sigmoid: the candidate g is tanh(z_c).",
         step(cand=ref.sigmoid, gate=ref.sigmoid)),
        ("h = o * c: the tanh of the new cell state is missing (h = o * tanh(c)).",
         step(cell=lambda a: a)),
        ("the bias is missing.", lambda: ref.lstm_step(x, h, cp, W, U, 0 * b)),
        ("the recurrent term h_prev @ recurrent_kernel is missing.",
         lambda: ref.lstm_step(x, h, cp, W, 0 * U, b)),
        ("kernel and recurrent_kernel are swapped: x goes with kernel.",
         lambda: ref.lstm_step(x, h, cp, U, W, b)),
        ("the cell update uses h_prev instead of c_prev: c = f * c_prev + i * g.",
         lambda: ref.lstm_step(x, h, h, W, U, b)),
        ("c_prev is not used: c = f * c_prev + i * g.",
         lambda: ref.lstm_step(x, h, 0 * cp, W, U, b)),
    ]
    for order in itertools.permutations(range(4)):
        if order == (0, 1, 2, 3):
            continue
        wrong = [f"{GATE_NAMES[k]} from block {order[k]}" for k in range(4) if order[k] != k]
        out.append((f"the gate blocks are read in the wrong order ({', '.join(wrong)}). "
                    "Keras orders the blocks of z i, f, c, o: i = z[:, 0:H], f = z[:, H:2H], "
                    "the candidate g from z[:, 2H:3H], o = z[:, 3H:4H].", step(order=order)))
    return out


def probe_gates(c, run, B, D, H, rtol=1e-6, atol=1e-6):
    """Find the first wrong gate. run(x, h_prev, c_prev, W, U, b) -> (h, c) as NumPy arrays.

    kernel = recurrent_kernel = 0 makes z = bias for every row; a bias of +-20 saturates a
    gate at 1 or 0, so each probe leaves a single gate in play.
    """
    x, h_prev, cp = c.randn(B, D), c.randn(B, H), c.randn(B, H)
    W0, U0, zero, big = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(H), np.full(H, 20.0)
    r, r2 = c.uniform(H, scale=3.0), c.uniform(H, scale=3.0)
    none = np.zeros((B, H))
    probes = [  # name, what it should be, bias blocks, c_prev, output (h: 0, c: 1), expected
        ("input gate i", "i = sigmoid(z[:, 0:H]), from the first block",
         [r, zero, big, big], none, 1, ref.sigmoid(r) + none),
        ("forget gate f", "f = sigmoid(z[:, H:2H]), from the second block, "
         "multiplies c_prev", [-big, r, zero, big], cp, 1, ref.sigmoid(r) * cp),
        ("candidate g", "g = tanh(z[:, 2H:3H]), from the third block: a tanh, not a sigmoid",
         [big, zero, r, big], none, 1, np.tanh(r) + none),
        ("output gate o", "o = sigmoid(z[:, 3H:4H]), from the fourth block, and "
         "h = o * tanh(c)", [big, zero, r, r2], none, 0,
         ref.sigmoid(r2) * np.tanh(np.tanh(r)) + none),
    ]
    for name, hint, bias, c_prev, which, want in probes:
        got = run(x, h_prev, c_prev, W0, U0, np.concatenate(bias))
        label = ("h", "c")[which]
        if not close(got[which], want, rtol, atol):
            c.fail(f"the {name} looks wrong: {hint}. (Probed with kernel = recurrent_kernel = 0 "
                   f"and a bias that leaves only this gate in play, so `{label}` should be "
                   f"exactly that.)\n  {mismatch(label, got[which], want, None, rtol, atol)}")
    W, U, b = _weights(c, D, H)
    for label, (W_, U_, b_), hint in [
            ("x @ kernel", (W, U0, 0 * b), "with recurrent_kernel = 0 and bias = 0"),
            ("h_prev @ recurrent_kernel", (W0, U, 0 * b), "with kernel = 0 and bias = 0")]:
        got = run(x, h_prev, cp, W_, U_, b_)
        want = ref.lstm_step(x, h_prev, cp, W_, U_, b_)
        if not (close(got[0], want[0], rtol, atol) and close(got[1], want[1], rtol, atol)):
            c.fail(f"every gate is right on its own, but {hint} your step differs: check the "
                   f"term {label} in z = x @ kernel + h_prev @ recurrent_kernel + bias.")


def lstm_step_forward(fn, points=None, seed=None, quiet=False, name="lstm_step_forward",
                      checker=None, **sizes):
    """fn(x, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h, c), both (B, H)."""
    with Check(name, points, seed, quiet, checker=checker) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev, c_prev = c.randn(B, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        got = c.outputs(c.call(fn, x, h_prev, c_prev, W, U, b, hint=SHAPE_HINT), ("h", "c"),
                        [(B, H), (B, H)], "(B, H)")
        want = ref.lstm_step(x, h_prev, c_prev, W, U, b)
        if close(got[0], want[0]) and close(got[1], want[1]):
            return

        def run(*args):
            return c.outputs(c.call(fn, *args), ("h", "c"), [(B, H), (B, H)], "(B, H)")

        diagnose_step(c, run, got, (x, h_prev, c_prev, W, U, b))


def diagnose_step(c, run, got, inputs, rtol=1e-6, atol=1e-8):
    """Fail saying what is wrong with an LSTM step whose outputs `got` differ.

    run(x, h_prev, c_prev, W, U, b) -> (h, c) as NumPy arrays calls the learner's step. A step
    that returns (c, h) is told so, and then diagnosed further as if it returned (h, c), so
    that a step with several bugs hears about more than the first one.
    """
    B, H = got[0].shape
    if _returns_c_first(c, run, B, inputs[0].shape[1], H):
        try:
            diagnose_step(c, lambda *a: run(*a)[::-1], got[::-1], inputs, rtol, atol)
        except CheckFailed as e:
            c.fail("h and c are swapped: return (h, c), in that order. Once they are swapped "
                   "back, " + str(e).split(": ", 1)[1])
        c.fail("h and c are swapped: return (h, c), in that order.")
    x, h_prev, c_prev, W, U, b = inputs
    want = ref.lstm_step(x, h_prev, c_prev, W, U, b)
    c.mistakes(got, lstm_mistakes(x, h_prev, c_prev, W, U, b), rtol, atol)
    probe_gates(c, run, B, x.shape[1], H, max(rtol, 1e-6), max(atol, 1e-6))
    c.same("c", got[1], want[1], "c = f * c_prev + i * g", rtol=rtol, atol=atol)
    c.same("h", got[0], want[0], "h = o * tanh(c)", rtol=rtol, atol=atol)


def _returns_c_first(c, run, B, D, H):
    """Probe: i = o = 0 and f = 1 make c = c_prev and h = 0. Is the first output c_prev?"""
    c_prev = 2.0 + c.uniform(B, H)
    big = np.full(H, 20.0)
    b = np.concatenate([-big, big, 0 * big, -big])
    out = run(c.randn(B, D), c.randn(B, H), c_prev, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b)
    return close(out[0], c_prev, 1e-5, 1e-5) and not close(out[1], c_prev, 1e-5, 1e-5)


# -- a whole sequence ----------------------------------------------------------------------

def lstm_forward(fn, points=None, seed=None, quiet=False, name="lstm_forward", checker=None,
                 **sizes):
    """fn(x, h0, c0, kernel, recurrent_kernel, bias) -> (hs (B, T, H), c_T (B, H))."""
    with Check(name, points, seed, quiet, checker=checker) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0, c0 = c.randn(B, T, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        hs, c_T = c.outputs(c.call(fn, x, h0, c0, W, U, b, hint=SHAPE_HINT), ("hs", "c_T"),
                            [(B, T, H), (B, H)], ["(B, T, H)", "(B, H)"])
        want_hs, want_c = ref.lstm_forward(x, h0, c0, W, U, b)
        if close(hs, want_hs) and close(c_T, want_c):
            return
        if close(hs, want_hs):
            if close(c_T, want_hs[:, -1]):
                c.fail("c_T is the last hidden state h_T: return the final *cell* state c.")
            c.same("c_T", c_T, want_c, "c_T is the cell state after the last step.")

        def from_initial(t):
            return ref.lstm_step(x[:, t], h0, c0, W, U, b)[0]

        def c_not_carried(xt, h, cc, W_, U_, b_):
            return ref.lstm_step(xt, h, c0, W_, U_, b_)

        c.mistakes((hs,), [("the cell state is not carried from step to step: each step "
                            "must start from the previous step's c.",
                            lambda: ref.lstm_forward(x, h0, c0, W, U, b, c_not_carried)[0])])
        diagnose_sequence(c, hs, want_hs, from_initial, h0)


TORCH_HINT = ("PyTorch's nn.LSTM stores its weights output-major: weight_ih (4H, D) and "
              "weight_hh (4H, H) are the transposes of Keras's kernel (D, 4H) and "
              "recurrent_kernel (H, 4H), so x @ weight_ih does not fit: use weight_ih.T.")


def lstm_forward_torch(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh) -> (hs (B, T, H), c_T (B, H)),
    with PyTorch's nn.LSTM layout: weight_ih (4H, D), weight_hh (4H, H), two biases (4H,),
    gate order i, f, g, o. The Keras weights are drawn and converted: D, H and 4H all differ,
    so weights used untransposed do not fit."""
    with Check("lstm_forward_torch", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0, c0 = c.randn(B, T, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        bias_ih = c.randn(4 * H, scale=0.5)
        bias_hh = b - bias_ih
        try:
            result = c.call(fn, x, h0, c0, W.T.copy(), U.T.copy(), bias_ih, bias_hh)
        except CheckFailed as e:
            if isinstance(e, NotAttempted) or not isinstance(e.__cause__, ValueError):
                raise
            raise CheckFailed(f"lstm_forward_torch: your function raised ValueError: "
                              f"{e.__cause__}\n  It was called with x {format_shape(x.shape)}, "
                              f"weight_ih {format_shape((4 * H, D))}, weight_hh "
                              f"{format_shape((4 * H, H))}.\n  {TORCH_HINT}") from e.__cause__
        if (isinstance(result, (tuple, list)) and len(result) == 2
                and np.shape(result[0]) == (B, T - 1, H)):
            c.fail(f"`hs` has T - 1 = {T - 1} steps, expected T = {T}: the loop is one step short. "
                   "It runs over every step, range(T), and hs[:, t] is the state after "
                   "reading x[:, t].")
        hs, c_T = c.outputs(result, ("hs", "c_T"), [(B, T, H), (B, H)],
                            ["(B, T, H)", "(B, H)"])
        want_hs, want_c = ref.lstm_forward(x, h0, c0, W, U, b)
        if close(hs, want_hs) and close(c_T, want_c):
            return

        def with_bias(b_):
            return lambda: ref.lstm_forward(x, h0, c0, W, U, b_)

        def swapped(xt, h, cc, W_, U_, b_):
            h_new, c_new = ref.lstm_step(xt, h, cc, W_, U_, b_)
            return c_new, h_new

        def reordered(order):
            return lambda: ref.lstm_forward(
                x, h0, c0, W, U, b, lambda *a: ref.lstm_step(*a, order=order))

        both = " The step adds the two: bias = bias_ih + bias_hh."
        mistakes = [
            ("only bias_ih is used." + both, with_bias(bias_ih)),
            ("only bias_hh is used." + both, with_bias(bias_hh)),
            ("bias_hh is subtracted from bias_ih." + both, with_bias(bias_ih - bias_hh)),
            ("bias_ih is subtracted from bias_hh." + both, with_bias(bias_hh - bias_ih)),
            ("the biases are ignored." + both, with_bias(0 * b)),
            ("the biases are averaged: PyTorch adds both to z, bias = bias_ih + bias_hh.",
             with_bias(b / 2)),
            ("weight_ih and weight_hh are swapped: x goes with weight_ih.",
             lambda: ref.lstm_forward(x, h0, c0, U, W, b)),
            ("h and c are swapped in the carry: the step returns (h, c), in that order, and "
             "the next step reads h as h_prev and c as c_prev.",
             lambda: ref.lstm_forward(x, h0, c0, W, U, b, swapped)),
        ]
        for order in itertools.permutations(range(4)):
            if order != (0, 1, 2, 3):
                mistakes.append(("the gate blocks are reordered. PyTorch's order i, f, g, o is "
                                 "Keras's i, f, c, o (g is the candidate, Keras's c block): "
                                 "the blocks line up as they are.", reordered(order)))
        c.mistakes((hs, c_T), mistakes)
        c.mistakes((hs,), [(m, lambda t=t: t()[0]) for m, t in mistakes])
        if close(hs, want_hs):
            if close(c_T, want_hs[:, -1]):
                c.fail("c_T is the last hidden state h_T: return the final *cell* state c.")
            c.same("c_T", c_T, want_c, "c_T is the cell state after the last step.")

        def from_initial(t):
            return ref.lstm_step(x[:, t], h0, c0, W, U, b)[0]

        diagnose_sequence(c, hs, want_hs, from_initial, h0)
        c.same("c_T", c_T, want_c, "c_T is the cell state after the last step.")


def hand_set_difference(fn, points=None, seed=None, quiet=False, T=None, B=400):
    """fn() -> (kernel (2, 4H), recurrent_kernel (H, 4H), bias (4H,), readout (H,)), H of the
    learner's choice: an LSTM on the adding problem (modern variant) whose h_T @ readout is
    X1 - X2, the first marked value minus the second, within 0.04 on every sequence."""
    from ...data import adding_problem

    names = ("kernel", "recurrent_kernel", "bias", "readout")
    with Check("hand_set_difference", points, seed, quiet) as c:
        result = c.outputs(c.call(fn), names)
        bias = c.array("bias", result[2], np.shape(result[2]))
        if bias.ndim != 1 or bias.size % 4 or not bias.size:
            c.fail(f"`bias` has shape {bias.shape}, expected (4H,): one number per column of "
                   "the four gate blocks [i | f | g | o].")
        H = bias.size // 4
        W, U, b, V = (c.array(n, v, s, d) for n, v, s, d in zip(
            names, result, [(2, 4 * H), (H, 4 * H), (4 * H,), (H,)],
            ["(D, 4H) with D = 2 (value, marker)", "(H, 4H)", "(4H,)", "(H,)"], strict=True))
        T = int(c.rng.integers(20, 121)) if T is None else int(T)
        x, _ = adding_problem(B, T, variant="modern", rng=c.rng)
        x = x.astype(np.float64)
        marked = x[:, :, 1] == 1.0
        steps = np.array([np.flatnonzero(m) for m in marked])  # (B, 2)
        x1, x2 = (x[np.arange(B), steps[:, k], 0] for k in (0, 1))
        zeros = np.zeros((B, H))
        hs, c_T = ref.lstm_forward(x, zeros, zeros, W, U, b)
        y = hs[:, -1] @ V
        want = x1 - x2
        err = np.abs(y - want)
        if err.max() < 0.04:
            return
        tol = 0.04
        if np.abs(y - (x1 + x2)).max() < tol:
            c.fail("h_T @ readout is X1 + X2, the chapter's sum, not X1 - X2. "
                   "X1 - X2 = 2 X1 - (X1 + X2): add a unit that holds the *first* marked value "
                   "only. Its input gate must stay shut at the second marker, and only the state "
                   "can tell the second marker from the first: a flag unit that switches on at "
                   "the first marker, read by that input gate through recurrent_kernel.")
        if np.abs(y + want).max() < tol:
            c.fail("h_T @ readout is X2 - X1: the sign is flipped. Either the readout's signs "
                   "are the wrong way round, or the unit meant to hold X1 is overwritten by X2 "
                   "at the second marker (its input gate must stay shut once a value has been "
                   "marked; which unit's state tells it so?).")
        if np.abs(y - x2).max() < tol or np.abs(y - x1).max() < tol:
            which = "X2, the last" if np.abs(y - x2).max() < tol else "X1, the first"
            c.fail(f"h_T @ readout is {which} marked value alone: the other one is missing "
                   "from the readout.")
        k = float(y @ want / (want @ want))
        if np.abs(y - k * want).max() < tol and abs(k - 1) > 0.02:
            c.fail(f"h_T @ readout is {k:.3g} x (X1 - X2): the readout's scale is off. It must "
                   "undo the candidate's scale s (a factor 1/s), and h = o * tanh(c) is about c "
                   "only while the output gate is open (near 1).")
        j = int(np.argmax(err))
        read = np.abs(V) > 0
        c_T = np.abs(c_T[:, read]).max(axis=0) if read.any() else np.zeros(1)
        unit = int(np.flatnonzero(read)[np.argmax(c_T)]) if read.any() else 0
        hint = (f"the tanh's are not near-linear: the cell state of unit {unit}, which the "
                f"readout reads, reaches |c| = {fmt(c_T.max())}, and tanh(c) is within 1 % of c "
                "only for |c| < 0.17. Keep what a unit stores small (a candidate scale s of "
                "about 0.05) and undo s in the readout." if c_T.max() > 0.2 else
                "set every gate within about 1e-4 of 0 or 1 (pre-activations of +-10 or more): "
                "print your gates for this sequence (a loop over your lstm_step_forward) and see "
                "which one is half open.")
        c.fail(f"{int((err >= tol).sum())} of {B} sequences (T = {T}) are off by 0.04 or more. "
               f"The worst, sequence {j}: X1 = {fmt(x1[j])} at step {steps[j, 0]}, "
               f"X2 = {fmt(x2[j])} at step {steps[j, 1]}; h_T @ readout = {fmt(y[j])}, "
               f"expected X1 - X2 = {fmt(want[j])}.\n  {hint}")


# -- 04: backward ----------------------------------------------------------------------------

def _output_derivative_mistakes(name, dy, y):
    """(hint, thunk) for the classic mistakes of dz from an activation's output y."""
    sig = name == "sigmoid_backward"
    right = "dy * y * (1 - y)" if sig else "dy * (1 - y**2)"
    out = [(f"the local derivative is not multiplied by dy: dz = {right}, by the chain rule.",
            lambda: y * (1 - y) if sig else 1 - y**2)]
    if sig:
        out += [("y is already sigmoid(z): sigmoid(y) applies it twice. sigmoid'(z) = "
                 "sigmoid(z) * (1 - sigmoid(z)) = y * (1 - y).",
                 lambda: dy * ref.sigmoid(y) * (1 - ref.sigmoid(y))),
                ("dy * (1 - y**2) is tanh's derivative; the sigmoid's is dy * y * (1 - y).",
                 lambda: dy * (1 - y**2))]
    else:
        out += [("y is already tanh(z): tanh(y) applies it twice. tanh'(z) = 1 - tanh(z)**2 "
                 "= 1 - y**2.", lambda: dy * (1 - np.tanh(y) ** 2)),
                ("1 - y is missing its square: tanh'(z) = 1 - tanh(z)**2 = 1 - y**2.",
                 lambda: dy * (1 - y)),
                ("dy * y * (1 - y) is the sigmoid's derivative; tanh's is dy * (1 - y**2).",
                 lambda: dy * y * (1 - y))]
    return right, out


def derivatives_from_outputs(sigmoid_backward, tanh_backward, points=None, seed=None,
                             quiet=False, **sizes):
    """sigmoid_backward(dy, y) and tanh_backward(dy, y) -> dz (B, H), from the outputs
    y = sigmoid(z) and y = tanh(z) alone, as the forward pass caches them."""
    with Check("sigmoid_backward, tanh_backward", points, seed, quiet,
               checker="derivatives_from_outputs") as c:
        B, H = c.sizes("B", "H", **sizes)
        z, dy = c.randn(B, H, scale=2.0), c.randn(B, H)
        cases = (("sigmoid_backward", sigmoid_backward, ref.sigmoid(z),
                  dy * ref.sigmoid(z) * (1 - ref.sigmoid(z))),
                 ("tanh_backward", tanh_backward, np.tanh(z), dy * (1 - np.tanh(z) ** 2)))
        for name, fn, y, want in cases:
            got = c.array("dz", c.call(fn, dy, y), (B, H), "(B, H)")
            if close(got, want):
                continue
            c.name = name  # the messages name the function that is wrong
            right, mistakes = _output_derivative_mistakes(name, dy, y)
            c.mistakes((got,), mistakes)
            c.same("dz", got, want, f"dz = {right}, with y the output the forward pass kept.")


STEP_GRADS = ("dx", "dh_prev", "dc_prev", "dkernel", "drecurrent_kernel", "dbias")
BLOCK_HINTS = [
    "dz_i = dc_total * g * i * (1 - i)",
    "dz_f = dc_total * c_prev * f * (1 - f)",
    "dz_g = dc_total * i * (1 - g**2)",
    "dz_o = dh * tanh(c) * o * (1 - o)",
]
DC_TOTAL = "dc_total = dc + dh * o * (1 - tanh(c)**2), all the gradient reaching c"
STEP_HINTS = {
    "dkernel": "dkernel = x.T @ dz, with dz = [dz_i | dz_f | dz_g | dz_o].",
    "drecurrent_kernel": "drecurrent_kernel = h_prev.T @ dz.",
    "dx": "dx = dz @ kernel.T.",
    "dh_prev": "dh_prev = dz @ recurrent_kernel.T.",
    "dc_prev": f"dc_prev = dc_total * f, with {DC_TOTAL}.",
}


def _step_backward_case(c, fn, forward, B, D, H, weights):
    """Random x, h_prev, c_prev, upstream dh, dc, then weights() (W, U, b with G gate blocks);
    the learner's fn(dh, dc, cache) on forward's cache, its six outputs checked for shape.
    Returns ((x, h_prev, c_prev, dh, dc, W, U, b), outputs)."""
    x, h_prev, c_prev = c.randn(B, D), c.randn(B, H), c.randn(B, H)
    dh, dc = c.randn(B, H), c.randn(B, H)
    W, U, b = weights()
    G = W.shape[1] // H
    _, _, cache = c.call(forward, x, h_prev, c_prev, W, U, b)
    got = c.outputs(c.call(fn, dh, dc, cache), STEP_GRADS,
                    [(B, D), (B, H), (B, H), (D, G * H), (H, G * H), (G * H,)],
                    ["(B, D)", "(B, H)", "(B, H)", f"(D, {G}H)", f"(H, {G}H)", f"({G}H,)"])
    return (x, h_prev, c_prev, dh, dc, W, U, b), got


def lstm_step_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dh, dc, cache) -> (dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)."""
    with Check("lstm_step_backward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        (x, h_prev, c_prev, dh, dc, W, U, b), got = _step_backward_case(
            c, fn, forward, B, D, H, lambda: _weights(c, D, H))
        want = ref.lstm_step_backward(dh, dc, x, h_prev, c_prev, W, U, b)
        if all(close(g, w) for g, w in zip(got, want, strict=True)):
            return

        def wrong(mistake):
            return lambda: ref.lstm_step_backward(dh, dc, x, h_prev, c_prev, W, U, b, mistake)

        c.mistakes(got, [
            ("dc_total leaves out the path through h = o * tanh(c): " + DC_TOTAL + ".",
             wrong("no_h_to_c")),
            ("dc_prev = dc_total * f: the forget gate scales what flows back to c_prev.",
             wrong("dc_prev_without_f")),
            ("the candidate's derivative is tanh' = 1 - g**2, not g * (1 - g).",
             wrong("sigmoid_derivative_for_g")),
        ])
        blocks = Blocks(H, LSTM_GATES)
        k = blocks.first_bad(got[5], want[5])
        if k is not None:
            c.same("dbias", got[5], want[5], f"dbias is dz summed over the batch, and its "
                   f"{LSTM_GATES[k]} block is the first that differs: {BLOCK_HINTS[k]}"
                   + (f", with {DC_TOTAL}." if k < 3 else "."), blocks=blocks)
        for name in ("dkernel", "drecurrent_kernel", "dx", "dh_prev", "dc_prev"):
            j = STEP_GRADS.index(name)
            c.same(name, got[j], want[j], STEP_HINTS[name], blocks=blocks if j in (3, 4) else None)


SEQ_GRADS = ("dx", "dh0", "dc0", "dkernel", "drecurrent_kernel", "dbias")


def lstm_backward(fn, forward, points=None, seed=None, quiet=False, with_dc_T=False, **sizes):
    """fn(dhs, caches, dc_T=None) -> (dx, dh0, dc0, dkernel, drecurrent_kernel, dbias)."""
    with Check("lstm_backward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0, c0, dhs = c.randn(B, T, D), c.randn(B, H), c.randn(B, H), c.randn(B, T, H)
        W, U, b = _weights(c, D, H)
        dc_T = c.randn(B, H) if with_dc_T else None
        _, _, caches = c.call(forward, x, h0, c0, W, U, b)
        args = (dhs, caches) if dc_T is None else (dhs, caches, dc_T)
        got = c.outputs(c.call(fn, *args), SEQ_GRADS,
                        [(B, T, D), (B, H), (B, H), (D, 4 * H), (H, 4 * H), (4 * H,)],
                        ["(B, T, D)", "(B, H)", "(B, H)", "(D, 4H)", "(H, 4H)", "(4H,)"])
        want = ref.lstm_backward(dhs, x, h0, c0, W, U, b, dc_T)

        def wrong(mistake):
            return lambda: ref.lstm_backward(dhs, x, h0, c0, W, U, b, dc_T, mistake)

        mistakes = [
            ("the gradient flowing back through h from step t + 1 is dropped: the upstream "
             "dh of step t is dhs[:, t] + the dh_prev of step t + 1.", wrong("no_dh_next")),
            ("the gradient flowing back through the cell state is dropped: the dc of step t "
             "is the dc_prev of step t + 1.", wrong("no_dc_next")),
        ]
        if dc_T is not None:
            mistakes.append(("dc_T is ignored: it is the dc of the last step.",
                             lambda: ref.lstm_backward(dhs, x, h0, c0, W, U, b)))
        check_bptt(c, SEQ_GRADS, got, want, mistakes, Blocks(H, LSTM_GATES))


LAYER_GRADS = ("dh0", "dc0", "dkernel", "drecurrent_kernel", "dbias")


def stacked_lstm_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dhs, caches1, caches2) -> (dx, grads1, grads2) of two stacked LSTM layers, each grads
    (dh0, dc0, dkernel, drecurrent_kernel, dbias); layer 2 reads layer 1's hs."""
    with Check("stacked_lstm_backward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, dhs = c.randn(B, T, D), c.randn(B, T, H)
        h01, c01, h02, c02 = (c.randn(B, H) for _ in range(4))
        W1, U1, b1 = _weights(c, D, H)
        W2, U2, b2 = _weights(c, H, H)
        _, _, caches1 = c.call(forward, x, h01, c01, W1, U1, b1)
        hs1 = ref.lstm_forward(x, h01, c01, W1, U1, b1)[0]
        _, _, caches2 = c.call(forward, hs1, h02, c02, W2, U2, b2)
        dx, grads1, grads2 = c.outputs(c.call(fn, dhs, caches1, caches2),
                                       ("dx", "grads1", "grads2"))
        names1 = tuple(f"grads1 {n}" for n in LAYER_GRADS)
        names2 = tuple(f"grads2 {n}" for n in LAYER_GRADS)
        grads1, grads2 = c.outputs(grads1, names1), c.outputs(grads2, names2)

        def layer1(dhs1):
            return ref.lstm_backward(dhs1, x, h01, c01, W1, U1, b1)

        def layer2(dhs2, dc_T=None):
            return ref.lstm_backward(dhs2, hs1, h02, c02, W2, U2, b2, dc_T)

        want2 = layer2(dhs)
        want1 = layer1(want2[0])

        def result(g1, g2):
            return (g1[0], *g1[1:], *g2[1:])

        got = (dx, *grads1, *grads2)
        if all(close(g, w) for g, w in zip(got, (*want1, *want2[1:]), strict=True)):
            return
        last = np.zeros_like(dhs)
        last[:, -1] = want2[0][:, -1]
        c.mistakes(got, [
            ("the gradients of the two layers are swapped: grads1 belongs to layer 1, the one "
             "that reads x.", lambda: (want1[0], *want2[1:], *want1[1:])),
            ("layer 1 receives the loss's dhs, but the loss does not read hs1: the gradient of "
             "hs1 is layer 2's dx.", lambda: result(layer1(dhs), want2)),
            ("layer 1 receives nothing from layer 2: its gradient is layer 2's dx.",
             lambda: result(layer1(np.zeros_like(dhs)), want2)),
            ("layer 1 receives only the gradient of its last step, but layer 2 reads every "
             "hs1[:, t]: pass all of layer 2's dx, (B, T, H).",
             lambda: result(layer1(last), want2)),
            ("layer 1 starts from layer 2's dc0, but layer 2's initial state is not layer 1's "
             "final state: each layer's walk back starts from zero.",
             lambda: result(ref.lstm_backward(want2[0], x, h01, c01, W1, U1, b1, want2[2]),
                            want2)),
        ])
        dx = c.array("dx", dx, (B, T, D), "(B, T, D)")
        shapes = [(B, H), (B, H), None, (H, 4 * H), (4 * H,)]
        dims = ["(B, H)", "(B, H)", None, "(H, 4H)", "(4H,)"]
        for layer, grads, names, d_in in ((2, grads2, names2, H), (1, grads1, names1, D)):
            shapes[2], dims[2] = (d_in, 4 * H), "(H, 4H)" if layer == 2 else "(D, 4H)"
            for name, g, s, d in zip(names, grads, shapes, dims, strict=True):
                c.array(name, g, s, d)
        blocks = Blocks(H, LSTM_GATES)
        for name, g, w in zip(names2, grads2, want2[1:], strict=True):
            c.same(name, g, w, "layer 2 is a plain LSTM layer reading hs1 and dhs: run chapter "
                   "04's backward pass through it first.", blocks=None if "0" in name else blocks)
        t = first_bad_step(dx, want1[0], reverse=True)
        if t is not None:
            c.same("dx", dx, want1[0], "layer 2 is right, so the gradient handed to layer 1 or "
                   f"layer 1's walk back is wrong; walking back dx differs first at step {t}.",
                   step=t)
        for name, g, w in zip(names1, grads1, want1[1:], strict=True):
            c.same(name, g, w, "dx is right; layer 1's gradient is layer 2's dx, walked back "
                   "through layer 1.", blocks=None if "0" in name else blocks)


CIFG_GATES = ("input-gate (i)", "candidate (g)", "output-gate (o)")
CIFG_BLOCK_HINTS = [
    "f = 1 - i, so i reaches c twice: dz_i = dc_total * (g - c_prev) * i * (1 - i)",
    "dz_g = dc_total * i * (1 - g**2)",
    "dz_o = dh * tanh(c) * o * (1 - o)",
]


def cifg_step_backward(fn, forward, points=None, seed=None, quiet=False, **sizes):
    """fn(dh, dc, cache) -> (dx, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias) of the
    coupled-gate LSTM step (blocks [i | g | o], f = 1 - i); cache from forward."""
    with Check("cifg_step_backward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        (x, h_prev, c_prev, dh, dc, W, U, b), got = _step_backward_case(
            c, fn, forward, B, D, H,
            lambda: (c.randn(D, 3 * H, scale=0.5), c.randn(H, 3 * H, scale=0.5), c.randn(3 * H)))
        want = ref.cifg_step_backward(dh, dc, x, h_prev, c_prev, W, U, b)
        if all(close(g, w) for g, w in zip(got, want, strict=True)):
            return

        def wrong(mistake):
            return lambda: ref.cifg_step_backward(dh, dc, x, h_prev, c_prev, W, U, b, mistake)

        c.mistakes(got, [
            ("dz_i treats the forget gate as a constant. Here f = 1 - i depends on i, so i "
             "reaches c twice, through i * g and through (1 - i) * c_prev: "
             "dz_i = dc_total * (g - c_prev) * i * (1 - i).", wrong("f_constant")),
            ("the path through f = 1 - i has the wrong sign: d(1 - i)/di = -1, so "
             "dz_i = dc_total * (g - c_prev) * i * (1 - i).", wrong("f_sign")),
            ("dc_prev = dc_total * f with f = 1 - i, not dc_total * i.",
             wrong("dc_prev_times_i")),
            ("dc_prev = dc_total * f with f = 1 - i: the forget gate scales what flows back "
             "to c_prev.", wrong("dc_prev_without_f")),
            ("dc_total leaves out the path through h = o * tanh(c): " + DC_TOTAL + ".",
             wrong("no_h_to_c")),
        ])
        blocks = Blocks(H, CIFG_GATES)
        k = blocks.first_bad(got[5], want[5])
        if k is not None:
            c.same("dbias", got[5], want[5], f"dbias is dz summed over the batch, and its "
                   f"{CIFG_GATES[k]} block is the first that differs: {CIFG_BLOCK_HINTS[k]}"
                   + (f", with {DC_TOTAL}." if k < 2 else "."), blocks=blocks)
        hints = dict(STEP_HINTS, dc_prev=f"dc_prev = dc_total * (1 - i), with {DC_TOTAL}.")
        for name in ("dkernel", "drecurrent_kernel", "dx", "dh_prev", "dc_prev"):
            j = STEP_GRADS.index(name)
            c.same(name, got[j], want[j], hints[name].replace("dz_f | dz_g", "dz_g"),
                   blocks=blocks if j in (3, 4) else None)

# -- 06: debugging ---------------------------------------------------------------------------

def worst_mismatch(fn, points=None, seed=None, quiet=False):
    """fn(got, expected, atol) -> None, or the index tuple of the largest |got - expected|."""
    with Check("worst_mismatch", points, seed, quiet) as c:
        for trial in range(3):
            shape = tuple(int(n) for n in c.rng.integers(2, 6, size=2 + trial % 2))
            expected = c.randn(*shape)
            got = expected + c.uniform(*shape, scale=1e-8)
            result = c.call(fn, got, expected, 1e-6)
            if result is not None:
                c.fail(f"every entry is within atol = 1e-6 here, so the answer is None; you "
                       f"returned {result!r}.")
            where = tuple(int(c.rng.integers(1, n)) for n in shape)
            got[where] += c.sign() * c.rng.uniform(0.5, 1.0)
            other = tuple(int(c.rng.integers(0, n)) for n in shape)
            if other != where:
                got[other] += 0.1
            result = c.call(fn, got, expected, 1e-6)
            if not isinstance(result, tuple) or not all(
                    isinstance(i, (int, np.integer)) for i in result):
                c.fail(f"should return a tuple of ints (an index), got {result!r}.")
            if tuple(int(i) for i in result) != where:
                c.fail(f"the largest |got - expected| is at {where}, you returned {result}.")
        a, b = c.randn(2, 3), c.randn(3, 2)
        try:
            result = c.call(fn, a, b, 1e-6)
        except Exception as e:
            if isinstance(e.__cause__, ValueError):
                return
            raise
        c.fail(f"for arrays of shapes (2, 3) and (3, 2) it should raise ValueError, and it "
               f"returned {result!r}.")


GRADIENT_NAMES = ("x", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias")


def gradient_check(fn, points=None, seed=None, quiet=False):
    """fn(loss, params, grads) -> (errors, wrong): errors a dict name -> the relative error
    ||a - n|| / (||a|| + ||n||) of grads[name] against the central difference n (eps = 1e-5),
    wrong the list of the names whose error exceeds 1e-6. params, grads: dicts name -> array;
    loss(params) -> float."""
    with Check("gradient_check", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", high=4)
        x, h_prev, c_prev = c.randn(B, D), c.randn(B, H), c.randn(B, H)
        W, U, b = _weights(c, D, H)
        R, S = c.randn(B, H), c.randn(B, H)
        params = dict(zip(GRADIENT_NAMES, (x, h_prev, c_prev, W, U, b), strict=True))

        def loss(p):
            h, cc = ref.lstm_step(p["x"], p["h_prev"], p["c_prev"], p["kernel"],
                                  p["recurrent_kernel"], p["bias"])
            return float(np.sum(h * R) + np.sum(cc * S))

        right = dict(zip(GRADIENT_NAMES, ref.lstm_step_backward(R, S, x, h_prev, c_prev, W, U, b),
                         strict=True))
        names = list(GRADIENT_NAMES)
        planted = [[], [names[int(c.rng.integers(6))]],
                   sorted(c.rng.choice(names, size=2, replace=False).tolist(), key=names.index)]
        for wrong in planted:
            grads = {k: v.copy() for k, v in right.items()}
            for name in wrong:  # one gate block of that gradient off by 1 % or 0.01 %
                g = grads[name]
                cols = g.shape[-1] // 4 if name in ("kernel", "recurrent_kernel", "bias") else 1
                k = int(c.rng.integers(g.shape[-1] // cols)) * cols
                factor = 1.0 + float(c.rng.choice([1e-2, 1e-4]))
                if _relative_error(_scaled(g, k, cols, factor), g) < 1e-5:
                    # That block is nearly zero (a saturated gate): plant the bug where it is
                    # at least ten times the threshold, so that "wrong" is not a coin toss.
                    norms = [np.linalg.norm(g[..., j:j + cols]) for j in range(0, g.shape[-1],
                                                                                 cols)]
                    k = int(np.argmax(norms)) * cols
                g[..., k:k + cols] *= factor
            want = {n: float(np.linalg.norm(grads[n] - right[n])
                             / (np.linalg.norm(grads[n]) + np.linalg.norm(right[n])))
                    for n in names}
            given = {k: v.copy() for k, v in params.items()}
            result = c.call(fn, loss, given, {k: v.copy() for k, v in grads.items()},
                            allow=(loss, ref.lstm_step, ref.blocks, ref.sigmoid), copy=False)
            changed = [k for k in names if not np.array_equal(given[k], params[k])]
            if changed:
                c.fail(f"params[{changed[0]!r}] is not as it was after your function ran: put "
                       "each entry back after perturbing it.")
            errors, flagged = c.outputs(result, ("errors", "wrong"))
            if not isinstance(errors, dict) or set(errors) != set(names):
                c.fail(f"`errors` should be a dict with one relative error per name of params, "
                       f"{names}; got {errors!r}.")
            if isinstance(flagged, (str, bytes)) or not all(isinstance(n, str) for n in flagged):
                c.fail(f"`wrong` should be a list of names (strings) from {names}; got "
                       f"{flagged!r}.")
            planted_text = (f"the gradients of {wrong} were wrong" if wrong
                            else "every gradient was right")
            for n in names:
                e = float(errors[n])
                if abs(e - want[n]) > 1e-8 + 0.01 * want[n]:
                    hint = (" That is twice the expected error: the denominator is "
                            "||a|| + ||n||, both norms." if abs(e - 2 * want[n]) < 0.05 * e
                            else " Is the numerical gradient the central difference "
                            "(f(x + eps) - f(x - eps)) / (2 eps), over every entry?")
                    c.fail(f"{planted_text}; errors[{n!r}] = {e:.3e}, expected "
                           f"{want[n]:.3e} = ||a - n|| / (||a|| + ||n||).{hint}")
            got = set(flagged)
            if got != set(wrong):
                c.fail(f"{planted_text}, and your errors are right, but `wrong` is "
                       f"{sorted(got)}: list exactly the names whose error exceeds 1e-6.")


def _scaled(g, k, cols, factor):
    out = g.copy()
    out[..., k:k + cols] *= factor
    return out


def _relative_error(a, n):
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
