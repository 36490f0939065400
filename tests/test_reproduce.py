"""make reproduce runs a chapter's cells with the long budget and tabulates what they record."""

import os

from chapters import toy_chapter

from teaching_tools import reproduce

CHAPTER = toy_chapter(
    """
from lstm_lib import runs
steps = runs.budget(short=10, long=500)
assert steps == 500, "the kernel did not see LSTM_BOOK_RUN=long"
runs.record("toy experiment", "steps", steps, unit="steps", paper="none")
runs.record("toy experiment", "a sample", "ROMEO:\\nWhat light?")
""",
)


def test_a_chapter_runs_long_and_its_results_are_tabulated(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_RUN", raising=False)
    chapter = tmp_path / "99_toy.md"
    chapter.write_text(CHAPTER)
    results = tmp_path / "results.jsonl"
    before = dict(os.environ)
    assert reproduce.main([str(chapter), "--results", str(results)]) == 0
    assert dict(os.environ) == before  # LSTM_BOOK_RUN=long went to the kernel only
    out = capsys.readouterr().out
    assert "| toy experiment | steps | 500 steps | none |" in out
    assert "99_toy.md:" in out
    # A text over several lines is no table cell: it follows the table, labelled, as written.
    assert "| a sample |" not in out
    assert "toy experiment, a sample (run long" in out
    assert "```text\nROMEO:\nWhat light?\n```" in out


def test_a_failing_chapter_fails_the_command(tmp_path, capsys):
    chapter = tmp_path / "98_broken.md"
    chapter.write_text(CHAPTER.replace("steps == 500", "steps == 1"))
    assert reproduce.main([str(chapter), "--results", str(tmp_path / "r.jsonl")]) == 1
    assert "98_broken.md FAILED" in capsys.readouterr().err
