"""Checkers for the variants (problem set 10): the weight shapes of each variant (against the
cells Keras builds; TensorFlow is imported when that check runs), the GRU as Keras computes it
(reset_after=True, bias (2, 3H): input bias and recurrent bias), and the LSTM with coupled input
and forget gates."""

import functools

import numpy as np

from .. import reference as ref
from ..feedback import GRU_GATES, Blocks, Check, close
from .common import diagnose_sequence

GRU_SHAPES = ("Shapes: x (B, D) @ kernel (D, 3H), h_prev (B, H) @ recurrent_kernel (H, 3H), "
              "bias (2, 3H): bias[0] goes with the input, bias[1] with the recurrent term.")


def _gru_weights(c, D, H):
    return c.randn(D, 3 * H, scale=0.6), c.randn(H, 3 * H, scale=0.6), c.randn(2, 3 * H)


def gru_mistakes(x, h, W, U, b):
    def step(**kw):
        return lambda: ref.gru_step(x, h, W, U, b, **kw)

    def bias_added_once():  # b[0] + b[1] outside the reset gate: what reset_after=False does
        H = h.shape[1]
        b2 = b.copy()
        b2[0, 2 * H:] += b2[1, 2 * H:]
        b2[1, 2 * H:] = 0
        return ref.gru_step(x, h, W, U, b2)

    return [
        ("h = (1 - z) * h_prev + z * h~ is the other convention; Keras computes "
         "h = z * h_prev + (1 - z) * h~.", step(keras_interp=False)),
        ("z and r are swapped: z comes from the first block, r from the second.",
         step(swap_zr=True)),
        ("this is reset_after=False (r applied to h_prev before the product). Keras's default, "
         "reset_after=True, applies it after: h~ = tanh(x W_h + b_in,h + r * (h_prev U_h + "
         "b_rec,h)).", step(reset_after=False)),
        ("the two bias rows are swapped: bias[0] is the input bias, bias[1] the recurrent one.",
         lambda: ref.gru_step(x, h, W, U, b[::-1])),
        ("the recurrent bias of the candidate sits outside r: with reset_after=True it is "
         "inside, r * (h_prev @ U_h + bias[1, 2H:]).", bias_added_once),
        ("the candidate uses a sigmoid; h~ = tanh(...).",
         lambda: _gru_sigmoid_candidate(x, h, W, U, b)),
    ]


def _gru_sigmoid_candidate(x, h, W, U, b):
    xz, xr, xh = ref.blocks(x @ W + b[0], 3)
    hz, hr, hh = ref.blocks(h @ U + b[1], 3)
    z, r = ref.sigmoid(xz + hz), ref.sigmoid(xr + hr)
    return z * h + (1 - z) * ref.sigmoid(xh + r * hh)


def gru_step_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h_prev, kernel, recurrent_kernel, bias) -> h (B, H), as keras.layers.GRU."""
    with Check("gru_step_forward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev = c.randn(B, D), c.randn(B, H)
        W, U, b = _gru_weights(c, D, H)
        h = c.outputs(c.call(fn, x, h_prev, W, U, b, hint=GRU_SHAPES), "h", (B, H), "(B, H)")
        want = ref.gru_step(x, h_prev, W, U, b)
        if close(h, want):
            return
        c.mistakes((h,), gru_mistakes(x, h_prev, W, U, b))
        # z = 1 everywhere (a large update-gate bias) must give h = h_prev: isolates z.
        b2 = b.copy()
        b2[0, :H] = 30.0
        held = c.outputs(c.call(fn, x, h_prev, W, U, b2), "h", (B, H), "(B, H)")
        if not close(held, h_prev, 1e-6, 1e-6):
            c.fail("with the update gate z saturated at 1 (bias[0, :H] = 30) h should stay "
                   "h_prev: check z = sigmoid(x W_z + bias[0, :H] + h_prev U_z + bias[1, :H]), "
                   "from the first block, and h = z * h_prev + (1 - z) * h~.")
        c.same("h", h, want, "h = z * h_prev + (1 - z) * h~", blocks=Blocks(H, GRU_GATES[:1]))


def gru_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x (B, T, D), h0, kernel, recurrent_kernel, bias) -> hs (B, T, H)."""
    with Check("gru_forward", points, seed, quiet) as c:
        B, T, D, H = c.sizes("B", "T", "D", "H", **sizes)
        x, h0 = c.randn(B, T, D), c.randn(B, H)
        W, U, b = _gru_weights(c, D, H)
        hs = c.outputs(c.call(fn, x, h0, W, U, b, hint=GRU_SHAPES), "hs", (B, T, H),
                       "(B, T, H)")
        want = ref.gru_forward(x, h0, W, U, b)
        if not close(hs, want):
            diagnose_sequence(c, hs, want, lambda t: ref.gru_step(x[:, t], h0, W, U, b), h0)


