"""Checkers for training (problem set 05): the loss, the Adam step, the forget-gate bias."""

import numpy as np

from .. import reference as ref
from ..feedback import LSTM_GATES, Blocks, Check, close, fmt


def softmax_cross_entropy(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(logits (B, K), y (B,) ints) -> (mean loss, dlogits (B, K))."""
    with Check("softmax_cross_entropy", points, seed, quiet) as c:
        B, K = c.sizes("B", "K", **sizes)
        for scale, what in ((2.0, ""), (1000.0, " with logits in the thousands")):
            logits = c.randn(B, K, scale=scale)
            y = c.rng.integers(0, K, size=B)
            loss, d = c.outputs(c.call(fn, logits, y), ("loss", "dlogits"))
            if np.ndim(loss) != 0:
                c.fail(f"`loss` should be one number, the mean over the batch; it has shape "
                       f"{np.shape(loss)}.")
            if not np.isfinite(loss):
                c.fail(f"the loss is {loss}{what}: exp overflowed. Subtract each row's max "
                       "before exp: softmax(z) = softmax(z - max(z)).")
            d = c.array("dlogits", d, (B, K), "(B, K)")
            want_loss, want_d = ref.softmax_cross_entropy(logits, y)
            if not close(loss, want_loss):
                hint = ("it is the sum over the batch; the loss is the mean."
                        if close(loss, want_loss * B) else
                        "loss = mean over the batch of -log softmax(logits)[b, y[b]].")
                c.fail(f"loss = {fmt(loss)}{what}, expected {fmt(want_loss)}: {hint}")
            hint = ("it is B times too large: the loss is a mean, so divide by B."
                    if close(d, want_d * B) else
                    "dlogits = (softmax(logits) - onehot(y)) / B.")
            c.same("dlogits", d, want_d, hint)


def adam_step(fn, points=None, seed=None, quiet=False, hyper=False):
    """fn(param, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon) -> (param, m, v).

    hyper=True passes non-default hyperparameters by keyword; otherwise Keras's defaults apply.
    """
    with Check("adam_step", points, seed, quiet) as c:
        shape = tuple(int(n) for n in c.rng.integers(2, 6, size=2))
        kw = {}
        if hyper:
            kw = {"learning_rate": float(c.rng.uniform(0.01, 0.1)),
                  "beta_1": float(c.rng.uniform(0.5, 0.8)),
                  "beta_2": float(c.rng.uniform(0.9, 0.99)), "epsilon": 1e-4}
        for scale in (1.0, 1e-7):
            _adam_trial(c, fn, shape, scale, kw)


def _adam_trial(c, fn, shape, scale, kw):
    """One call on gradients of about `scale`: 1e-7 is fresh state where epsilon counts."""
    what = " (gradients of about 1e-7, where epsilon counts)" if scale < 1 else ""
    p, g = c.randn(*shape), c.randn(*shape, scale=scale)
    fresh = scale != 1.0
    m = np.zeros(shape) if fresh else c.randn(*shape, scale=0.1)
    v = np.zeros(shape) if fresh else c.uniform(*shape, scale=0.1) ** 2
    t = 1 if fresh else int(c.rng.integers(2, 30))
    out = c.outputs(c.call(fn, p, g, m, v, t, **kw), ("param", "m", "v"), [shape] * 3,
                    "param.shape")
    want = ref.adam_step(p, g, m, v, t, **kw)
    if all(close(o, w) for o, w in zip(out, want, strict=True)):
        return

    def variant(step=t, **changes):
        return lambda: ref.adam_step(p, g, m, v, step, **{**kw, **changes})

    b1, b2 = kw.get("beta_1", 0.9), kw.get("beta_2", 0.999)
    c.mistakes(out, [
        ("this is the textbook form (Kingma & Ba), with epsilon added to the bias-corrected "
         "sqrt(v_hat). Keras adds it to sqrt(v) and folds both corrections into the step size:"
         " alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t).", variant(textbook=True)),
        ("beta_1 and beta_2 are swapped: m uses beta_1 = 0.9, v uses beta_2 = 0.999.",
         variant(beta_1=b2, beta_2=b1)),
        ("the bias correction uses t + 1: t is the number of this step, from 1.",
         variant(step=t + 1)),
        ("the bias correction uses t - 1: t is the number of this step, from 1.",
         variant(step=t - 1)),
    ])
    hints = {"m": "m = beta_1 * m + (1 - beta_1) * grad",
             "v": "v = beta_2 * v + (1 - beta_2) * grad**2",
             "param": "param - alpha * m / (sqrt(v) + epsilon), "
                      "alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)"}
    for name, k in (("m", 1), ("v", 2), ("param", 0)):
        c.same(name, out[k], want[k], hints[name] + what + ".")


def lstm_bias_init(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(H, forget_bias=1.0) -> bias (4H,): zeros, the forget block set to forget_bias."""
    with Check("lstm_bias_init", points, seed, quiet) as c:
        (H,) = c.sizes("H", **sizes)
        for kw in ({}, {"forget_bias": float(c.rng.uniform(1.5, 3.0))}):
            bias = c.array("bias", c.call(fn, H, **kw), (4 * H,), "(4H,)")
            want = np.zeros(4 * H)
            want[H:2 * H] = kw.get("forget_bias", 1.0)
            blocks = Blocks(H, LSTM_GATES)
            k = blocks.first_bad(bias, want)
            if k is not None:
                c.same("bias", bias, want, f"the {LSTM_GATES[k]} block is wrong. The forget "
                       "gate is the second block, bias[H:2H], set to forget_bias; the other "
                       "three blocks are zero.", blocks=blocks)


def half_life_bias(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(half_lives (H,)) -> bias (4H,): chrono-style, with unit j's forget gate at
    initialisation sigma(b_f) = 2 ** (-1 / half_lives[j]), b_i = -b_f, the rest zero."""
    with Check("half_life_bias", points, seed, quiet) as c:
        (H,) = c.sizes("H", **sizes)
        k = c.rng.uniform(2.0, 200.0, size=H)
        bias = c.array("bias", c.call(fn, k), (4 * H,), "(4H,)")
        f = 2.0 ** (-1.0 / k)
        b_f = np.log(f / (1 - f))
        want = np.concatenate([-b_f, b_f, np.zeros(2 * H)])
        if close(bias, want):
            return
        got_f, got_i = bias[H:2 * H], bias[:H]
        forget = {
            "the forget block holds the gate's value sigma(b_f) = 2**(-1/k); the bias is its "
            "logit, b_f = log(f / (1 - f)).": f,
            "that is chrono's b_f = log(k - 1), a *mean* memory of k steps. A half-life of k "
            "steps needs sigma(b_f)**k = 1/2.": np.log(k - 1),
            "sigma(b_f)**k = 1/2 gives sigma(b_f) = 2**(-1/k), not 2**(-k).":
                np.log(2.0 ** -k / (1 - 2.0 ** -k)),
            "that forget gate keeps 1/e of the gradient after k steps, not 1/2: "
            "sigma(b_f) = 2**(-1/k), not exp(-1/k).": -np.log(np.expm1(1.0 / k)),
        }
        for hint, wrong in forget.items():
            if close(got_f, wrong):
                c.fail(f"the forget block bias[H:2H] is wrong: {hint}")
        blocks = Blocks(H, LSTM_GATES)
        first = blocks.first_bad(bias, want)
        if first == 0 and close(got_f, b_f):
            hint = ("the input block is zero: chrono initialisation sets b_i = -b_f, so that a "
                    "slow unit also writes slowly." if close(got_i, 0 * b_f) else
                    "the input block is b_i = -b_f, minus the forget block.")
            c.same("bias", bias, want, hint, blocks=blocks)
        c.same("bias", bias, want, "blocks [i | f | g | o]: b_i = -b_f, b_f = log(f / (1 - f)) "
               "with f = 2**(-1/k) for each unit's half-life k, g and o zero.", blocks=blocks)
