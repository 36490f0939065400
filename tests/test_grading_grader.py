"""The grading command: restored checks, one kernel per submission, limits, CSV and JSON.

The end-to-end tests run `python -m teaching_tools.grade` once on many small hand-made submissions
(--jobs 2) and read the JSON it writes.
"""

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from teaching_tools import notebook
from teaching_tools.autograde.assemble import assemble
from teaching_tools.autograde.grader import find_reference
from teaching_tools.autograde.kernel import SANDBOX
from teaching_tools.autograde.static import library_names, library_use

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RNN = (SOLUTIONS / "01_vanilla_rnn.py").read_text()
ANSWER_0 = "    return (math.isqrt(b * b + 4 * (budget - K)) - b) // 2"
ANSWER_1 = "    return np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b_h)"
ANSWER_2 = "        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)"
WRONG_1 = "    return np.tanh(x @ W_xh.T + h_prev @ W_hh.T)"
CHECK_1 = "check.rnn_step_batch(rnn_step_batch, points=2)\n"


def variant(*replacements, text=RNN):
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def grade(*paths, timeout=10, jobs=2, extra=()):
    out = Path(paths[0]).parent / "grades.json"
    csv_path = Path(paths[0]).parent / "grades.csv"
    result = subprocess.run(
        [sys.executable, "-m", "teaching_tools.grade", *map(str, paths), "--jobs", str(jobs),
         "--timeout", str(timeout), "--json", str(out), "--csv", str(csv_path), *extra],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    data = {Path(g["submission"]).name: g for g in json.loads(out.read_text())}
    return data, result.stdout, csv_path


def by_id(graded):
    return {e["grade_id"]: e for e in graded["exercises"]}


# -- restoring the reference's cells (no kernel) ---------------------------------------------

def reference():
    return notebook.read(SOLUTIONS / "01_vanilla_rnn.py")


def test_assemble_restores_edited_and_deleted_checks_and_keeps_the_answers():
    tampered = variant((ANSWER_1, WRONG_1), (CHECK_1, "pass\n"))
    nb = jupytext.reads(tampered, fmt="py:percent")
    del nb.cells[[notebook.grade_id(c) for c in nb.cells].index("check_rnn_many_to_one")]
    cells = assemble(nb, reference())
    grades = [c for c in cells if c.role == "grade"]
    ref_grades = [c for c in reference().cells if notebook.is_grade(c)]
    assert [c.source for c in grades] == [c.source for c in ref_grades]
    assert "BEGIN HIDDEN TESTS" in grades[0].source  # hidden tests come back
    answers = {c.grade_id: c.source for c in cells if c.role == "solution"}
    assert WRONG_1 in answers["rnn_step_batch"]
    assert [c.points for c in grades] == [1, 2, 2, 3]


def test_assemble_keeps_added_cells_after_the_cell_they_followed_and_drops_lost_answers():
    nb = jupytext.reads(RNN, fmt="py:percent")
    ids = [notebook.grade_id(c) for c in nb.cells]
    nb.cells.insert(ids.index("rnn_many_to_one") + 1, jupytext.reads(
        "# %%\nprint('mine')\n", fmt="py:percent").cells[0])
    nb.cells.insert(0, jupytext.reads("# %%\nimport os\n", fmt="py:percent").cells[0])
    del nb.cells[[notebook.grade_id(c) for c in nb.cells].index("largest_units")]
    cells = assemble(nb, reference())
    roles = [(c.role, c.grade_id or c.source) for c in cells]
    assert roles[0] == ("added", "import os")
    assert cells[0].exercise == "*"
    k = roles.index(("solution", "rnn_many_to_one"))
    assert roles[k + 1] == ("added", "print('mine')") and cells[k + 1].exercise == "rnn_many_to_one"
    assert ("solution", "largest_units") not in roles
    assert ("grade", "check_largest_units") in roles


def test_static_check_spots_the_library_and_tampering():
    protected = library_names("import numpy as np\nfrom lstm_lib.grading import check\n")
    assert protected == {"check"}
    assert library_use("def f(x):\n    return np.tanh(x)\n", protected) is None
    assert library_use("check.rnn_forward(f)\n", protected) is None  # trying a check is fine
    for source in ("from lstm_lib.numpy import lstm_step_forward",
                   "import lstm_lib.numpy as L", "m = __import__('lstm_lib.numpy')",
                   "%run -m lstm_lib.doctor"):
        finding = library_use(source, protected)
        assert finding and not finding.tampers and "lstm_lib" in finding.message, source
    for source in ("check = None", "check.rnn_forward = print", "setattr(check, 'x', 1)",
                   "def f():\n    global check\n", "del check"):
        finding = library_use(source, protected)
        assert finding and finding.tampers, source


def test_the_sandbox_sets_the_limits_then_becomes_the_command():
    import resource

    code = ("import resource, os; print(resource.getrlimit(resource.RLIMIT_DATA)[0], "
            "resource.getrlimit(resource.RLIMIT_FSIZE)[0], os.getpid())")
    out = subprocess.run([sys.executable, SANDBOX, "--memory-mb=512", "--file-mb=8", "--",
                          sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) == 512 * 2**20 and int(out[1]) == 8 * 2**20
    assert resource.getrlimit(resource.RLIMIT_DATA)[0] != 512 * 2**20  # ours untouched


def test_submissions_are_matched_to_solutions_by_name():
    for name in ("03_lstm_cell.py", "03_lstm_cell.ipynb", "03_lstm_cell_alice.py",
                 "03_my_copy.ipynb"):
        assert find_reference(Path("x") / name, SOLUTIONS).stem == "03_lstm_cell", name
    assert find_reference(Path("notes.py"), SOLUTIONS) is None


# -- end to end --------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_solution_scores_full_marks_and_every_exercise_zero(tmp_path):
    """All 22 notebooks in one run of the grader, two at a time."""
    solutions = sorted(SOLUTIONS.glob("[0-9]*.py"))
    exercises = sorted((ROOT / "exercises").glob("[0-9]*.py"))
    names = []
    for path in solutions + exercises:
        copy = tmp_path / f"{path.stem}_{path.parent.name}{path.suffix}"
        copy.write_text(path.read_text())
        names.append(copy)
    data, stdout, _ = grade(*names, timeout=120)
    assert len(data) == 22
    for path in solutions:
        g = data[f"{path.stem}_solutions.py"]
        assert g["points"] == g["max_points"] > 0, by_id(g)
        assert all(e["status"] == "passed" for e in g["exercises"])
    for path in exercises:
        g = data[f"{path.stem}_exercises.py"]
        assert g["points"] == 0 and g["max_points"] > 0
        for e in g["exercises"]:
            assert e["status"] == "not attempted", e
            assert "# YOUR CODE HERE" in e["message"]  # shows where to write
    assert "check_lstm_step_forward" in stdout and "22 submission(s) graded" in stdout


@pytest.mark.slow
def test_broken_and_hostile_submissions_cost_only_their_own_points(tmp_path):
    cases = {
        # name: (source, expected points of 8, {check: status})
        "tampered_pass": (variant((ANSWER_1, WRONG_1), (CHECK_1, "pass\n")), 6,
                          {"check_rnn_step_batch": "failed"}),
        "tampered_deleted": (re.sub(r"# %% nbgrader=\{\"grade\": true, \"grade_id\": "
                                    r"\"check_rnn_step_batch\".*?(?=# %% \[markdown\])", "",
                                    variant((ANSWER_1, WRONG_1)), flags=re.S), 6,
                             {"check_rnn_step_batch": "failed"}),
        "hidden_tests": (variant((ANSWER_1, ANSWER_1 + ".reshape(x.shape[0], -1)"
                                  ".squeeze()")), 6, {"check_rnn_step_batch": "failed"}),
        "endless_loop": (variant((ANSWER_1, "    while True:\n        pass")), 6,
                         {"check_rnn_step_batch": "timeout"}),
        "deaf_loop": (variant((ANSWER_1, "    while True:\n        try:\n"
                               "            sum(range(10**6))\n        except BaseException:\n"
                               "            pass")), 1,
                      {"check_rnn_step_batch": "timeout", "check_rnn_many_to_one": "not run"}),
        "exit": (variant((ANSWER_1, "    import os; os._exit(3)")), 1,
                 {"check_rnn_step_batch": "crashed", "check_rnn_many_to_one": "not run"}),
        "segfault": (variant((ANSWER_2, "        import ctypes; ctypes.string_at(0)")), 3,
                     {"check_rnn_many_to_one": "crashed"}),
        "flood": (variant((ANSWER_1, "    while True:\n        print('spam ' * 1000)")), 6,
                  {"check_rnn_step_batch": "output flood"}),
        "memory": (variant((ANSWER_1, "    return np.ones((1024, 1024, 1024))")), 6,
                   {"check_rnn_step_batch": "failed"}),
        "deletes_files": (variant((ANSWER_1, "    import glob, os\n"
                                   "    for f in set(glob.glob('*') + glob.glob(os.path."
                                   "expanduser('~/*'))):\n"
                                   "        if os.path.isfile(f):\n            os.remove(f)\n"
                                   + ANSWER_1)), 8, {}),
        "imports_reference": (variant((ANSWER_1, "    from lstm_lib.numpy import rnn\n"
                                       "    return rnn.rnn_step_forward(x, h_prev, W_xh.T, "
                                       "W_hh.T, b_h)[0]")), 6,
                              {"check_rnn_step_batch": "uses reference"}),
        "hides_reference": (variant((ANSWER_1, "    import importlib\n    m = importlib."
                                     "import_module('lstm' + '_lib.grading.reference')\n"
                                     "    return m.rnn_step(x, h_prev, W_xh.T, W_hh.T, "
                                     "b_h)")), 6,
                            {"check_rnn_step_batch": "uses reference"}),
        "replaces_check": (variant((ANSWER_1, WRONG_1 + "\n\n\nclass _Pass:\n"
                                    "    def __getattr__(self, name):\n"
                                    "        return lambda *a, **k: None\n\n\n"
                                    "check = _Pass()"),
                                   (ANSWER_2, "        h = x[:, t] @ W_xh")), 1,
                           {"check_rnn_many_to_one": "tampered"}),
    }
    paths, digests = [], {}
    for name, (source, _, _) in cases.items():
        path = tmp_path / f"01_vanilla_rnn_{name}.py"
        path.write_text(source)
        paths.append(path)
        digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    data, _, _ = grade(*paths, timeout=5)
    for name, (_, points, statuses) in cases.items():
        g = data[f"01_vanilla_rnn_{name}.py"]
        got = {e["grade_id"]: e["status"] for e in g["exercises"]}
        assert g["points"] == points, (name, got)
        for gid, status in statuses.items():
            assert got[gid] == status, (name, got)
        assert g["seconds"] < 60, name
    for path, digest in digests.items():  # never modified, never deleted
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.slow
def test_the_total_time_limit_stops_a_slow_submission(tmp_path):
    # Each cell is well within the per-cell limit; together they are not.
    slow = variant((ANSWER_0, ANSWER_0 + "\n\n\nimport time\ntime.sleep(30)"))
    path = tmp_path / "01_vanilla_rnn_slow.py"
    path.write_text(slow)
    data, _, _ = grade(path, timeout=60, extra=["--total-timeout", "4"])
    g = data[path.name]
    assert g["points"] == 0 and g["seconds"] < 30
    assert {e["status"] for e in g["exercises"]} == {"out of time"}
    assert "total time limit" in g["exercises"][0]["message"]


def test_time_limits_must_be_positive(tmp_path):
    path = tmp_path / "01_vanilla_rnn.py"
    path.write_text(RNN)
    result = subprocess.run(
        [sys.executable, "-m", "teaching_tools.grade", str(path), "--total-timeout", "0"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert "--total-timeout must be a positive number of seconds, got 0.0" in result.stderr


@pytest.mark.slow
def test_ipynb_submissions_folders_unknown_files_and_the_csv(tmp_path):
    folder = tmp_path / "class" / "alice"
    folder.mkdir(parents=True)
    nb = jupytext.reads(variant((ANSWER_1, WRONG_1)), fmt="py:percent")
    jupytext.write(nb, folder / "01_vanilla_rnn.ipynb", fmt="ipynb")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "01_vanilla_rnn-checkpoint.ipynb").write_text("{}")
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "notes.py").write_text("print('hi')\n")
    data, stdout, csv_path = grade(tmp_path / "class", timeout=30)
    assert set(data) == {"01_vanilla_rnn.ipynb", "notes.py"}
    alice = data["01_vanilla_rnn.ipynb"]
    assert alice["points"] == 6 and alice["max_points"] == 8
    step = by_id(alice)["check_rnn_step_batch"]
    assert step["status"] == "failed" and "the bias is missing" in step["message"]
    assert "reproduce: check.rnn_step_batch(..., seed=" in step["message"]
    assert data["notes.py"]["exercises"][0]["status"] == "unknown notebook"
    rows = list(csv.DictReader(csv_path.open()))
    assert list(rows[0]) == ["submission", "notebook", "grade_id", "points", "max_points",
                             "status", "message"]
    assert len(rows) == 5
    assert {(r["grade_id"], r["points"], r["max_points"]) for r in rows
            if r["notebook"] == "01_vanilla_rnn"} == {
        ("check_rnn_step_batch", "0", "2"), ("check_rnn_many_to_one", "2", "2"),
        ("check_largest_units", "1", "1"), ("check_bracket_counter", "3", "3")}
    assert "01_vanilla_rnn.ipynb" in stdout and "6/8 points" in stdout


@pytest.mark.slow
def test_thirty_submissions_of_one_problem_set(tmp_path):
    """The figure the README quotes: 30 submissions of problem set 03, --jobs 2."""
    text = (SOLUTIONS / "03_lstm_cell.py").read_text()
    wrong = [("    g = np.tanh(z[:, 2 * H:3 * H])", "    g = sigmoid(z[:, 2 * H:3 * H])"),
             ("    return h, c\n", "    return c, h\n"),
             ("    return np.stack(hs, axis=1), c", "    return np.stack(hs, axis=1), h")]
    expected = {}
    for k in range(30):
        path = tmp_path / f"03_lstm_cell_{k:02d}.py"
        if k % 3 == 0:
            path.write_text((ROOT / "exercises" / "03_lstm_cell.py").read_text())
            expected[path.name] = 0
        elif k % 3 == 1:
            path.write_text(text)
            expected[path.name] = 9
        else:
            old, new = wrong[k % len(wrong)]
            path.write_text(text.replace(old, new))
            expected[path.name] = 9 - (2 if "np.stack" in old else 3 if "return" in old else 3)
    data, stdout, _ = grade(tmp_path, timeout=60)
    assert {name: g["points"] for name, g in data.items()} == expected
    print(stdout.strip().splitlines()[-3])
