"""The figures the chapters draw, with matplotlib only.

Every function takes plain data (lists, dicts, NumPy arrays), labels its axes, sets a title, and
returns the matplotlib Figure. Pass ax= to draw into axes you made (for side-by-side panels);
the functions that draw several panels take a sequence of axes there.

    training_curves(histories, ylabel="loss", logy=False, baseline=None, smooth=None)
                                                loss per step, per model (and per seed)
    gradient_norm_vs_lag(norms)                 how gradients shrink (or grow) with the time lag
    gate_heatmaps(gates, tokens=None)           i, f, g, o (and c) over time, one heat map each
    state_trace(c, h, inputs=None)              cell and hidden state of a few units over time
    text_heatmap(text, values)                  each character coloured by a neuron's activation
    results_bar(results, ylabel)                one bar per variant, for ablation tables
    timing_plot(sizes, times)                   run time against T or H, per implementation
"""

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

__all__ = [
    "gate_heatmaps",
    "gradient_norm_vs_lag",
    "results_bar",
    "state_trace",
    "text_heatmap",
    "timing_plot",
    "training_curves",
]

GATE_NAMES = {
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "c": "cell state c",
    "o": "output gate o",
    "h": "hidden state h",
    "z": "update gate z",
    "r": "reset gate r",
}


def _figure_and_axes(ax, **subplots):
    if ax is None:
        fig, ax = plt.subplots(layout="constrained", **subplots)
        return fig, ax
    return ax.figure, ax


def _axes_list(ax, n, **subplots):
    """n axes stacked vertically, or the n axes the caller passed."""
    if ax is None:
        fig, axes = plt.subplots(n, 1, squeeze=False, layout="constrained", **subplots)
        return fig, list(axes[:, 0])
    axes = list(np.ravel(ax))
    if len(axes) != n:
        raise ValueError(f"ax must hold {n} axes here, got {len(axes)}")
    return axes[0].figure, axes


def _runs(values):
    """[run, ...] from one run (steps,), a list of runs, or an array (runs, steps)."""
    if isinstance(values, np.ndarray):
        return [values.astype(float)] if values.ndim == 1 else [r.astype(float) for r in values]
    values = list(values)
    if values and np.ndim(values[0]) >= 1:
        return [np.asarray(run, dtype=float) for run in values]
    return [np.asarray(values, dtype=float)]


