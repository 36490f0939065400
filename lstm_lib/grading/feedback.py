"""How a checker talks to the learner: one failure with a precise message, or one pass line.

Every checker runs inside a `Check`:

    with Check("lstm_step_forward", points=3, seed=seed) as c:
        x = c.randn(B, D)                         # fresh random inputs from c.seed
        h, cc = c.outputs(c.call(fn, x, ...), ("h", "c"), [(B, H), (B, H)], "(B, H)")
        c.same("c", cc, c_ref)                    # raises CheckFailed saying what differs

On success it prints `✔ lstm_step_forward: passed (3/3 points, seed 1234)`. On failure it raises
`CheckFailed`, an AssertionError, whose message ends with the call that reproduces it. The seed is
fresh on every call (from `secrets`), so an answer hard-coded for one input cannot pass.
"""

import inspect
import secrets
import traceback
from pathlib import Path

import numpy as np

from ..numpy._checks import format_shape
from .guard import trapped_call

GRADING_DIR = str(Path(__file__).resolve().parent)
LIBRARY_DIR = str(Path(__file__).resolve().parent.parent)

# What each checker found last in this kernel, for check.progress: checker -> (status, message).
RESULTS = {}

# Tolerances for float64 comparisons: far above round-off from another order of operations,
# far below any real mistake.
RTOL, ATOL = 1e-6, 1e-8


class CheckFailed(AssertionError):
    """A check found a mistake. In a notebook only the message is shown, not our internals."""

    status = "failed"

    def _render_traceback_(self):
        # IPython calls this instead of printing the whole traceback through the checker.
        lines = [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]
        cause = self.__cause__
        if cause is not None and not isinstance(cause, CheckFailed):
            lines += ["", "It happened in your code:"]
            lines += learner_traceback(cause)
        return lines


class NotAttempted(CheckFailed):
    """The learner's function still raises NotImplementedError."""

    status = "not attempted"


class ReferenceUsed(CheckFailed):
    """The learner's function called lstm_lib's own implementation."""

    status = "uses reference"


def learner_traceback(exc):
    """The traceback of exc without the frames of the grading package."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(GRADING_DIR)]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip("\n").split("\n")


def fresh_seed():
    return secrets.randbelow(2**31)


def fmt(value):
    """A number as a learner wants to read it."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.6g}"


class Blocks:
    """Names the block of the last axis an index falls in: the gates of z = [i | f | g | o]."""

    def __init__(self, width, names):
        self.width, self.names = width, names

    def describe(self, column):
        k = column // self.width
        if k >= len(self.names):
            return ""
        return (f", in the {self.names[k]} block "
                f"(columns {k * self.width}:{(k + 1) * self.width})")

    def first_bad(self, got, want, rtol=RTOL, atol=ATOL):
        """Index of the first block whose columns differ, or None."""
        for k in range(len(self.names)):
            cols = slice(k * self.width, (k + 1) * self.width)
            if not np.allclose(got[..., cols], want[..., cols], rtol=rtol, atol=atol):
                return k
        return None


LSTM_GATES = ("input-gate (i)", "forget-gate (f)", "candidate (g)", "output-gate (o)")
GRU_GATES = ("update-gate (z)", "reset-gate (r)", "candidate (h~)")


