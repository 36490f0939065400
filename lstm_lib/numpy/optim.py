"""Optimizers and gradient clipping.

    SGD(learning_rate=0.01, momentum=0.0)
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    optimizer.step(params, grads)        updates every array in params in place
    clip_by_global_norm(grads, max_norm) -> (clipped, norm)

params is a list of arrays (for a model, the concatenation of its layers' .params) and grads
the matching list of gradients. Updates are in place, so layers holding the arrays see them.
An optimizer with state (momentum, Adam's moments) keeps one slot per position in the list:
pass the same params, in the same order, at every step. Argument names and defaults are Keras's.
"""

import numpy as np

__all__ = ["SGD", "Adam", "clip_by_global_norm"]


def _check_lists(where, params, grads, slots):
    """Raise ValueError unless grads match params, and params match the optimizer's slots."""
    if len(params) != len(grads):
        raise ValueError(
            f"{where}: expected one gradient per parameter ({len(params)}), got {len(grads)}"
        )
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        if p.shape != g.shape:
            expected = f"{p.shape} like params[{k}]"
            raise ValueError(f"{where}: grads[{k}] must be {expected}, got {g.shape}")
    if slots is not None and [s.shape for s in slots] != [p.shape for p in params]:
        expected, given = [s.shape for s in slots], [p.shape for p in params]
        raise ValueError(
            f"{where}: params must be the same list at every step: {expected}, got {given}"
        )


class SGD:
    """Stochastic gradient descent, with Keras's momentum: v = m v - lr g; p += v."""

    def __init__(self, learning_rate=0.01, momentum=0.0):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocities = None

    def step(self, params, grads):
        _check_lists("SGD.step", params, grads, self.velocities)
        if self.momentum == 0:
            for p, g in zip(params, grads, strict=True):
                p -= self.learning_rate * g
            return
        if self.velocities is None:
            self.velocities = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocities, strict=True):
            v *= self.momentum
            v -= self.learning_rate * g
            p += v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction, written as Keras writes it.

    m and v are running means of g and g**2; both start at 0, so early on they are biased
    towards 0 by the factors (1 - beta_1**t) and (1 - beta_2**t), which the step size undoes:

        m = beta_1 m + (1 - beta_1) g
        v = beta_2 v + (1 - beta_2) g**2
        p -= learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    This is the paper's "more efficient" form (end of its section 2), the one Keras and
    TensorFlow use; it differs from m_hat / (sqrt(v_hat) + epsilon) only in where epsilon sits.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = self.v = None

    def step(self, params, grads):
        _check_lists("Adam.step", params, grads, self.m)
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # Python floats, so that float32 parameters are updated in float32 arithmetic.
        step_size = float(self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t))
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m += (1 - b1) * (g - m)
            v += (1 - b2) * (g * g - v)
            p -= step_size * m / (np.sqrt(v) + self.epsilon)


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by one factor so that their joint L2 norm is at most max_norm.

    grads: list of arrays. Returns (clipped, norm): new arrays, and the norm before clipping.
    One common factor keeps the direction of the whole update, unlike clipping each array or
    entry on its own (Pascanu et al., 2013): it only shortens steps that would explode.
    """
    norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads], norm  # scale is a Python float: dtypes are kept