def coupled_lstm_step(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h_prev, c_prev, kernel (D, 3H), recurrent_kernel (H, 3H), bias (3H,)) -> (h, c)."""
    with Check("coupled_lstm_step", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h, cp = c.randn(B, D), c.randn(B, H), c.randn(B, H)
        W, U, b = c.randn(D, 3 * H, scale=0.6), c.randn(H, 3 * H, scale=0.6), c.randn(3 * H)
        got = c.outputs(c.call(fn, x, h, cp, W, U, b), ("h", "c"), [(B, H)] * 2, "(B, H)")
        want = ref.cifg_step(x, h, cp, W, U, b)
        if close(got[0], want[0]) and close(got[1], want[1]):
            return

        def cifg(f_of_i=lambda i: 1 - i, cand=np.tanh, order=(0, 1, 2)):
            zi, zg, zo = (ref.blocks(x @ W + h @ U + b, 3)[k] for k in order)
            ii, gg, oo = ref.sigmoid(zi), cand(zg), ref.sigmoid(zo)
            cc = f_of_i(ii) * cp + ii * gg
            return oo * np.tanh(cc), cc

        c.mistakes(got, [
            ("h and c are swapped: return (h, c).", lambda: want[::-1]),
            ("f = i: the forget gate is coupled as f = 1 - i.", lambda: cifg(lambda i: i)),
            ("the candidate uses a sigmoid; g = tanh.", lambda: cifg(cand=ref.sigmoid)),
            ("the blocks are read as [i | o | g]: here they are [i | g | o].",
             lambda: cifg(order=(0, 2, 1))),
            ("the blocks are read as [g | i | o]: here they are [i | g | o].",
             lambda: cifg(order=(1, 0, 2))),
        ])
        c.same("c", got[1], want[1], "c = (1 - i) * c_prev + i * g")
        c.same("h", got[0], want[0], "h = o * tanh(c)")


def mgu_step_forward(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(x, h_prev, kernel (D, 2H), recurrent_kernel (H, 2H), bias (2H,)) -> h (B, H), the
    minimal gated unit, blocks [f | h~]."""
    with Check("mgu_step_forward", points, seed, quiet) as c:
        B, D, H = c.sizes("B", "D", "H", **sizes)
        x, h_prev = c.randn(B, D), c.randn(B, H)
        W, U, b = c.randn(D, 2 * H, scale=0.6), c.randn(H, 2 * H, scale=0.6), c.randn(2 * H)
        h = c.outputs(c.call(fn, x, h_prev, W, U, b, hint="Shapes: x (B, D) @ kernel (D, 2H), "
                             "h_prev (B, H) @ recurrent_kernel (H, 2H), bias (2H,)."),
                      "h", (B, H), "(B, H)")
        want = ref.mgu_step(x, h_prev, W, U, b)
        if close(h, want):
            return

        def wrong(mistake):
            return lambda: ref.mgu_step(x, h_prev, W, U, b, mistake)

        c.mistakes((h,), [
            ("the gate multiplies h_prev @ U_h; it must multiply h_prev *before* the product: "
             "h~ = tanh(x W_h + (f * h_prev) @ U_h + b_h).", wrong("gate_after_product")),
            ("the candidate ignores the gate: h~ reads f * h_prev, not h_prev.",
             wrong("no_gate_in_candidate")),
            ("the mix is the wrong way round: h = (1 - f) * h_prev + f * h~, so that f = 1 "
             "writes the candidate.", wrong("swapped_mix")),
            ("the blocks are swapped: f comes from the first H columns, h~ from the last H.",
             wrong("swapped_blocks")),
        ])
        c.same("h", h, want, "f = sigmoid(x W_f + h_prev U_f + b_f), "
               "h~ = tanh(x W_h + (f * h_prev) U_h + b_h), h = (1 - f) * h_prev + f * h~.")


# -- the weights of each variant ---------------------------------------------------------------

VARIANT_NAMES = ("LSTM", "GRU", "GRU (reset_after=False)", "peephole", "coupled (CIFG)",
                 "no forget gate", "vanilla RNN")


