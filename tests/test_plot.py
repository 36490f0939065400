"""Every figure function returns a Figure with labelled axes and a title, and draws into ax=."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_lib import plot

rng = np.random.default_rng(0)
T, H = 12, 4
GATES = {
    "i": rng.uniform(size=(T, H)),
    "f": rng.uniform(size=(T, H)),
    "g": np.tanh(rng.normal(size=(T, H))),
    "o": rng.uniform(size=(T, H)),
    "c": 3 * rng.normal(size=(T, H)),
}

CALLS = {
    "training_curves": lambda **kw: plot.training_curves(
        {"LSTM": [0.04, 0.02, 0.01], "RNN": [0.04, 0.04, 0.039]}, logy=True, baseline=19 / 480,
        **kw),
    "gradient_norm_vs_lag": lambda **kw: plot.gradient_norm_vs_lag(
        {"RNN": 0.7 ** np.arange(20), "LSTM": 0.98 ** np.arange(20)}, **kw),
    "gate_heatmaps": lambda **kw: plot.gate_heatmaps(GATES, tokens=list("To be, or no"), **kw),
    "state_trace": lambda **kw: plot.state_trace(
        np.cumsum(rng.normal(size=(T, 3)), 0), np.tanh(rng.normal(size=(T, 3))), **kw),
    "state_trace with inputs": lambda **kw: plot.state_trace(
        rng.normal(size=T), rng.normal(size=T), inputs=rng.normal(size=(T, 2)), units=0, **kw),
    "text_heatmap": lambda **kw: plot.text_heatmap(
        "HAMLET:\nTo be, or not to be", np.linspace(-1, 1, 27), width=10, **kw),
    "results_bar": lambda **kw: plot.results_bar(
        {"LSTM": 0.02, "no forget gate": 0.05, "GRU": 0.021}, "validation MSE",
        errors={"LSTM": 0.002}, baseline=0.0396, **kw),
    "results_bar on a log axis": lambda **kw: plot.results_bar(
        {"float64": 3e-12, "float32": 2e-6}, "relative error", baseline=1e-4, fmt="{:.1e}",
        logy=True, **kw),
    "timing_plot": lambda **kw: plot.timing_plot(
        [10, 100, 1000], {"NumPy": [1.0, 9.0, 95.0], "Keras": [3.0, 12.0, 80.0]}, logx=True,
        logy=True, **kw),
}
N_AXES = {"gate_heatmaps": len(GATES), "state_trace with inputs": 2}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def plotting_axes(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_returns_a_figure_with_labelled_axes_and_a_title(call):
    fig = call()
    assert isinstance(fig, Figure)
    axes = plotting_axes(fig)
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_title() or fig.get_suptitle()
        assert ax.has_data()
    fig.canvas.draw()  # renders without error


@pytest.mark.parametrize("name", CALLS.keys())
def test_draws_into_the_axes_it_is_given(name):
    n = N_AXES.get(name, 1)
    fig, axes = plt.subplots(n, 1, squeeze=False)
    given = list(axes[:, 0]) if n > 1 else axes[0, 0]
    assert CALLS[name](ax=given) is fig
    assert all(ax.has_data() for ax in axes[:, 0])


def test_curves_and_baseline_are_labelled_in_the_legend():
    fig = CALLS["training_curves"]()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["LSTM", "RNN", "baseline"]
    assert ax.get_yscale() == "log"
    assert plot.gradient_norm_vs_lag({"RNN": [1.0, 0.1]}).axes[0].get_yscale() == "log"


def test_training_curves_draw_every_seed_of_a_model_in_its_colour_and_label_it_once():
    seeds = [rng.uniform(size=30), rng.uniform(size=30), rng.uniform(size=20)]  # ragged is fine
    fig = plot.training_curves({"LSTM": seeds, "RNN": np.ones((2, 30))})
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 5
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["LSTM", "RNN"]
    assert len({line.get_color() for line in lines[:3]}) == 1
    assert lines[3].get_color() == lines[4].get_color() != lines[0].get_color()


def test_training_curves_smooth_with_a_running_mean_ending_at_each_step():
    losses = np.arange(10.0)
    (line,) = plot.training_curves({"run": losses}, smooth=4).axes[0].get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(3, 10))
    np.testing.assert_allclose(line.get_ydata(), np.arange(1.5, 8.5))  # mean of t-3 .. t
    (short,) = plot.training_curves({"run": [1.0, 3.0]}, smooth=25).axes[0].get_lines()
    np.testing.assert_allclose(short.get_ydata(), [2.0])  # fewer steps than the window
    with pytest.raises(ValueError, match="smooth must be a whole number of steps >= 1, got 0"):
        plot.training_curves({"run": losses}, smooth=0)


def test_gate_heatmaps_one_panel_per_gate_with_colorbars():
    fig = CALLS["gate_heatmaps"]()
    axes = plotting_axes(fig)
    assert len(axes) == 5 and len(fig.axes) == 10
    assert [ax.get_title() for ax in axes] == [
        "input gate i", "forget gate f", "candidate g", "output gate o", "cell state c"]
    assert [t.get_text() for t in axes[0].get_xticklabels()][:3] == ["T", "o", "␣"]
    image = axes[0].get_images()[0]
    assert image.get_array().shape == (H, T)  # unit on y, time on x
    assert image.get_clim() == (0.0, 1.0)
    assert axes[4].get_images()[0].get_clim()[0] < 0  # the cell state gets a diverging scale


def test_text_heatmap_places_every_visible_character():
    text = "ab\ncd ef"
    fig = plot.text_heatmap(text, np.arange(len(text)) / 10, width=4)
    ax = plotting_axes(fig)[0]
    drawn = [t.get_text() for t in ax.texts]
    assert drawn == ["a", "b", "⏎", "c", "d", "e", "f"]
    grid = ax.get_images()[0].get_array()
    assert grid.shape == (3, 4)  # "ab\n", "cd e", "f": a newline and the width both wrap


def test_bad_shapes_are_reported():
    with pytest.raises(ValueError, match="one value per character"):
        plot.text_heatmap("abc", [0.1, 0.2])
    with pytest.raises(ValueError, match="one entry per size"):
        plot.timing_plot([1, 2, 3], {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"\(T, H\)"):
        plot.gate_heatmaps({"i": np.zeros(5)})
    with pytest.raises(ValueError, match="same shape"):
        plot.state_trace(np.zeros(5), np.zeros(6))
    with pytest.raises(ValueError, match="2 axes"):
        plot.state_trace(np.zeros(5), np.zeros(5), inputs=np.zeros(5), ax=plt.subplots()[1])


def test_results_bar_logy_sets_a_log_axis():
    fig = CALLS["results_bar on a log axis"]()
    assert plotting_axes(fig)[0].get_yscale() == "log"


def test_gate_heatmaps_label_units_with_whole_numbers():
    fig = plot.gate_heatmaps({"i": rng.uniform(size=(6, 3))})
    fig.canvas.draw()
    ticks = plotting_axes(fig)[0].get_yticks()
    assert len(ticks) and np.all(ticks == np.round(ticks))