def training_curves(histories, ylabel="loss", logy=False, baseline=None, *, smooth=None,
                    baseline_label="baseline", xlabel="step", title="Training curves", ax=None):
    """Several runs on one axis: {name: [value per step]}.

    A value may also hold several runs of one model, e.g. one per seed: a list of such sequences
    (or a 2-D array, one row per run). The first is drawn and labelled; the others as thin lines
    of the same colour. smooth=k draws the running mean over k steps instead of every step
    (noisy per-batch losses), each point at the last step of its window.
    baseline: a value to draw as a dashed horizontal line labelled baseline_label, e.g. the
    adding problem's Var(target) or log(K) for the copy task.
    """
    if smooth is not None and (int(smooth) != smooth or smooth < 1):
        raise ValueError(f"training_curves: smooth must be a whole number of steps >= 1, "
                         f"got {smooth!r}")
    fig, ax = _figure_and_axes(ax)
    for name, values in histories.items():
        color = None  # the first run takes the next colour of the cycle, the others the same
        for run in _runs(values):
            x = np.arange(len(run))
            if smooth is not None and len(run):
                window = min(int(smooth), len(run))
                run = np.convolve(run, np.ones(window) / window, mode="valid")
                x = x[window - 1:]
            if color is None:
                (line,) = ax.plot(x, run, label=name)
                color = line.get_color()
            else:
                ax.plot(x, run, color=color, linewidth=0.7, alpha=0.6)
    if baseline is not None:
        ax.axhline(baseline, color="0.4", linestyle="--", linewidth=1, label=baseline_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if histories or baseline is not None:
        ax.legend()
    return fig


def gradient_norm_vs_lag(norms, *, lags=None, xlabel="time lag (steps back from the loss)",
                         ylabel="gradient norm", title="Gradient norm vs time lag", ax=None):
    """{model name: norms (L,)}: norms[k] is the size of the gradient k steps back.

    lags: the x values (default 0 .. L-1). The y axis is logarithmic, so exponential vanishing
    or exploding shows as a straight line.
    """
    fig, ax = _figure_and_axes(ax)
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        x = np.arange(len(values)) if lags is None else np.asarray(lags)
        ax.plot(x, values, label=name)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if norms:
        ax.legend()
    return fig


def _token_label(token):
    return {"\n": "\\n", " ": "␣", "\t": "\\t"}.get(token, str(token))


def gate_heatmaps(gates, tokens=None, *, title="Gate activations", ax=None):
    """One heat map per gate: {name: (T, H) activations}, time on x, unit on y.

    Names i, f, g, o, c (also h, z, r) get a descriptive panel title. Values within [0, 1] (the
    sigmoid gates) share the colour scale 0 .. 1; others get a symmetric diverging scale.
    tokens: T labels for the time axis (e.g. the input characters). ax: one axes per gate.
    """
    arrays = {name: np.asarray(a, dtype=float) for name, a in gates.items()}
    for name, a in arrays.items():
        if a.ndim != 2:
            raise ValueError(
                f"gate_heatmaps: gates[{name!r}] must be (T, H), got shape {a.shape}; for a batch "
                "(B, T, H) pick one sequence, e.g. cache['i'][0]")
    T = max((a.shape[0] for a in arrays.values()), default=0)
    figsize = (max(6.0, 0.18 * T + 2), 1.9 * len(arrays) + 0.6)
    fig, axes = _axes_list(ax, len(arrays), figsize=figsize)
    for axis, (name, a) in zip(axes, arrays.items(), strict=True):
        if a.min() >= 0.0 and a.max() <= 1.0:
            scale = dict(cmap="viridis", vmin=0.0, vmax=1.0)
        else:
            limit = max(float(np.abs(a).max()), 1e-12)
            scale = dict(cmap="RdBu_r", vmin=-limit, vmax=limit)
        image = axis.imshow(a.T, aspect="auto", origin="lower", interpolation="nearest", **scale)
        fig.colorbar(image, ax=axis, label="activation")
        axis.set_title(GATE_NAMES.get(name, name), fontsize="medium")
        axis.set_ylabel("unit")
        axis.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        if tokens is not None:
            axis.set_xticks(np.arange(len(tokens)), [_token_label(t) for t in tokens],
                            fontsize="small")
            axis.set_xlabel("input")
        else:
            axis.set_xlabel("time step")
    fig.suptitle(title)
    return fig


def state_trace(c, h, inputs=None, *, units=None, title="Cell and hidden state", ax=None):
    """The cell state c (solid) and hidden state h (dashed) of chosen units over time.

    c, h: (T,) for one unit or (T, H); units: which columns to draw (default: all, at most 8).
    inputs: (T,) or (T, D), drawn in a panel above; then ax, if given, must hold two axes.
    Unlike h, which tanh and the output gate keep in (-1, 1), c can grow without bound: the
    constant error carousel at work.
    """
    c = np.asarray(c, dtype=float).reshape(len(c), -1)
    h = np.asarray(h, dtype=float).reshape(len(h), -1)
    if c.shape != h.shape:
        raise ValueError(
            f"state_trace: c and h must have the same shape, got {c.shape} and {h.shape}")
    units = list(range(min(c.shape[1], 8))) if units is None else list(np.atleast_1d(units))
    if inputs is None:
        fig, state_ax = _figure_and_axes(ax, figsize=(8, 3.5))
    else:
        fig, (input_ax, state_ax) = _axes_list(ax, 2, figsize=(8, 5), sharex=True,
                                               height_ratios=(1, 2))
        x_in = np.asarray(inputs, dtype=float).reshape(len(inputs), -1)
        for d in range(x_in.shape[1]):
            input_ax.step(np.arange(len(x_in)), x_in[:, d], where="mid",
                          label=f"x[{d}]" if x_in.shape[1] > 1 else "x")
        input_ax.set_xlabel("time step")
        input_ax.set_ylabel("input")
        input_ax.set_title("Inputs", fontsize="medium")
        if x_in.shape[1] > 1:
            input_ax.legend(fontsize="small", ncols=min(x_in.shape[1], 4))
    t = np.arange(len(c))
    for k, u in enumerate(units):
        color = f"C{k % 10}"
        state_ax.plot(t, c[:, u], color=color, label=f"c[{u}]")
        state_ax.plot(t, h[:, u], color=color, linestyle="--", label=f"h[{u}]")
    state_ax.axhline(0.0, color="0.7", linewidth=0.8)
    state_ax.set_xlabel("time step")
    state_ax.set_ylabel("state value")
    state_ax.legend(fontsize="small", ncols=min(len(units), 4))
    if inputs is None:
        state_ax.set_title(title)
    else:
        fig.suptitle(title)
    return fig


def text_heatmap(text, values, *, width=80, cmap="RdBu_r", vmin=-1.0, vmax=1.0,
                 title="Activation per character", ax=None):
    """Text with each character's background coloured by a value, e.g. one cell's activation.

    text: a str of N characters; values: (N,), values[n] for text[n]. Lines break at newlines
    and after `width` characters. The default colour scale -1 .. 1 suits tanh(c) and h.
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    if len(values) != len(text):
        raise ValueError(
            f"text_heatmap: values must hold one value per character, {len(text)}, "
            f"got {len(values)}")
    cells, row, col = [], 0, 0  # (row, column, character, value)
    for ch, v in zip(text, values, strict=True):
        if col == width:
            row, col = row + 1, 0
        cells.append((row, col, ch, v))
        if ch == "\n":
            row, col = row + 1, 0
        else:
            col += 1
    rows = row + 1
    grid = np.full((rows, width), np.nan)
    for r, k, _, v in cells:
        grid[r, k] = v

    fig, ax = _figure_and_axes(ax, figsize=(max(4.0, 0.13 * width + 1.5), 0.32 * rows + 1.2))
    image = ax.imshow(grid, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    for r, k, ch, _ in cells:
        if not ch.isspace():
            ax.text(k, r, ch, ha="center", va="center", family="monospace", fontsize=9)
        elif ch == "\n":
            ax.text(k, r, "⏎", ha="center", va="center", fontsize=7, color="0.5")
    fig.colorbar(image, ax=ax, label="activation")
    ax.set_xlabel("character in line")
    ax.set_ylabel("line")
    ax.set_yticks(np.arange(rows))
    ax.set_title(title)
    return fig


def results_bar(results, ylabel, *, errors=None, baseline=None, baseline_label="baseline",
                xlabel="variant", title="Results", fmt="{:.3g}", logy=False, ax=None):
    """One bar per entry of {name: value}, each labelled with its value.

    errors: optional {name: error bar half-width}. baseline: a dashed horizontal reference line.
    logy: a log-scale y axis, for values spanning decades (errors against a tolerance, times).
    """
    fig, ax = _figure_and_axes(ax, figsize=(max(4.0, 0.9 * len(results) + 1.5), 3.5))
    names = list(results)
    heights = [float(results[n]) for n in names]
    yerr = None if errors is None else [float(errors.get(n, 0.0)) for n in names]
    bars = ax.bar(np.arange(len(names)), heights, yerr=yerr, capsize=3 if yerr else 0,
                  color=[f"C{k % 10}" for k in range(len(names))])
    ax.bar_label(bars, labels=[fmt.format(v) for v in heights], padding=2, fontsize="small")
    if logy:
        ax.set_yscale("log")  # a value of exactly 0 keeps its label but shows no bar
    ax.margins(y=0.12)  # room for the value labels above the bars
    ax.set_xticks(np.arange(len(names)), names,
                  rotation=30 if max(map(len, names), default=0) > 8 else 0,
                  ha="right" if max(map(len, names), default=0) > 8 else "center")
    if baseline is not None:
        ax.axhline(baseline, color="0.4", linestyle="--", linewidth=1, label=baseline_label)
        ax.legend()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def timing_plot(sizes, times, *, xlabel="sequence length T", ylabel="time per batch (ms)",
                logx=False, logy=False, title="Run time", ax=None):
    """Run time against a size, one line per implementation: {name: times (len(sizes),)}.

    Call it once with the sequence lengths T and once with the hidden sizes H (xlabel="hidden
    units H"), passing ax= to put both side by side.
    """
    fig, ax = _figure_and_axes(ax)
    sizes = np.asarray(sizes)
    for name, values in times.items():
        values = np.asarray(values, dtype=float)
        if values.shape != sizes.shape:
            raise ValueError(
                f"timing_plot: times[{name!r}] must have one entry per size, {sizes.shape}, "
                f"got {values.shape}")
        ax.plot(sizes, values, marker="o", label=name)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if times:
        ax.legend()
    return fig
