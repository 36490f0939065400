"""Real series from the statsmodels datasets, windowing, splitting and the naive baseline."""

import importlib.util

import numpy as np
import pytest

from lstm_lib.data import (
    chronological_split,
    load_co2,
    load_sunspots,
    make_windows,
    naive_forecast,
)


def test_sunspots_are_yearly_1700_to_2008():
    years, values = load_sunspots()
    assert years.shape == values.shape == (309,)
    assert years.dtype == np.int64 and values.dtype == np.float64
    np.testing.assert_array_equal(years, np.arange(1700, 2009))
    assert values[0] == 5.0 and values[-1] == 2.9
    assert values.min() >= 0.0 and not np.isnan(values).any()


def test_co2_is_weekly_and_gap_free():
    dates, ppm = load_co2()
    assert dates.shape == ppm.shape == (2284,)
    assert dates[0] == np.datetime64("1958-03-29") and dates[-1] == np.datetime64("2001-12-29")
    assert np.all(np.diff(dates) == np.timedelta64(7, "D"))
    assert not np.isnan(ppm).any()
    assert ppm[0] == pytest.approx(316.1)
    # 1958-05-10 is missing in the file, between 316.9 (05-03) and 317.5 (05-17)
    k = int(np.flatnonzero(dates == np.datetime64("1958-05-10"))[0])
    assert ppm[k] == pytest.approx((316.9 + 317.5) / 2)
    assert 310 < ppm.min() and ppm.max() < 380  # ppm at Mauna Loa, 1958-2001


def test_series_agree_with_statsmodels_own_loaders():
    sunspots = pytest.importorskip("statsmodels.datasets.sunspots")
    co2 = pytest.importorskip("statsmodels.datasets.co2")
    years, values = load_sunspots()
    np.testing.assert_array_equal(values, sunspots.load_pandas().endog.to_numpy())
    theirs = co2.load_pandas().data["co2"].to_numpy()
    _, ppm = load_co2()
    measured = ~np.isnan(theirs)
    assert (~measured).sum() == 59
    np.testing.assert_array_equal(ppm[measured], theirs[measured])


def test_missing_statsmodels_names_the_package(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "statsmodels" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    for load in (load_sunspots, load_co2):
        with pytest.raises(ModuleNotFoundError, match=r"'statsmodels'.*pip install statsmodels"):
            load()


def test_make_windows():
    series = np.arange(20.0)
    x, y = make_windows(series, T=5, horizon=2)
    assert x.shape == (14, 5, 1) and y.shape == (14, 2)
    assert x.dtype == y.dtype == np.float32
    for n in range(14):
        np.testing.assert_array_equal(x[n, :, 0], series[n : n + 5])
        np.testing.assert_array_equal(y[n], series[n + 5 : n + 7])
    with pytest.raises(ValueError, match="at least T \\+ horizon"):
        make_windows(series, T=19, horizon=2)
    with pytest.raises(ValueError, match="1-D"):
        make_windows(series.reshape(4, 5), T=2)


def test_chronological_split_keeps_order_and_context():
    series = np.arange(100)
    train, val, test = chronological_split(series)
    assert (len(train), len(val), len(test)) == (70, 15, 15)
    np.testing.assert_array_equal(np.concatenate([train, val, test]), series)
    train, val, test = chronological_split(series, (0.6, 0.2, 0.2), context=10)
    assert len(train) == 60 and val[0] == 50 and test[0] == 70
    # with T = context the targets of the three parts tile the series after the first T values
    targets = [make_windows(part, T=10)[1][:, 0] for part in (train, val, test)]
    np.testing.assert_array_equal(np.concatenate(targets), np.arange(10, 100))
    with pytest.raises(ValueError, match="sum"):
        chronological_split(series, (0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match="context"):
        chronological_split(series, context=80)


def test_naive_forecast_repeats_the_last_value():
    x, y = make_windows(np.arange(10.0), T=3, horizon=2)
    pred = naive_forecast(x, horizon=2)
    assert pred.shape == (6, 2)
    np.testing.assert_array_equal(pred[:, 0], x[:, -1, 0])
    np.testing.assert_array_equal(pred[:, 1], x[:, -1, 0])
    np.testing.assert_array_equal(naive_forecast(x[..., 0]), pred[:, :1])


def test_naive_forecast_is_a_real_baseline_on_sunspots():
    _, values = load_sunspots()
    x, y = make_windows(values, T=12)
    mse_naive = np.mean((naive_forecast(x) - y) ** 2)
    mse_mean = np.mean((values.mean() - y) ** 2)
    assert 0 < mse_naive < mse_mean  # persistence beats the climatological mean, but not by far
