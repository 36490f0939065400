"""Gradient checking: compare a hand-written backward pass with centred finite differences.

    numerical_gradient(f, params, eps=1e-6) -> list of arrays like params
    relative_error(analytic, numeric) -> float
    gradcheck(f, params, grads, eps=1e-6, tol=1e-7, names=None) -> GradcheckResult

f(params) -> float is the loss as a function of a list of float64 arrays; grads are the
analytic gradients to check, one per array. params are perturbed in place, one entry at a time,
and restored, so f may read them through a layer that holds the same arrays (layer.params).
Centred differences err by O(eps**2) plus rounding O(1e-16 / eps): about 1e-10 relative at
eps = 1e-6 in float64, far below a real bug's error (usually > 1e-3). In float32 the rounding
term alone is about 1e-2, so gradcheck refuses float32.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradcheck", "GradcheckResult"]


def numerical_gradient(f, params, eps=1e-6):
    """d f / d p for every entry p of every array, by (f(p + eps) - f(p - eps)) / (2 eps)."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            f_plus = f(params)
            p[idx] = old - eps
            f_minus = f(params)
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(analytic, numeric):
    """max |a - n| / max(|a| + |n|): relative to the array's scale, not entry by entry, so that
    entries near 0, where rounding dominates the difference, cannot make a good gradient fail."""
    scale = np.max(np.abs(analytic) + np.abs(numeric), initial=0.0)
    return float(np.max(np.abs(analytic - numeric), initial=0.0) / max(scale, 1e-300))


@dataclass
class GradcheckResult:
    """The outcome of gradcheck. str() of it is a readable report; .ok says whether it passed.

    errors: relative error of each array. worst: position of the array with the largest one;
    index, analytic, numeric: its entry with the largest |analytic - numeric|, and the values.
    """

    ok: bool
    tol: float
    names: list
    errors: list
    worst: int
    index: tuple
    analytic: float
    numeric: float

    @property
    def max_error(self):
        return self.errors[self.worst]

    def __str__(self):
        verdict = "passed" if self.ok else "FAILED"
        lines = [f"gradcheck {verdict}: relative error {self.max_error:.2e}, tol {self.tol:.0e}"]
        lines += [f"  {n}: {e:.2e}" for n, e in zip(self.names, self.errors, strict=True)]
        lines.append(
            f"  worst entry: {self.names[self.worst]}{list(self.index)}: "
            f"analytic {self.analytic:.10g}, numeric {self.numeric:.10g}"
        )
        return "\n".join(lines)


def gradcheck(f, params, grads, eps=1e-6, tol=1e-7, names=None):
    """Check grads against numerical_gradient(f, params); see the module docstring."""
    names = list(names) if names is not None else [f"params[{k}]" for k in range(len(params))]
    if not (len(params) == len(grads) == len(names)):
        raise ValueError(
            f"gradcheck: expected as many grads and names as params ({len(params)}), "
            f"got {len(grads)} grads and {len(names)} names"
        )
    for name, p, g in zip(names, params, grads, strict=True):
        if p.dtype != np.float64:
            raise ValueError(f"gradcheck: {name} must be float64, got {p.dtype}")
        if np.shape(g) != p.shape:
            raise ValueError(f"gradcheck: gradient of {name} must be {p.shape}, got {np.shape(g)}")
    numeric = numerical_gradient(f, params, eps)
    errors = [relative_error(np.asarray(a), n) for a, n in zip(grads, numeric, strict=True)]
    worst = int(np.argmax(errors))
    a, n = np.asarray(grads[worst]), numeric[worst]
    index = np.unravel_index(np.argmax(np.abs(a - n)), a.shape) if a.size else ()
    return GradcheckResult(
        ok=all(e < tol for e in errors),  # written so that a NaN error fails
        tol=tol,
        names=names,
        errors=errors,
        worst=worst,
        index=tuple(int(k) for k in index),
        analytic=float(a[index]) if a.size else 0.0,
        numeric=float(n[index]) if a.size else 0.0,
    )
