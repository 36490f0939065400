"""Noisy sums of sines: a forecasting task whose answer is known.

    noisy_sines(n_series, length, *, n_components=3, periods=(8, 64), noise_std=0.1,
                seed=None, rng=None) -> (series (N, L) float32, clean (N, L) float32)
    sine_windows(batch_size, T, *, horizon=1, ..., seed=None, rng=None)
        -> (x (B, T, 1) float32, y (B, horizon) float32)
"""

import numpy as np

from ._random import resolve_rng

__all__ = ["noisy_sines", "sine_windows"]


def noisy_sines(n_series, length, *, n_components=3, periods=(8.0, 64.0), noise_std=0.1,
                seed=None, rng=None):
    """Random sums of sines plus Gaussian noise.

    Each series is sum_k a_k sin(2 pi t / p_k + phi_k) / n_components + noise, with amplitude
    a_k ~ U[0.5, 1], period p_k ~ U[periods] (in steps) and phase phi_k ~ U[0, 2 pi), drawn per
    series and component, and noise ~ N(0, noise_std^2) independently at every step.

    Returns series: (N, L) float32 (with noise) and clean: (N, L) float32 (the same without noise).
    """
    rng = resolve_rng(seed, rng, caller="noisy_sines")
    N, L, K = int(n_series), int(length), int(n_components)
    amplitude = rng.uniform(0.5, 1.0, size=(N, K, 1))
    period = rng.uniform(periods[0], periods[1], size=(N, K, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(N, K, 1))
    t = np.arange(L)
    clean = (amplitude * np.sin(2 * np.pi * t / period + phase)).sum(axis=1) / K
    series = clean + rng.normal(0.0, noise_std, size=(N, L))
    return series.astype(np.float32), clean.astype(np.float32)


def sine_windows(batch_size, T, *, horizon=1, n_components=3, periods=(8.0, 64.0), noise_std=0.1,
                 seed=None, rng=None):
    """Next-step forecasting: T noisy values of a fresh random series in, the next `horizon` out.

    Every sample is its own series (noisy_sines with the same arguments), so a model must infer
    the frequencies and phases from the window itself. What a model has to remember: enough of
    the recent past (at least one period, up to periods[1] = 64 steps by default) to tell where
    each component is in its cycle. Baselines for horizon 1: the noise is unpredictable, so even
    the true signal scores MSE = noise_std^2 (0.01 by default); the naive last-value forecast
    pays the noise twice plus the signal's change over one step (about 0.03 with the defaults).

    Returns x: (B, T, 1) float32 and y: (B, horizon) float32, the noisy continuation.
    """
    rng = resolve_rng(seed, rng, caller="sine_windows")
    series, _ = noisy_sines(batch_size, int(T) + int(horizon), n_components=n_components,
                            periods=periods, noise_std=noise_std, rng=rng)
    return series[:, :T, None], series[:, T:]