class Check:
    """One run of a checker: its seed, its random inputs, and how it reports."""

    def __init__(self, name, points=None, seed=None, quiet=False, forbidden=(), checker=None):
        """name: what the learner wrote; checker: the check.<checker> function, if not name."""
        self.name, self.points, self.quiet = name, points, quiet
        self.checker = checker or name
        self.seed = fresh_seed() if seed is None else int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.forbidden = (LIBRARY_DIR, *forbidden)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            if not self.quiet:
                RESULTS[self.checker] = ("passed", "")
                pts = "" if self.points is None else f"{self.points}/{self.points} points, "
                print(f"\u2714 {self.name}: passed ({pts}seed {self.seed})")
            return False
        if (isinstance(exc, CheckFailed) and not isinstance(exc, NotAttempted)
                and not getattr(exc, "_reproduced", False)):
            exc.args = (f"{exc.args[0]}\n  reproduce: check.{self.checker}(..., seed={self.seed})",)
            exc._reproduced = True
        if isinstance(exc, CheckFailed):
            RESULTS[self.checker] = (exc.status, str(exc.args[0]).split("\n")[0])
        return False

    # -- random inputs ---------------------------------------------------------------------

    def sizes(self, *names, low=2, high=7, **given):
        """Distinct random sizes for the named dimensions (B, T, D, H...), unless given."""
        out, used = [], {v for v in given.values() if v is not None}
        for name in names:
            if given.get(name) is not None:
                out.append(int(given[name]))
                continue
            while True:
                n = int(self.rng.integers(low, high + 1))
                if n not in used or len(used) > high - low:
                    break
            used.add(n)
            out.append(n)
        return out

    def randn(self, *shape, scale=1.0):
        return scale * self.rng.standard_normal(shape)

    def uniform(self, *shape, scale=1.0):
        return self.rng.uniform(-scale, scale, shape)

    def sign(self):
        return 1.0 if self.rng.random() < 0.5 else -1.0

    # -- running the learner's code --------------------------------------------------------

    def fail(self, message, cls=CheckFailed):
        raise cls(f"{self.name}: {message}")

    def call(self, fn, *args, allow=(), hint="", copy=True, **kwargs):
        """fn(*args) on copies of the arrays; the learner's errors become readable failures.

        hint: added to the message when the learner's function raises. allow: functions of
        ours that fn may call (see guard.py). copy=False: fn gets the arrays themselves.
        """
        if not callable(fn):
            self.fail(f"expected a function, got {type(fn).__name__}")
        if copy:
            args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        try:
            result, hits = trapped_call(fn, args, kwargs, self.forbidden, allow)
        except NotImplementedError:
            raise NotAttempted(
                f"{self.name}: not attempted yet: write your code where it says "
                "# YOUR CODE HERE (and delete the `raise NotImplementedError()` line).") from None
        except CheckFailed:
            raise
        except Exception as e:
            shapes = ", ".join(describe_args(fn, args))
            raise CheckFailed(
                f"{self.name}: your function raised {type(e).__name__}: {e}\n"
                f"  it was called with {shapes}{indent(hint)}") from e
        if hits:
            self.fail(f"your function called {hits[0]}, which is the library's own "
                      "implementation (or a Keras recurrent layer). Write it yourself: "
                      "no points for calling the reference.", ReferenceUsed)
        return result

    # -- outputs ---------------------------------------------------------------------------

    def outputs(self, result, names, shapes=None, dims=None, dtype=np.float64):
        """Unpack the returned values and check each one's type, shape, dtype and finiteness."""
        names = (names,) if isinstance(names, str) else tuple(names)
        if len(names) == 1:
            values = (result,)
        else:
            wanted = f"{len(names)} values ({', '.join(names)})"
            if not isinstance(result, (tuple, list)):
                self.fail(f"should return {wanted}; it returned one "
                          f"{type(result).__name__}.")
            if len(result) != len(names):
                self.fail(f"should return {wanted}; it returned {len(result)} values.")
            values = tuple(result)
        if shapes is not None:
            shapes = [shapes] if len(names) == 1 else shapes
            dims = [dims] * len(names) if not isinstance(dims, (list, tuple)) else dims
            values = tuple(self.array(n, v, s, d, dtype)
                           for n, v, s, d in zip(names, values, shapes, dims, strict=True))
        return values if len(names) > 1 else values[0]

    def array(self, name, value, shape, dims=None, dtype=np.float64):
        """value as an ndarray of the expected shape, or a failure saying what is wrong."""
        if value is None:
            self.fail(f"`{name}` is None: did you forget a `return`?")
        if not isinstance(value, (np.ndarray, np.generic)):
            self.fail(f"`{name}` should be a NumPy array, got a {type(value).__name__}"
                      f"{_sequence_hint(name, value)}.")
        value = np.asarray(value)
        shape = tuple(shape)
        if value.shape != shape:
            expected = f"{dims} = {format_shape(shape)}" if dims else format_shape(shape)
            self.fail(f"`{name}` has shape {format_shape(value.shape)}, expected {expected}."
                      + shape_hint(value.shape, shape))
        if dtype is not None:
            if np.issubdtype(dtype, np.floating) and not np.issubdtype(value.dtype, np.floating):
                self.fail(f"`{name}` has dtype {value.dtype}, expected floats ({np.dtype(dtype)}):"
                          " was an array created with an integer dtype?")
            if np.issubdtype(dtype, np.integer) and not np.issubdtype(value.dtype, np.integer):
                self.fail(f"`{name}` has dtype {value.dtype}, expected integers.")
            if (np.issubdtype(dtype, np.floating) and value.dtype != dtype
                    and value.dtype.itemsize < np.dtype(dtype).itemsize):
                self.fail(f"`{name}` has dtype {value.dtype}, expected {np.dtype(dtype)} like "
                          "the inputs: do not cast to a lower precision.")
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
            self.fail(f"`{name}` contains {value[where]} at index {list(where)}: an overflow? "
                      "(exp of a large number, or a division by zero)")
        return value

    # -- comparisons -----------------------------------------------------------------------

    def same(self, name, got, want, hint="", blocks=None, step=None, rtol=RTOL, atol=ATOL):
        """Fail unless got == want to tolerance, naming the worst entry.

        step: compare only time step `step` (axis 1) of two (B, T, ...) arrays.
        """
        what = f"`{name}`" if step is None else f"`{name}[:, {step}]`"
        if step is not None:
            got, want = np.asarray(got)[:, step], np.asarray(want)[:, step]
        if not close(got, want, rtol, atol):
            self.fail(f"{what} differs from the reference.{indent(hint)}\n"
                      f"  {mismatch(name, got, want, blocks, rtol, atol, step)}")

    def mistakes(self, got, candidates, rtol=RTOL, atol=ATOL):
        """Fail with the hint of the first known mistake whose outputs equal what we got.

        got: tuple of the learner's outputs. candidates: (hint, thunk) pairs; thunk() computes
        the outputs that mistake produces (it may raise: shapes that only fit when D == H...).
        """
        for hint, thunk in candidates:
            try:
                wrong = thunk()
            except Exception:
                continue
            wrong = wrong if isinstance(wrong, tuple) else (wrong,)
            if len(wrong) == len(got) and all(
                    np.shape(g) == np.shape(w) and close(g, w, rtol, atol)
                    for g, w in zip(got, wrong, strict=True)):
                self.fail(f"your result is what this mistake gives: {hint}")


