"""Diagnostics shared by the checkers of sequence models: which time step goes wrong first;
and the library pieces a learner's function may use."""

import importlib
import pkgutil

import numpy as np

from ..feedback import close, first_bad_step


def diagnose_sequence(c, hs, want, one_step, h0, name="hs"):
    """Fail saying which time step of hs goes wrong first, and why if it is a classic.

    one_step(t): the state after one step from the *initial* state on x[:, t] (what a loop
    that forgets to carry the state computes).
    """
    T = want.shape[1]
    t = first_bad_step(hs, want)
    shifted = np.concatenate([h0[:, None], want[:, :-1]], axis=1)
    if close(hs, shifted):
        c.fail(f"{name}[:, t] holds the state *before* step t. Store the new state after "
               f"computing it: {name}[:, t] is the state after reading x[:, t].")
    if t == 0:
        c.same(name, hs, want, "the very first step is already wrong: it is one step from the "
               "initial state with x[:, 0]; check your step formula first.", step=0)
    if t is not None and close(hs[:, t], one_step(t)):
        c.fail(f"{name}[:, {t}] is one step from the initial state: every step must start "
               "from the previous step's state (carry the state through the loop).")
    if t == T - 1:
        c.same(name, hs, want, f"every step is right except the last one (t = {T - 1}): "
               "does the loop run over all T steps (range(T))?", step=t)
    c.same(name, hs, want, f"{_steps(0, t - 1)} right, step {t} is not: "
           "is the state carried correctly from step to step?", step=t)


def check_bptt(c, names, got, want, mistakes, blocks=None):
    """Compare the gradients of a sequence backward pass: dx step by step from the end, then
    the initial-state gradients (names "dh0", "dc0"), then the weight gradients."""
    if all(close(g, w) for g, w in zip(got, want, strict=True)):
        return
    c.mistakes(got, mistakes)
    dx, want_dx = got[0], want[0]
    T = want_dx.shape[1]
    t = first_bad_step(dx, want_dx, reverse=True)
    if t is not None:
        where = ("already at the last step, T - 1: check the step backward itself." if t == T - 1
                 else f"at step {t}; {_steps(t + 1, T - 1)} right, so the gradient carried "
                 f"back from step {t + 1} to step {t} is wrong.")
        c.same("dx", dx, want_dx, f"walking back from the last step, dx differs first {where}",
               step=t)
    for k, name in enumerate(names[1:], start=1):
        hint = ("the gradient reaching the initial state is what flows out of step 0."
                if name in ("dh0", "dc0") else
                "dx is right, so each step's gradients are: sum the weight gradients over "
                "all T steps (+=), do not keep one step's.")
        c.same(name, got[k], want[k], hint, blocks=None if name in ("dh0", "dc0") else blocks)


def _steps(first, last):
    return f"step {first} is" if first == last else f"steps {first}..{last} are"


def library_pieces():
    """Every function, class and property of lstm_lib.numpy: what a learner may call."""
    import lstm_lib.numpy as package

    pieces = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            pieces.append(value)
            if isinstance(value, type):
                pieces += [p.fget for p in vars(value).values() if isinstance(p, property)]
    return tuple(pieces)
