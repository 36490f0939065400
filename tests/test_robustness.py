"""make robustness runs a chapter under several book seeds and ISA caps and reports each claim."""

import os

from chapters import toy_chapter

from teaching_tools import robustness

CHAPTER = toy_chapter(
    """
import os

from lstm_lib import runs

# A "trained model" whose result depends on the seed and on the instruction set.
value = runs.seed(0) / 1000 + (0.5 if os.environ.get("ONEDNN_MAX_CPU_ISA") == "SSE41" else 0)
runs.claim("toy: value", value, below=LIMIT)
print("this cell ran to the end")
""",
    """
assert runs.claim("toy: always", 1.0, above=0.5) == 1.0
""",
)


def write_chapter(tmp_path, limit):
    path = tmp_path / "99_toy.md"
    path.write_text(CHAPTER.replace("LIMIT", str(limit)))
    return path


def test_every_claim_is_reported_per_run_with_its_smallest_margin(tmp_path, capsys):
    chapter = write_chapter(tmp_path, limit=4)
    before = dict(os.environ)
    code = robustness.main([str(chapter), "--seeds", "0", "2", "--isa", "SSE41",
                            "--claims", str(tmp_path / "claims.jsonl")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| claim | threshold | seed 0 | seed 2 | seed 0, SSE41 | smallest margin |" in out
    # values 0, 2 and 0.5; the smallest margin is (4 - 2) / 4
    assert "| toy: value | < 4 | 0 | 2 | 0.5 | +50% |" in out
    assert "| toy: always | > 0.5 | 1 | 1 | 1 | +100% |" in out
    assert "every claim held in every run" in out
    assert dict(os.environ) == before  # the kernels got their settings; this process kept its own


def test_a_claim_failing_in_one_run_fails_the_command_but_every_run_is_measured(tmp_path, capsys):
    chapter = write_chapter(tmp_path, limit=1.5)
    code = robustness.main([str(chapter), "--seeds", "0", "2", "--isa",
                            "--claims", str(tmp_path / "claims.jsonl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "| toy: value | < 1.5 | 0 | 2 **FAILED** | -33% FAILED |" in out
    assert "| toy: always | > 0.5 | 1 | 1 | +100% |" in out  # the cell after it still ran
    assert "SOME CLAIMS FAILED" in out


def test_a_chapter_that_raises_fails_the_command(tmp_path, capsys):
    chapter = tmp_path / "98_broken.md"
    chapter.write_text(CHAPTER.replace("LIMIT", "4").replace("import os", "import os\n1 / 0"))
    code = robustness.main([str(chapter), "--seeds", "0", "--isa",
                            "--claims", str(tmp_path / "claims.jsonl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "ERROR in 98_broken.md (seed 0): ZeroDivisionError" in out