@functools.lru_cache(maxsize=64)
def _keras_shapes(D, H):
    """get_weights() shapes of Keras's own cells, and of chapter 10's cells built on them."""
    from .tf import _tf

    _, keras = _tf()

    def shapes(cell):
        cell.build((None, D))
        return [tuple(int(n) for n in w.shape) for w in cell.get_weights()]

    lstm = shapes(keras.layers.LSTMCell(H))
    gru_before = shapes(keras.layers.GRUCell(H, reset_after=False))
    return {
        "LSTM": lstm,
        "GRU": shapes(keras.layers.GRUCell(H)),
        "GRU (reset_after=False)": gru_before,
        "peephole": lstm + [(3, H)],  # chapter 10: the LSTM's weights, then peephole (3, H)
        "coupled (CIFG)": gru_before,  # three blocks i, c, o: the same shapes as this GRU's
        "no forget gate": gru_before,
        "vanilla RNN": shapes(keras.layers.SimpleRNNCell(H)),
    }


def _shapes_hint(name, got, want, D, H):
    """Why the shapes `got` of variant `name` differ from `want` (lists of tuples)."""
    blocks = want[0][1] // H
    if len(got) == 3 and len(want) == 3 and got[:2] == [(H, want[0][1]), (D, want[1][1])]:
        return ("kernel and recurrent_kernel are swapped: the kernel multiplies x, so it has D "
                f"rows, (D, {blocks}H); the recurrent kernel multiplies h, (H, {blocks}H).")
    # (D, 3H) read backwards is itself when D = 3H: then a transposed kernel cannot be seen.
    if got and want and want[0][0] != want[0][1] and got[0] == want[0][::-1]:
        return (f"the kernel is transposed: Keras computes x @ kernel, so it is (D, {blocks}H), "
                "D rows and one column per unit and block.")
    if name == "GRU" and got == want[:2] + [(3 * H,)]:
        return ("reset_after=True keeps two bias rows, bias (2, 3H): row 0 is added to x @ "
                "kernel, row 1 to h @ recurrent_kernel inside the reset gate, so they cannot be "
                "summed into one.")
    if name == "GRU (reset_after=False)" and got == want[:2] + [(2, 3 * H)]:
        return ("with reset_after=False the reset gate acts on h before the product, so the "
                "two biases would only ever be added together: Keras keeps one, bias (3H,).")
    if name == "peephole" and got == want[:3]:
        return ("the peephole weights are missing: after the bias, peephole (3, H), one "
                "vector of H weights for each gate that looks at the cell.")
    if name == "peephole" and got[:3] == want[:3] and len(got) == 4:
        return (f"peephole is {got[3]}; it is (3, H): rows p_i, p_f, p_o, one weight per unit "
                "for each of the three gates (the candidate has no peephole).")
    if name in ("coupled (CIFG)", "no forget gate") and got == [(D, 4 * H), (H, 4 * H), (4 * H,)]:
        return ("these are the LSTM's four blocks; this variant has no forget-gate block: "
                "three blocks i, c, o, so (D, 3H), (H, 3H), (3H,).")
    if name == "LSTM" and got == [(D, 3 * H), (H, 3 * H), (3 * H,)]:
        return "the LSTM has four blocks i, f, c, o: (D, 4H), (H, 4H), (4H,)."
    if name == "vanilla RNN" and got[:1] != want[:1] and len(got) == 3:
        return "the vanilla RNN has one block: (D, H), (H, H), (H,)."
    return ""


def weight_shapes(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(D, H) -> {variant: [shapes of cell.get_weights(), in order]} for VARIANT_NAMES."""
    with Check("weight_shapes", points, seed, quiet) as c:
        D, H = c.sizes("D", "H", **sizes)
        got = c.call(fn, D, H)
        if not isinstance(got, dict):
            c.fail(f"should return a dict from variant name to a list of shapes, got a "
                   f"{type(got).__name__}.")
        missing = [k for k in VARIANT_NAMES if k not in got]
        extra = [k for k in got if k not in VARIANT_NAMES]
        if missing or extra:
            c.fail(f"the keys should be {list(VARIANT_NAMES)}; missing {missing}, "
                   f"unexpected {extra}.")
        want = {k: list(v) for k, v in _keras_shapes(D, H).items()}
        for name in VARIANT_NAMES:
            try:
                shapes = [tuple(int(n) for n in s) for s in got[name]]
            except TypeError:
                c.fail(f"got[{name!r}] should be a list of shapes, tuples such as (D, 4 * H); "
                       f"got {got[name]!r}.")
            if shapes == want[name]:
                continue
            hint = _shapes_hint(name, shapes, want[name], D, H)
            c.fail(f"for D = {D}, H = {H}, {name!r}: you give {shapes}, its cell's "
                   f"get_weights() gives {want[name]}."
                   + (f"\n  {hint}" if hint else "\n  kernel, recurrent_kernel, bias"
                      + (", then peephole" if name == "peephole" else "")
                      + ": one column block of H per gate (and candidate)."))
