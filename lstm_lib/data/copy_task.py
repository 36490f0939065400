"""The copy (memory) task: read S symbols, wait, then write them back in order.

As in Arjovsky, Shah & Bengio (2016), "Unitary Evolution Recurrent Neural Networks", section 4.1,
with their sizes as defaults (S = 10 symbols from an alphabet of K = 8).

Symbols are integers: 0 is the blank, 1 .. K the data symbols, K + 1 the delimiter ("go").

    step:    0 .. S-1      S .. S+delay-2   S+delay-1    S+delay .. 2S+delay-1
    input:   a_1 .. a_S    blanks           delimiter    blanks
    target:  blanks        blanks           blank        a_1 .. a_S        <- the recall steps

    copy_task(batch_size, *, n_symbols=10, alphabet_size=8, delay=100, seed=None, rng=None)
        -> (x (B, T, K+2) float32 one-hot, y (B, T) int64, mask (B, T) bool), T = delay + 2S
    copy_baseline_loss(n_symbols=10, alphabet_size=8, delay=100, recall_only=True) -> float
"""

import numpy as np

from ._random import resolve_rng

__all__ = ["copy_task", "copy_baseline_loss"]


def copy_task(batch_size, *, n_symbols=10, alphabet_size=8, delay=100, seed=None, rng=None):
    """A batch of the copy task.

    What a model has to remember: the S data symbols, in order, for delay + S steps, and when the
    delimiter arrives, replay them one per step. Chance level: with no memory of the symbols the
    best prediction at a recall step is uniform over the K data symbols, a cross-entropy of
    log(K) nats per recall step (log 8 = 2.079); on the blank steps the target is always the blank
    and costs nothing once learned (see copy_baseline_loss).

    n_symbols: S, the length of the sequence to copy. alphabet_size: K data symbols.
    delay: steps from the last data symbol to the first recall step (Arjovsky's T); the delimiter
    sits on the step just before recall begins.
    Returns
      x: (B, T, K + 2) float32, one-hot over {blank, 1 .. K, delimiter}, T = delay + 2S;
      y: (B, T) int64 targets in 0 .. K (0 = blank);
      mask: (B, T) bool, True on the S recall steps (the last S steps), where the loss that
        measures memory is taken.
    """
    rng = resolve_rng(seed, rng, caller="copy_task")
    B, S, K, delay = int(batch_size), int(n_symbols), int(alphabet_size), int(delay)
    if S < 1 or K < 1 or delay < 1:
        raise ValueError(
            f"copy_task: n_symbols, alphabet_size and delay must be >= 1, got {S}, {K}, {delay}")
    T = delay + 2 * S
    symbols = rng.integers(1, K + 1, size=(B, S))

    inputs = np.zeros((B, T), dtype=np.int64)
    inputs[:, :S] = symbols
    inputs[:, S + delay - 1] = K + 1
    y = np.zeros((B, T), dtype=np.int64)
    y[:, -S:] = symbols
    mask = np.zeros((B, T), dtype=bool)
    mask[:, -S:] = True

    x = np.eye(K + 2, dtype=np.float32)[inputs]
    return x, y, mask


def copy_baseline_loss(n_symbols=10, alphabet_size=8, delay=100, recall_only=True):
    """Cross-entropy (nats) of the memoryless baseline: blanks, then uniform guesses at recall.

    recall_only=True: mean over the recall steps, log(K).
    recall_only=False: mean over all T = delay + 2S steps, S log(K) / (delay + 2S), the
    baseline line of Arjovsky et al. (2016), e.g. 10 log 8 / 120 = 0.173 for delay = 100.
    """
    S, K = int(n_symbols), int(alphabet_size)
    if recall_only:
        return float(np.log(K))
    return float(S * np.log(K) / (int(delay) + 2 * S))
