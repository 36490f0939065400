"""Checkers for training (problem set 05): chrono biases, the loss, the Adam step, a forget
bias for a half-life, and a whole training step that overfits one batch."""

import numpy as np

from .. import reference as ref
from ..feedback import LSTM_GATES, Blocks, Check, close, fmt
from .common import library_pieces


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


def chrono_bias(fn, points=None, seed=None, quiet=False, **sizes):
    """fn(H, T_min, T_max, rng) -> bias (4H,) = [-b_f | b_f | 0 | 0], b_f = log(m - 1) for each
    unit's memory m = 1 / (1 - sigmoid(b_f)) drawn from rng uniform in [T_min, T_max]."""
    with Check("chrono_bias", points, seed, quiet) as c:
        (H,) = c.sizes("H", **sizes)
        T_min = int(c.rng.integers(2, 20))
        T_max = T_min + int(c.rng.integers(20, 200))
        draw = int(c.rng.integers(2**31))
        small = c.array("bias", c.call(fn, H, T_min, T_max, np.random.default_rng(draw)),
                        (4 * H,), "(4H,)")
        again = c.call(fn, H, T_min, T_max, np.random.default_rng(draw))
        if not close(small, again):
            c.fail("two calls with generators of the same seed gave different biases: draw "
                   "the memories with the `rng` you are given (rng.uniform), not np.random.")
        n = 8000  # enough units to see the distribution of their memories
        bias = c.array("bias", c.call(fn, n, T_min, T_max, np.random.default_rng(draw)),
                       (4 * n,), "(4H,)")
        _chrono_diagnosis(c, bias.reshape(4, n), T_min, T_max)


def _ks_uniform(samples, low, high):
    """Kolmogorov-Smirnov distance between the samples and the uniform law on [low, high]."""
    s = np.sort(np.asarray(samples, dtype=float))
    n = len(s)
    cdf = np.clip((s - low) / (high - low), 0.0, 1.0)
    return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))


def _uniform_on(samples, low, high, tol=1e-6):
    """Do the samples look drawn uniformly from [low, high]: inside it, filling it, flat?"""
    span = high - low
    return (samples.min() >= low - tol and samples.max() <= high + tol
            and samples.min() <= low + 0.01 * span and samples.max() >= high - 0.01 * span
            and _ks_uniform(samples, low, high) < 0.04)


def _chrono_diagnosis(c, blocks, T_min, T_max):
    """blocks (4, n): the bias's [i | f | g | o] blocks for n units."""
    b_i, b_f, g, o = blocks
    tail = f" (memories uniform in [T_min, T_max] = [{T_min}, {T_max}])"
    if np.allclose(b_f, 0) and not np.allclose(g, 0):
        c.fail("the forget block bias[H:2H] is zero and the candidate block bias[2H:3H] holds "
               "your forget biases: that is the block order i, c, f, o of TensorFlow 1's "
               "LSTMCell. Keras and this book use i, f, c, o: the forget gate is the second "
               "block.")
    if np.all(b_i >= 0) and np.all(b_f <= 0) and not np.allclose(b_i, 0):
        c.fail("the input and forget blocks are swapped: the order is i, f, c, o, so bias[:H] "
               "is the input gate (-b_f) and bias[H:2H] the forget gate (b_f >= 0).")
    if np.ptp(b_f) < 1e-9:
        what = {np.log(T_max): "log(T_max)", np.log(T_max - 1): "log(T_max - 1)",
                np.log(T_min): "log(T_min)", np.log(T_min - 1) if T_min > 2 else np.nan:
                "log(T_min - 1)"}
        name = next((v for k, v in what.items() if np.isclose(b_f[0], k)), fmt(b_f[0]))
        c.fail(f"every unit has the same forget bias, b_f = {name}: one memory length for all. "
               "Chrono draws one memory per unit, m ~ U[T_min, T_max] with rng.uniform, and "
               "sets that unit's b_f = log(m - 1).")
    memory = 1 + np.exp(np.minimum(b_f, 50))  # 1 / (1 - sigmoid(b_f)), without overflow
    if not _uniform_on(memory, T_min, T_max):
        no_log = ("b_f itself is uniform: you left out the log. The memory 1 / (1 - "
                  "sigmoid(b_f)) = 1 + exp(b_f) is uniform when b_f = log(m - 1).")
        log_uniform = ("the logs of the memories are uniform, not the memories: draw m "
                       "uniformly in [T_min, T_max], then take b_f = log(m - 1).")
        lo, hi = T_min, T_max
        wrong = [  # (samples, the interval they are uniform on, what that mistake is)
            (memory - 1, lo, hi, "that is b_f = log(u) with u ~ U[T_min, T_max]: a unit's "
             "memory is 1 / (1 - sigmoid(log u)) = 1 + u, one step too long. Draw the memory m "
             "from U[T_min, T_max] and take b_f = log(m - 1)."),
            (b_f, lo, hi, no_log),
            (b_f, lo - 1, hi - 1, no_log),
            (np.log(memory), np.log(lo), np.log(hi), log_uniform),
            (b_f, np.log(lo - 1), np.log(hi - 1), log_uniform),
            (b_f, np.log(lo), np.log(hi), log_uniform),
        ]
        for samples, low, high, hint in wrong:
            if _uniform_on(samples, low, high):
                c.fail(f"the forget block bias[H:2H] is wrong{tail}: {hint}")
        c.fail(f"the forget block bias[H:2H] is wrong: the memories 1 / (1 - sigmoid(b_f)) of "
               f"your units range over [{fmt(memory.min())}, {fmt(memory.max())}], Kolmogorov-"
               f"Smirnov distance {_ks_uniform(memory, T_min, T_max):.3f} from U[{T_min}, "
               f"{T_max}]. Each unit: m ~ U[T_min, T_max], b_f = log(m - 1).")
    if not np.allclose(b_i, -b_f):
        hint = ("the input block is zero: chrono sets b_i = -b_f, so that a unit with a long "
                "memory also writes slowly instead of filling its memory with every input."
                if np.allclose(b_i, 0) else
                "the input block is +b_f: chrono sets b_i = -b_f, the negative." if
                np.allclose(b_i, b_f) else "the input block bias[:H] is b_i = -b_f.")
        c.fail(hint)
    for name, block, k in (("candidate (g)", g, 2), ("output-gate (o)", o, 3)):
        if not np.allclose(block, 0):
            c.fail(f"the {name} block bias[{k}H:{k + 1}H] should be zero, as Keras "
                   "initialises it; chrono sets only the input and forget blocks.")


