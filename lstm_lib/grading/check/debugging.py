"""Checkers for debugging a black box (problem set 06): name the bug of a suspect LSTM, and
design an overfit test that a bug fails.

The suspects are the layers of lstm_lib.grading.suspect, each with one bug of chapter 06's
catalogue (or none). A check hands the learner's procedure several suspects with bugs drawn at
random, so that a procedure that guesses, or that always names the same bug, fails.
"""

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
