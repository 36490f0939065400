"""Write exercises/ from solutions/: `python -m teaching_tools.make_exercises` (`make exercises`).

Every solutions/NN_topic.py becomes exercises/NN_topic.py, its student version (see
notebook.student_version): answers replaced by `# YOUR CODE HERE` / `raise NotImplementedError()`,
hidden tests removed, locked cells marked read-only. exercises/ is committed; run this after
editing a solution. `--check` writes nothing and exits 1 when exercises/ is stale (for CI).
"""

import argparse
import sys
from pathlib import Path

import jupytext

from .notebook import read, student_version

ROOT = Path(__file__).resolve().parents[1]


def sources(solutions):
    return sorted(p for p in Path(solutions).glob("*.py") if not p.name.startswith("_"))


def render(solution_path):
    """The text of the exercises notebook generated from one solutions notebook."""
    return jupytext.writes(student_version(read(solution_path)), fmt="py:percent")


def plan(solutions, exercises):
    """{path: new text, or None to delete} for every exercises file that is not up to date."""
    exercises = Path(exercises)
    changes = {}
    wanted = set()
    for source in sources(solutions):
        target = exercises / source.name
        wanted.add(target)
        text = render(source)
        if not target.exists() or target.read_text() != text:
            changes[target] = text
    for stale in sorted(exercises.glob("*.py")):
        if stale not in wanted and not stale.name.startswith("_"):
            changes[stale] = None
    return changes


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m teaching_tools.make_exercises",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--solutions", default=ROOT / "solutions", type=Path)
    parser.add_argument("--exercises", default=ROOT / "exercises", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if exercises/ is not up to date")
    args = parser.parse_args(argv)
    changes = plan(args.solutions, args.exercises)
    for path, text in changes.items():
        action = "stale" if args.check else ("deleted" if text is None else "wrote")
        print(f"{action}: {path}")
        if args.check:
            continue
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    n = len(sources(args.solutions))
    if not changes:
        print(f"exercises/ is up to date ({n} problem sets)")
    if args.check and changes:
        print("run `make exercises` to regenerate exercises/ from solutions/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