def close(got, want, rtol=RTOL, atol=ATOL):
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def mismatch(name, got, want, blocks=None, rtol=RTOL, atol=ATOL, step=None):
    """'worst at c[2, 4]: got 0.12, expected 0.57 (17 of 30 entries differ)'.

    step: got and want are time step `step` of arrays called name; the index shows it.
    """
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    err = np.where(bad, np.abs(got - want), -1.0)
    where = np.unravel_index(int(np.argmax(err)), got.shape) if got.ndim else ()
    shown = [int(i) for i in where]
    if step is not None:
        shown.insert(1, step)
    index = f"{name}[{', '.join(str(i) for i in shown)}]" if shown else name
    text = (f"worst at {index}: got {fmt(got[where])}, expected {fmt(want[where])} "
            f"({int(bad.sum())} of {bad.size} entries differ)")
    if blocks is not None and where:
        text += blocks.describe(int(where[-1]))
    return text


def first_bad_step(got, want, rtol=RTOL, atol=ATOL, reverse=False):
    """The first time step t (axis 1) where got[:, t] differs, from the end if reverse."""
    T = want.shape[1]
    for t in (reversed(range(T)) if reverse else range(T)):
        if not np.allclose(got[:, t], want[:, t], rtol=rtol, atol=atol):
            return t
    return None


def shape_hint(got, want):
    if len(got) == len(want) + 1 and 1 in got:
        return (" There is a stray axis of length 1: did a slice like x[:, t:t+1] keep an axis "
                "that x[:, t] would drop?")
    if len(got) == len(want) and sorted(got) == sorted(want):
        return " The right sizes in the wrong order: a transpose, or time-major (T, B, ...)?"
    if len(got) + 1 == len(want):
        return " One axis is missing: a sum or an index over the wrong axis?"
    return ""


def describe_args(fn, args):
    """['x (5, 3)', 'h_prev (5, 6)', ...] named after fn's parameters when it has them."""
    try:
        names = list(inspect.signature(fn).bind(*args).arguments)
    except (TypeError, ValueError):
        names = []
    names = names if len(names) == len(args) else [""] * len(args)
    return [f"{n} {describe_arg(a)}".strip() for n, a in zip(names, args, strict=True)]


def describe_arg(a):
    if hasattr(a, "shape") and hasattr(a, "dtype"):
        return format_shape(tuple(a.shape))
    if isinstance(a, (list, tuple)):
        return f"a {type(a).__name__} of {len(a)} items"
    return repr(a) if isinstance(a, (int, float, str)) else type(a).__name__


def indent(hint):
    return f"\n  {hint}" if hint else ""


def _sequence_hint(name, value) -> str:
    """Why a list or tuple came back where one array was expected, and what to do about it."""
    if not isinstance(value, (list, tuple)):
        return ""
    shapes = [np.shape(v) for v in value]
    if len(value) > 1 and len(set(shapes)) > 1:
        return (f" of {len(value)} arrays of shapes {', '.join(map(format_shape, shapes))}: "
                f"return only `{name}`, not a tuple such as (outputs, final_state) — the "
                "chapter's function returns both, this exercise one")
    return " (np.stack or np.array turns a list of arrays of one shape into one array)"
