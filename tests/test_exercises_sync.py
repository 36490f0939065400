"""exercises/ is solutions/'s student version, up to date, and both are valid nbgrader notebooks."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from lstm_lib.grading import progress
from teaching_tools import make_exercises, notebook
from teaching_tools.autograde import static

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))
CHAPTERS = {"01": "vanilla", "02": "bptt", "03": "lstm_cell", "04": "lstm_backward",
            "05": "training", "06": "debugging", "07": "tensorflow", "08": "speed",
            "09": "char_lm", "10": "variants", "11": "practice"}
# What the issue asks the problem sets to cover, by the grade_id of the exercise that does.
COVERED = {
    "RNN step forward": "rnn_step_batch", "RNN step backward": "rnn_step_backward",
    "BPTT over a sequence": "truncated_rnn_backward", "LSTM step forward": "lstm_step_forward",
    "LSTM step backward": "lstm_step_backward", "LSTM sequence backward": "stacked_lstm_backward",
    "GRU forward": "gru_step_forward", "gradient clipping": "adaptive_clip",
    "an Adam step": "adam_step", "the diagnosis of a planted bug": "name_the_bug",
    "a TF cell as a Keras layer": "gru_cell_layer",
    "sampling with temperature": "sample_with_temperature",
}


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_one_problem_set_per_chapter_01_to_11():
    assert [p.name[:2] for p in SOLUTIONS] == list(CHAPTERS)
    for p in SOLUTIONS:
        assert CHAPTERS[p.name[:2]] in p.stem, p.name


def test_at_least_25_graded_exercises_covering_the_issues_list():
    ids = [notebook.grade_id(c) for p in SOLUTIONS for c in code_cells(notebook.read(p))
           if notebook.is_solution(c)]
    assert len(ids) >= 25, ids
    missing = {topic for topic, gid in COVERED.items() if gid not in ids}
    assert not missing


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_notebook_is_a_well_formed_problem_set(path):
    nb = notebook.read(path)
    assert nb.cells[0].cell_type == "markdown", "a short intro comes first"
    cells = code_cells(nb)
    assert all(notebook.meta(c).get("schema_version") == 3 for c in cells), \
        "every code cell carries nbgrader schema-3 metadata"
    ids = [notebook.grade_id(c) for c in cells]
    assert all(ids) and len(set(ids)) == len(ids), "grade_ids present and unique"
    setup = cells[0]
    assert notebook.grade_id(setup) == "setup" and notebook.is_locked(setup)
    assert not notebook.is_grade(setup) and not notebook.is_solution(setup)
    assert "import" in setup.source and "lstm_lib.grading import check" in setup.source
    exercises = notebook.exercises(nb)
    assert exercises
    for ex in exercises:
        solution = nb.cells[ex.solution]
        assert nb.cells[ex.solution - 1].cell_type == "markdown", \
            f"{ex.grade_id}: a markdown cell explains the exercise before its solution cell"
        assert notebook.solution_regions(solution.source), f"{ex.grade_id}: no solution region"
        assert static.library_use(solution.source, {"check"}) is None, \
            f"{ex.grade_id}: the answer itself may not use lstm_lib"
        assert len(ex.checks) == 1
        grade = nb.cells[ex.checks[0]]
        meta = notebook.meta(grade)
        assert meta["locked"] and not meta["solution"] and meta["points"] in (1, 2, 3)
        assert "### BEGIN HIDDEN TESTS" in grade.source, f"{ex.grade_id}: no hidden tests"
        visible = notebook.clear_hidden_tests(grade.source)
        call = re.search(r"check\.\w+\(.*points=(\d+)\)", visible)
        assert call and int(call.group(1)) == meta["points"], \
            f"{ex.grade_id}: the visible check call must pass the cell's points"


def test_problem_sets_before_07_keep_away_from_tensorflow():
    for path in SOLUTIONS:
        if path.name < "07":
            code = "\n".join(c.source for c in code_cells(notebook.read(path)))
            assert not re.search(r"import (tensorflow|keras)|check\.(tf_|gru_cell_layer)", code)


def test_exercises_folder_is_up_to_date_with_solutions():
    """Regenerates exercises/ in memory and compares it with the committed files."""
    stale = make_exercises.plan(ROOT / "solutions", ROOT / "exercises")
    assert not stale, ("exercises/ is stale, run `make exercises`: "
                       + ", ".join(p.name for p in stale))


def test_a_stale_exercise_is_detected_and_regenerated(tmp_path):
    exercises = tmp_path / "exercises"
    assert make_exercises.main(["--exercises", str(exercises)]) == 0
    assert sorted(p.name for p in exercises.glob("*.py")) == [p.name for p in SOLUTIONS]
    target = exercises / SOLUTIONS[0].name
    target.write_text(target.read_text().replace("YOUR CODE HERE", "my answer", 1))
    (exercises / "99_orphan.py").write_text("# %%\n")
    assert make_exercises.main(["--exercises", str(exercises), "--check"]) == 1
    assert make_exercises.main(["--exercises", str(exercises)]) == 0
    assert "my answer" not in target.read_text()
    assert not (exercises / "99_orphan.py").exists()
    assert make_exercises.main(["--exercises", str(exercises), "--check"]) == 0


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_student_version_has_stubs_and_no_answers_or_hidden_tests(path):
    solution = notebook.read(path)
    exercise = notebook.read(ROOT / "exercises" / path.name)
    assert len(exercise.cells) == len(solution.cells)
    text = (ROOT / "exercises" / path.name).read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    for sol, ex in zip(solution.cells, exercise.cells, strict=True):
        assert ex.cell_type == sol.cell_type
        assert notebook.meta(ex) == notebook.meta(sol)
        if not notebook.is_solution(sol):
            expected = notebook.clear_hidden_tests(sol.source) if notebook.is_grade(sol) \
                else sol.source
            assert ex.source == expected
            if notebook.is_locked(sol):
                assert ex.metadata.get("editable") is False
            continue
        # The stub sits where the answer was, at its indentation, and still parses.
        for line in sol.source.split("\n"):
            if line.strip() == "### BEGIN SOLUTION":
                indent = line[: line.index("#")]
                assert f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()" \
                    in ex.source
        ast.parse(ex.source)
        answer_lines = {ln.strip() for a, b in notebook.solution_regions(sol.source)
                        for ln in sol.source.split("\n")[a - 1:b]}
        assert not answer_lines & {ln.strip() for ln in ex.source.split("\n")} - {""}


def test_clear_solutions_follows_nbgrader_rules():
    source = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n"
              "    ### END SOLUTION\n")
    assert notebook.clear_solutions(source) == (
        "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    assert notebook.clear_solutions("x = 1") == "# YOUR CODE HERE\nraise NotImplementedError()"
    hidden = "check(f)\n### BEGIN HIDDEN TESTS\ncheck(f, B=1)\n### END HIDDEN TESTS\nprint(1)"
    assert notebook.clear_hidden_tests(hidden) == "check(f)\nprint(1)"
    with pytest.raises(ValueError, match="no"):
        notebook.clear_solutions("### BEGIN SOLUTION\nx = 1\n")


def test_jupytext_to_ipynb_carries_the_nbgrader_metadata(tmp_path):
    path = ROOT / "solutions" / "03_lstm_cell.py"
    out = tmp_path / "03_lstm_cell.ipynb"
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "-o", str(out),
                    str(path)], check=True, capture_output=True)
    cells = [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code"]
    metas = [c["metadata"]["nbgrader"] for c in cells]
    assert metas[0] == {"grade": False, "grade_id": "setup", "locked": True,
                        "schema_version": 3, "solution": False, "task": False}
    assert {"grade": True, "grade_id": "check_lstm_step_forward", "locked": True, "points": 3,
            "schema_version": 3, "solution": False, "task": False} in metas
    assert {"grade": False, "grade_id": "lstm_step_forward", "locked": False,
            "schema_version": 3, "solution": True, "task": False} in metas
    for path in SOLUTIONS:  # and for every notebook, through the same reader
        nb = jupytext.reads(jupytext.writes(notebook.read(path), fmt="ipynb"), fmt="ipynb")
        assert all("nbgrader" in c.metadata for c in code_cells(nb)), path.name


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_carry_rising_stars_and_the_set_ends_with_the_learners_progress(path):
    """Every heading has a difficulty, the difficulties never fall within a set, and the last
    cell, check.progress, lists the set's exercises as their headings and check cells say."""
    nb = notebook.read(path)
    listed = []
    for ex in notebook.exercises(nb):
        heading = nb.cells[ex.solution - 1].source.split("\n")[0]
        match = re.fullmatch(r"## (Exercise \d+ · .+ (★{1,3})) \((\d+) points?\)", heading)
        assert match, f"{ex.grade_id}: heading without a difficulty: {heading!r}"
        visible = notebook.clear_hidden_tests(nb.cells[ex.checks[0]].source)
        checker = re.search(r"check\.(\w+)\(", visible).group(1)
        listed.append((checker, match.group(1), int(match.group(3))))
    stars = [title.count("★") for _, title, _ in listed]
    assert stars == sorted(stars), f"difficulty falls within the set: {stars}"
    assert listed == progress.SETS[path.name[:2]]
    last = nb.cells[-1]
    assert last.cell_type == "code" and notebook.is_locked(last)
    assert last.source == f'check.progress("{path.name[:2]}")'