PARAM_NAMES = ("rnn kernel", "rnn recurrent_kernel", "rnn bias", "head kernel", "head bias")


class _SpyOptimizer:
    """Records what a training step hands the optimizer, and updates nothing."""

    def __init__(self):
        self.calls = []

    def step(self, params, grads):
        self.calls.append((list(params), [np.array(g, dtype=float) for g in grads]))


def running_sum_batch(rng, B, T):
    """The adding problem with an answer at every step: x (B, T, 2), y (B, T, 1).

    x[..., 0] values uniform in [-1, 1], x[..., 1] marks two steps with 1; y[:, t] is the sum
    of the marked values up to step t.
    """
    values = rng.uniform(-1, 1, size=(B, T))
    marks = np.zeros((B, T))
    for b in range(B):
        marks[b, rng.choice(T, size=2, replace=False)] = 1.0
    return np.stack([values, marks], axis=-1), np.cumsum(values * marks, axis=1)[..., None]


def _model(c, H):
    from lstm_lib.numpy import LSTM, Dense

    seeds = c.rng.integers(2**31, size=2)
    return (LSTM(2, H, seed=int(seeds[0]), dtype=np.float64),
            Dense(H, 1, seed=int(seeds[1]), dtype=np.float64))


def _reference_step(rnn, head, x, y, last_only=False):
    """Loss and gradients, rnn's then head's, of the MSE over every step's prediction."""
    from lstm_lib.numpy import mse

    hs, _ = rnn.forward(x)
    loss, dp = mse(head.forward(hs), y)
    d_hs, head_grads = head.backward(dp)
    if last_only:
        d_hs[:, :-1] = 0
    _, _, rnn_grads = rnn.backward(d_hs)
    return loss, [np.array(g) for g in rnn_grads + head_grads]


def train_step(fn, points=None, seed=None, quiet=False, steps=200, **sizes):
    """fn(rnn, head, optimizer, x (B, T, 2), y (B, T, 1), max_norm) -> loss, after one
    optimizer.step(rnn.params + head.params, clipped grads) of the MSE over every step.
    Then `steps` steps with Adam on one fixed batch must overfit it."""
    with Check("train_step", points, seed, quiet) as c:
        B, T, H = c.sizes("B", "T", "H", **sizes)
        x, y = running_sum_batch(c.rng, B, T)
        _wiring(c, fn, x, y, H, clip=False)
        _wiring(c, fn, x, y, H, clip=True)
        if steps:
            _overfit(c, fn, steps, quiet)


