"""Real time series from the datasets bundled with statsmodels, and turning a series into samples.

Nothing is downloaded: the CSV files ship inside the statsmodels wheel
(statsmodels/datasets/<name>/<name>.csv) and are read as files, without importing statsmodels.

    load_sunspots() -> (years (309,) int64, values (309,) float64)       yearly, 1700-2008
    load_co2() -> (dates (2284,) datetime64[D], ppm (2284,) float64)    weekly, 1958-2001
    make_windows(series, T, horizon=1) -> (x (N, T, 1) float32, y (N, horizon) float32)
    chronological_split(series, fractions=(0.7, 0.15, 0.15), context=0) -> (train, val, test)
    naive_forecast(x, horizon=1) -> (N, horizon): the last value, repeated
"""

import importlib.util
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "chronological_split",
    "load_co2",
    "load_sunspots",
    "make_windows",
    "naive_forecast",
]

INSTALL_HINT = "pip install statsmodels==0.15.0` or `pip install -e '.[book]'"


def _dataset_file(name):
    """Path of statsmodels/datasets/<name>/<name>.csv, found without importing statsmodels."""
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the {name} series is read from the datasets bundled with the package 'statsmodels', "
            f"which is not installed; install it with `{INSTALL_HINT}`",
            name="statsmodels")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / name / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: this statsmodels installation does not bundle the {name} dataset; "
            f"reinstall it with `{INSTALL_HINT}`")
    return path


def load_sunspots():
    """Yearly sunspot activity, 1700-2008 (NOAA NGDC, via statsmodels.datasets.sunspots).

    Returns years: (309,) int64 and values: (309,) float64, the yearly mean sunspot number. The
    series has a roughly 11-year cycle of varying height; no values are missing.
    """
    table = np.loadtxt(_dataset_file("sunspots"), delimiter=",", skiprows=1)
    return table[:, 0].astype(np.int64), table[:, 1]


def load_co2():
    """Weekly atmospheric CO2 at Mauna Loa, 1958-03-29 .. 2001-12-29 (statsmodels.datasets.co2).

    2,284 consecutive weeks (every Saturday). 59 weeks have no measurement, mostly in 1958-1967
    (the longest gap: 18 weeks from 1964-01-25); the first and last weeks are measured. Missing
    weeks are filled by linear interpolation between the nearest measured weeks, so the series
    is evenly spaced, as windowing needs.

    Returns dates: (2284,) datetime64[D] and ppm: (2284,) float64, CO2 in parts per million.
    """
    rows = _dataset_file("co2").read_text().split()[1:]  # skip the header "date,co2"
    dates = np.array([f"{r[:4]}-{r[4:6]}-{r[6:8]}" for r in rows], dtype="datetime64[D]")
    ppm = np.array([float(r[9:]) if r[9:] else np.nan for r in rows])
    measured = ~np.isnan(ppm)
    t = np.arange(len(ppm))
    ppm[~measured] = np.interp(t[~measured], t[measured], ppm[measured])
    return dates, ppm


def make_windows(series, T, horizon=1):
    """Supervised samples from a series: T consecutive values in, the next `horizon` values out.

    series: (L,). Every window start is used (stride 1), in time order.
    Returns x: (N, T, 1) float32 and y: (N, horizon) float32, N = L - T - horizon + 1, with
    x[n, :, 0] = series[n : n + T] and y[n] = series[n + T : n + T + horizon].
    """
    series = np.asarray(series, dtype=np.float32)
    T, horizon = int(T), int(horizon)
    if series.ndim != 1:
        raise ValueError(f"make_windows: series must be 1-D (L,), got shape {series.shape}")
    if T < 1 or horizon < 1 or len(series) < T + horizon:
        raise ValueError(
            f"make_windows: need T >= 1, horizon >= 1 and at least T + horizon = {T + horizon} "
            f"values, got T={T}, horizon={horizon} and {len(series)} values")
    windows = sliding_window_view(series, T + horizon)
    return windows[:, :T, None].copy(), windows[:, T:].copy()


def chronological_split(series, fractions=(0.7, 0.15, 0.15), context=0):
    """Split a series into train, validation and test parts in time order (no shuffling).

    fractions: the share of the L values each part's targets come from; they must sum to 1.
    context: how many values before the validation and test parts to prepend to them, so that
    make_windows(part, T=context) predicts from the part's first value on: every value is a
    target in exactly one part, and no part's targets are seen by an earlier part.
    Returns three 1-D arrays (views of series).
    """
    series = np.asarray(series)
    if len(fractions) != 3 or not np.isclose(sum(fractions), 1.0) or min(fractions) < 0:
        raise ValueError(
            f"chronological_split: fractions must be three shares summing to 1, got {fractions}")
    L = len(series)
    n_train = int(round(fractions[0] * L))
    n_val = int(round(fractions[1] * L))
    context = int(context)
    if context < 0 or context > n_train:
        raise ValueError(
            f"chronological_split: context must be in 0 .. {n_train} (the training part), "
            f"got {context}")
    val_start, test_start = n_train, n_train + n_val
    return (
        series[:n_train],
        series[val_start - context : test_start],
        series[test_start - context :],
    )


def naive_forecast(x, horizon=1):
    """The persistence baseline: tomorrow looks like today. Repeat each window's last value.

    x: (N, T, 1) or (N, T) windows. Returns (N, horizon), the same dtype as x. A forecasting
    model is only useful if it beats this.
    """
    x = np.asarray(x)
    last = x[:, -1, 0] if x.ndim == 3 else x[:, -1]
    return np.repeat(last[:, None], int(horizon), axis=1)
