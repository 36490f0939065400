"""Checkers for debugging a black box (problem set 06): design an overfit test that a bug fails,
and name the bug of a suspect LSTM.

The suspects are the layers of lstm_lib.grading.suspect, each with one bug of chapter 06's
catalogue (or none). A check hands the learner's procedure several suspects with bugs drawn at
random, so that a procedure that guesses, or that always names the same bug, fails.
"""

import numpy as np

from ..feedback import Check, fresh_seed
from ..suspect import BUGS, _sigmoid
from ..suspect import suspect as _suspect

# How each bug shows, and the tool that finds it: chapter 06's table from symptom to bug.
SYMPTOMS = {
    "none": "every check passes: shapes at distinct sizes, parity with the reference, the "
            "probe, the gradient check at T = 1 and at T > 1.",
    "swapped_kernels": "the call raises a ValueError from a matrix product when D != H (and "
                       "only then): the input met the recurrent kernel. Test with D != H.",
    "batch_axis_bias": "get_weights() gives a bias of shape (B, 4H), not (4H,); a batch of "
                       "another size fails. Check the shapes of the weights.",
    "time_axis_kept": "hs has a stray axis, (B, T, B, H): a slice x[:, t:t+1] kept the time "
                      "axis. Check the output's shape.",
    "sigmoid_candidate": "one step disagrees with the reference; the probe of the candidate (i "
                         "open, f shut, o open, c_prev = 0, so c = g) gives sigmoid(r), "
                         "never negative, where the reference gives tanh(r).",
    "gate_order": "one step disagrees with the reference; the probe of the candidate gives "
                  "neither tanh(r) nor sigmoid(r): the blocks are read in another order than "
                  "i, f, c, o.",
    "h_c_swapped": "after one step your hs equals the reference's c and your c_T its h. "
                   "Compare with every output of the reference, not only the one it should "
                   "equal.",
    "loop_one_short": "hs has T - 1 steps: the loop stops one step early. Check the output's "
                      "shape.",
    "tanh_prime_of_c": "the forward pass equals the reference, but the gradient check fails "
                       "already at T = 1: a bug inside one step's backward pass.",
    "no_cell_carry": "the forward pass equals the reference and the gradient check passes at "
                     "T = 1, but fails at T > 1: a bug in what flows between steps.",
}


def suspect(seed=None, bug=None):
    """A black-box LSTM layer class with one bug of BUGS: `bug` to practise on a given one,
    else drawn at random (from `seed`, if given)."""
    return _suspect(fresh_seed() if seed is None else seed, bug)


def name_the_bug(fn, points=None, seed=None, quiet=False, boxes=4):
    """fn(Suspect) -> one name of BUGS, for several suspects with bugs drawn at random;
    boxes="all": one suspect of every bug."""
    with Check("name_the_bug", points, seed, quiet) as c:
        bugs = (list(BUGS) if boxes == "all"
                else [str(b) for b in c.rng.choice(BUGS, boxes, replace=False)])
        c.rng.shuffle(bugs)
        named = []
        for bug in bugs:
            Suspect = _suspect(int(c.rng.integers(2**31)), bug)
            answer = c.call(fn, Suspect, allow=(Suspect, _sigmoid))
            if not isinstance(answer, str) or answer not in BUGS:
                c.fail(f"should return one of the names {', '.join(BUGS)}; it returned "
                       f"{answer!r}.")
            named.append(answer)
        wrong = [(k, bug, answer) for k, (bug, answer) in enumerate(zip(bugs, named, strict=True))
                 if bug != answer]
        if not wrong:
            return
        if len(set(named)) == 1 and len(bugs) > 1:
            c.fail(f"you named all {len(bugs)} suspects `{named[0]}`, but their bugs differ: "
                   "your procedure has to look at each one.")
        k, bug, answer = wrong[0]
        also = f" ({len(wrong)} of {len(bugs)} misnamed)" if len(wrong) > 1 else ""
        c.fail(f"suspect {k + 1} of {len(bugs)} you named `{answer}`, but its bug is "
               f"`{bug}`{also}. How `{bug}` shows: {SYMPTOMS[bug]}")


def trainer(bug="none", units=8, learning_rate=0.02):
    """fit(x, y, steps=200) -> the loss at every step: a fresh suspect LSTM with `bug` and a
    linear readout of h_T, trained on x (B, T, D), y (B, 1) with the mean squared error and
    Adam, from zero states and Keras's initialisers (a seed of its own each call)."""
    Suspect = _suspect(fresh_seed(), bug)

    def fit(x, y, steps=200):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.ndim != 3 or y.shape != (len(x), 1):
            raise ValueError(f"fit: x must be (B, T, D) and y (B, 1), got {x.shape} and "
                             f"{y.shape}")
        rng = np.random.default_rng()  # a fresh start every call
        B, T, D = x.shape
        H = units
        layer = Suspect(H)
        layer.build(x.shape)
        bias = np.zeros_like(layer.get_weights()[2])
        bias[..., H:2 * H] = 1.0  # unit_forget_bias
        params = [rng.uniform(-1, 1, (D, 4 * H)) * np.sqrt(6 / (D + 4 * H)),
                  np.linalg.qr(rng.standard_normal((4 * H, H)))[0].T, bias,
                  rng.uniform(-1, 1, (H, 1)) * np.sqrt(6 / (H + 1)), np.zeros(1)]
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        zeros, losses = np.zeros((B, H)), []
        for k in range(1, steps + 1):
            layer.set_weights(params[:3])
            hs, _ = layer(x, zeros, zeros)
            err = hs[:, -1] @ params[3] + params[4] - y
            losses.append(float(np.mean(err**2)))
            d_pred = 2 * err / err.size
            dhs = np.zeros_like(hs)
            dhs[:, -1] = d_pred @ params[3].T
            grads = [*layer.backward(dhs), hs[:, -1].T @ d_pred, d_pred.sum(axis=0)]
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                m[...] = 0.9 * m + 0.1 * g
                v[...] = 0.999 * v + 0.001 * g * g
                p -= learning_rate * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-7)
        return np.array(losses)

    fit.allowed = (fit, Suspect, _sigmoid)
    return fit


def overfit_test(fn, points=None, seed=None, quiet=False):
    """fn(fit) -> True when the layer behind fit passes the learner's overfit test. It must pass
    a correct LSTM and fail one whose bias has a batch axis."""
    with Check("overfit_test", points, seed, quiet) as c:
        verdicts = {}
        for bug in ("none", "batch_axis_bias"):
            fit = trainer(bug)
            verdict = c.call(fn, fit, allow=fit.allowed)
            if not isinstance(verdict, (bool, np.bool_)):
                c.fail(f"should return True (the layer passes) or False (it fails), got "
                       f"{verdict!r}.")
            verdicts[bug] = bool(verdict)
        if not verdicts["none"]:
            c.fail("your test fails a correct LSTM. Train on data whose best possible loss you "
                   "know: a correct model gives B copies of one sequence one prediction, so its "
                   "loss on B different targets never goes below Var(y), and may not go much "
                   "lower than that on data it cannot fit in the steps given.")
        if verdicts["batch_axis_bias"]:
            c.fail("your test passes the layer whose bias has a batch axis, (B, 4H): with a "
                   "parameter row per example it fits any B targets, so a low loss proves "
                   "nothing. Give it B copies of one sequence with B different targets, and fail "
                   "a loss below what any correct model can reach, Var(y): too good to be true.")