def _wiring(c, fn, x, y, H, clip):
    rnn, head = _model(c, H)
    params = rnn.params + head.params
    before = [p.copy() for p in params]
    loss_want, raw = _reference_step(rnn, head, x, y)
    norm = float(np.sqrt(sum(np.sum(g * g) for g in raw)))
    max_norm = 0.5 * norm if clip else 10.0 * norm
    scale = min(1.0, max_norm / norm)
    want = [g * scale for g in raw]
    spy = _SpyOptimizer()
    loss = c.call(fn, rnn, head, spy, x, y, max_norm, allow=library_pieces() + (_SpyOptimizer,))
    if loss is None or np.ndim(loss) != 0:
        c.fail(f"should return the loss, one number; it returned "
               f"{'None' if loss is None else f'an array of shape {np.shape(loss)}'}.")
    if any(not np.array_equal(p, q) for p, q in zip(params, before, strict=True)):
        c.fail("your function changed the weights itself: compute the gradients and let "
               "optimizer.step(params, grads) update them, once.")
    if not spy.calls:
        c.fail("optimizer.step(params, grads) was never called: without it the weights never "
               "change and nothing is learned.")
    if len(spy.calls) > 1:
        c.fail(f"optimizer.step was called {len(spy.calls)} times: once per training step, "
               "with every parameter and its gradient.")
    given, grads = spy.calls[0]
    _check_params(c, given, grads, params)
    if not close(loss, loss_want):
        c.fail(f"the loss is {fmt(loss)}, expected {fmt(loss_want)}: the mean of "
               "(p - y)**2 over all B * T predictions of the head, as mse(p, y) returns it.")
    last = _reference_step(*_copy_model(rnn, head, before), x, y, last_only=True)[1]
    what = f" (max_norm = {fmt(max_norm)}, the gradients' global norm {fmt(norm)})"
    mistakes = [
        ("every gradient has the wrong sign: optimizer.step subtracts what it is given, so it "
         "must be d loss / d param (mse's dp = 2 (p - y) / n), or the loss climbs.",
         lambda: tuple(-g for g in want)),
        ("the recurrent layer's gradients are those of the last step's loss only: the head "
         "predicts at every step, so send head.backward's whole d_hs (B, T, H) into "
         "rnn.backward, not only d_hs[:, -1].", lambda: tuple(g * scale for g in last)),
    ]
    if clip:
        mistakes += [
            ("the gradients are not clipped" + what + ": scale them all by one factor, "
             "clip_by_global_norm(grads, max_norm).", lambda: tuple(raw)),
            ("each gradient was clipped to max_norm on its own: clip_by_global_norm scales "
             "all of them by one factor, so that their joint norm is max_norm.",
             lambda: tuple(g * min(1.0, max_norm / np.linalg.norm(g)) for g in raw)),
        ]
    c.mistakes(tuple(grads), mistakes)
    for name, g, w in zip(PARAM_NAMES, grads, want, strict=True):
        c.same(f"gradient of the {name}", g, w, "the gradients come from the layers' own "
               "backward passes: head.backward(dp), then rnn.backward(d_hs)" +
               (", clipped together by their global norm." if clip else "."))


def _copy_model(rnn, head, weights):
    from lstm_lib.numpy import LSTM, Dense

    r = LSTM(rnn.input_size, rnn.units, dtype=np.float64)
    h = Dense(head.input_size, head.units, dtype=np.float64)
    r.set_weights(weights[:3])
    h.set_weights(weights[3:])
    return r, h


def _check_params(c, given, grads, params):
    """The optimizer must get the layers' own five arrays, in order, and a gradient each."""
    ids = [id(p) for p in given]
    missing = [n for n, p in zip(PARAM_NAMES, params, strict=True) if id(p) not in ids]
    if missing and len(given) == len(params) and all(
            np.shape(g) == p.shape for g, p in zip(given, params, strict=True)):
        c.fail("optimizer.step got copies of the weights, not the layers' own arrays: the "
               "update would change the copies and leave the model as it was. Pass "
               "rnn.params + head.params.")
    if missing:
        c.fail(f"optimizer.step got {len(given)} parameter arrays, not the 5 of the model; "
               f"missing: {', '.join(missing)}. A parameter the optimizer does not see is "
               "never trained: pass rnn.params + head.params.")
    if len(given) != len(params) or any(a is not b for a, b in zip(given, params, strict=True)):
        c.fail("optimizer.step got the model's parameters in another order or more than once: "
               "pass rnn.params + head.params, and the gradients in the same order.")
    if len(grads) != len(params):
        c.fail(f"optimizer.step got {len(grads)} gradients for {len(params)} parameters: one "
               "gradient for each, rnn's three then head's two.")
    for name, g, p in zip(PARAM_NAMES, grads, params, strict=True):
        if g.shape != p.shape:
            c.fail(f"the gradient given for the {name} has shape {g.shape}, the parameter "
                   f"{p.shape}: the gradients must come in the order of the parameters, "
                   "rnn's (kernel, recurrent_kernel, bias) then head's (kernel, bias).")


def _overfit(c, fn, steps, quiet):
    """Adam on one fixed batch: a right training step learns it by heart."""
    from lstm_lib.numpy import Adam

    x, y = running_sum_batch(c.rng, 8, 10)
    rnn, head = _model(c, 16)
    optimizer = Adam(learning_rate=1e-2)

    def run():
        return [float(fn(rnn, head, optimizer, x, y, 1.0)) for _ in range(steps)]

    losses = c.call(run, allow=library_pieces() + (run,))
    # Over 40 seeds a right step ends below 0.5 % of the first loss (worst 0.47 %).
    if not losses[-1] < 0.05 * losses[0]:
        trend = "rose" if losses[-1] > losses[0] else "fell too little"
        c.fail(f"on one fixed batch (B, T, H) = (8, 10, 16) the loss {trend}: "
               f"{fmt(losses[0])} -> {fmt(losses[-1])} in {steps} Adam steps; a right "
               "training step brings it below 5 % of its start.")
    if not quiet:
        print(f"  one fixed batch learned by heart: loss {losses[0]:.4f} -> {losses[-1]:.6f} "
              f"in {steps} Adam steps")
