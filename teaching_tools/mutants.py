"""Are the checks strong enough? Plant mistakes in every answer and see each one caught.

    python -m teaching_tools.mutants solutions/03_lstm_cell.py [--max-per-kind N]

For every solution region of a solutions notebook this makes *mutants*, copies of the answer
with one classic mistake planted at one place, and runs the exercise's check cells (hidden tests
included) against each. A mutant is *killed* when a check cell raises; one that passes is a
*survivor*: a mistake the checks would let through. The kinds of mistake:

- ``swap_activation``: a sigmoid becomes a tanh, or a tanh a sigmoid;
- ``flip_sign``: ``a + b`` becomes ``a - b`` and back; ``-a`` becomes ``a``;
- ``drop_term``: ``a + b``, ``a - b`` or ``a * b`` becomes ``a`` or ``b``; ``x += y`` is dropped;
- ``swap_slices``: two slices of the same array swap places (two gate blocks of z);
- ``zeros``: ``return value`` returns zeros of value's shapes and types instead;
- ``off_by_one``: an integer constant n becomes n + 1 (a loop bound, an axis, a block index).

A line that ends in ``# pragma: no mutate`` (mutmut's marker) is left alone: for the free
choices of a design answer, such as the sizes of test data, where any other value does as well.

The notebook's other code cells run once first (setup, given code, the correct answers), in this
process; each mutant then runs in a copy of that namespace. Only the checkers are exercised,
never a kernel, so a whole problem set takes seconds.
"""

import argparse
import ast
import contextlib
import copy
import io
import sys
import warnings
from dataclasses import dataclass, field

from . import notebook

KINDS = ("swap_activation", "flip_sign", "drop_term", "swap_slices", "zeros", "off_by_one")
SIGMOIDS = {"sigmoid"}
TANHS = {"tanh"}

# Injected into the namespace a mutant runs in, compiled from text as a learner's own helpers
# would be (the checkers' guard takes any call into lstm_lib/ for a call of the reference).
HELPERS = '''
def __mutant_sigmoid__(a):
    if type(a).__module__.startswith(("tensorflow", "keras")):
        import tensorflow
        return tensorflow.sigmoid(a)
    import numpy
    return 0.5 * (1 + numpy.tanh(0.5 * a))

def __mutant_tanh__(a):
    if type(a).__module__.startswith(("tensorflow", "keras")):
        import tensorflow
        return tensorflow.tanh(a)
    import numpy
    return numpy.tanh(a)

def __mutant_zeros__(value):
    import numpy
    if isinstance(value, (tuple, list)):
        return type(value)(__mutant_zeros__(v) for v in value)
    if isinstance(value, dict):
        return {k: __mutant_zeros__(v) for k, v in value.items()}
    if isinstance(value, (bool, numpy.bool_)):
        return False
    if isinstance(value, str):
        return ""
    if isinstance(value, (int, float, numpy.number)):
        return type(value)(0)
    if isinstance(value, numpy.ndarray):
        return numpy.zeros_like(value)
    if type(value).__module__.startswith(("tensorflow", "keras")):
        import tensorflow
        return tensorflow.zeros_like(value)
    return value
'''


@dataclass
class Mutant:
    kind: str
    line: int  # in the cell
    description: str
    source: str
    region: int = 0  # which solution region of the cell (0, 1, ...)


def _callee(node):
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


class _Sites(ast.NodeVisitor):
    """Every place in the regions where a mutation of each kind applies, in source order."""

    def __init__(self, regions, skipped=()):
        self.regions = regions
        self.skipped = set(skipped)  # lines marked "# pragma: no mutate"
        self.sites = {kind: [] for kind in KINDS}
        self.slices = []

    def inside(self, node):
        return (any(a <= node.lineno and node.end_lineno <= b for a, b in self.regions)
                and node.lineno not in self.skipped)

    def generic_visit(self, node):
        if hasattr(node, "lineno") and self.inside(node):
            self.collect(node)
        super().generic_visit(node)

    def collect(self, node):
        s = self.sites
        if isinstance(node, ast.Call) and _callee(node) in SIGMOIDS | TANHS:
            s["swap_activation"].append(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            s["flip_sign"].append(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            s["flip_sign"].append(node)
        if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
            s["flip_sign"].append(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            s["drop_term"] += [(node, "left"), (node, "right")]
        if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
            s["drop_term"].append((node, "statement"))
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                s["zeros"].append(node)
        if (isinstance(node, ast.Constant) and type(node.value) is int):
            s["off_by_one"].append(node)
        if isinstance(node, ast.Subscript) and any(
                isinstance(n, ast.Slice) for n in ast.walk(node.slice)):
            self.slices.append(node)


class _Apply(ast.NodeTransformer):
    """Apply one mutation to the node at `target` (a node of the original tree)."""

    def __init__(self, target, how):
        self.target, self.how = target, how

    def visit(self, node):
        if node is self.target:
            return self.how(node)
        return super().visit(node)


def _swap_activation(node):
    new = copy.copy(node)
    name = "__mutant_tanh__" if _callee(node) in SIGMOIDS else "__mutant_sigmoid__"
    new.func = ast.Name(name, ast.Load())
    return new


def _flip(node):
    if isinstance(node, ast.UnaryOp):
        return node.operand
    new = copy.copy(node)
    new.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    return new


def _twin(tree, node):
    """A deep copy of tree, and the copy of node in it (found by its place in a walk)."""
    index = next(i for i, n in enumerate(ast.walk(tree)) if n is node)
    tree = copy.deepcopy(tree)
    return tree, list(ast.walk(tree))[index]


def _mutate(tree, target, how):
    tree, twin = _twin(tree, target)
    mutated = _Apply(twin, how).visit(tree)
    return ast.unparse(ast.fix_missing_locations(mutated))


def mutants(source, kinds=KINDS, max_per_kind=None):
    """Every mutant of the solution regions of one cell's source."""
    regions = notebook.solution_regions(source)
    tree = ast.parse(source)
    skipped = [n for n, line in enumerate(source.split("\n"), start=1)
               if line.rstrip().endswith("# pragma: no mutate")]
    finder = _Sites(regions, skipped)
    finder.visit(tree)
    sites = finder.sites
    pairs = [(a, b) for k, a in enumerate(finder.slices) for b in finder.slices[k + 1:]
             if ast.unparse(a.value) == ast.unparse(b.value)
             and ast.unparse(a.slice) != ast.unparse(b.slice)]
    sites["swap_slices"] = pairs
    found = []
    for kind in kinds:
        for k in range(len(regions)):
            inside = [s for s in sites[kind] if _region(regions, s) == k]
            for site in _spread(inside, max_per_kind):
                mutant = _one(kind, site, tree)
                mutant.region = k
                found.append(mutant)
    return found


def _region(regions, site):
    node = site[0] if isinstance(site, tuple) else site
    return next(k for k, (a, b) in enumerate(regions) if a <= node.lineno <= b)


def _spread(items, n):
    if n is None or len(items) <= n:
        return items
    return [items[round(k * (len(items) - 1) / (n - 1))] for k in range(n)] if n > 1 else items[:1]


def _one(kind, site, tree):
    pair = tree
    if kind == "swap_activation":
        return Mutant(kind, site.lineno, f"{ast.unparse(site.func)} -> other activation",
                      _mutate(pair, site, _swap_activation))
    if kind == "flip_sign":
        return Mutant(kind, site.lineno, f"flip the sign in {ast.unparse(site)}",
                      _mutate(pair, site, _flip))
    if kind == "drop_term":
        node, side = site
        if side == "statement":
            return Mutant(kind, node.lineno, f"drop {ast.unparse(node)}",
                          _mutate(pair, node, lambda n: ast.Pass()))
        keep = "right" if side == "left" else "left"
        text = f"{ast.unparse(node)} -> {ast.unparse(getattr(node, keep))}"
        return Mutant(kind, node.lineno, text, _mutate(pair, node, lambda n: getattr(n, keep)))
    if kind == "zeros":
        def zeros(n):
            new = copy.copy(n)
            new.value = ast.Call(ast.Name("__mutant_zeros__", ast.Load()), [n.value], [])
            return new
        return Mutant(kind, site.lineno, f"zeros instead of {ast.unparse(site.value)}",
                      _mutate(pair, site, zeros))
    if kind == "off_by_one":
        return Mutant(kind, site.lineno, f"constant {site.value} -> {site.value + 1}",
                      _mutate(pair, site, lambda n: ast.Constant(n.value + 1)))
    if kind == "swap_slices":
        a, b = site
        nodes = list(ast.walk(tree))
        ia, ib = (next(i for i, n in enumerate(nodes) if n is m) for m in (a, b))
        tree2 = copy.deepcopy(tree)
        twins = list(ast.walk(tree2))
        ta, tb = twins[ia], twins[ib]
        ta.slice, tb.slice = tb.slice, ta.slice
        return Mutant(kind, a.lineno, f"swap {ast.unparse(a)} and {ast.unparse(b)}",
                      ast.unparse(ast.fix_missing_locations(tree2)))
    raise ValueError(kind)


@dataclass
class Result:
    grade_id: str
    regions: int = 1
    killed: dict = field(default_factory=dict)  # (region, kind) -> number killed
    survivors: list = field(default_factory=list)  # Mutants that passed every check
    baseline_error: str = ""  # the unmutated answer failed its own checks

    def kinds_killing(self, region=None):
        """The kinds of mutation that were caught at least once (in one region, or any)."""
        return sorted({kind for (r, kind), n in self.killed.items()
                       if n and (region is None or r == region)})

    @property
    def weakest_region(self):
        """The fewest kinds of mutation caught in any one region."""
        return min(len(self.kinds_killing(r)) for r in range(self.regions))


def prepare(nb):
    """The namespace after every code cell but the grade cells, as a learner's kernel has it."""
    namespace = {"__name__": "__main__"}
    exec(compile(HELPERS, "<mutant helpers>", "exec"), namespace)
    with contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and not notebook.is_grade(cell):
                exec(compile(cell.source, f"<cell {index}>", "exec"), namespace)
    return namespace


def _passes(namespace, answer, checks):
    ns = dict(namespace)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(answer, "<answer>", "exec"), ns)
            for check in checks:
                exec(compile(check, "<check>", "exec"), ns)
    except Exception as e:  # noqa: BLE001 - any error in a check cell costs the points
        return False, f"{type(e).__name__}: {e}"
    return True, ""


def run(nb, kinds=KINDS, max_per_kind=None, only=None):
    """A Result for every exercise of the notebook (or those whose grade_id is in `only`)."""
    namespace = prepare(nb)
    results = []
    for exercise in notebook.exercises(nb):
        if only is not None and exercise.grade_id not in only:
            continue
        source = nb.cells[exercise.solution].source
        checks = [nb.cells[i].source for i in exercise.checks]
        result = Result(exercise.grade_id, len(notebook.solution_regions(source)))
        ok, error = _passes(namespace, source, checks)
        if not ok:
            result.baseline_error = error
            results.append(result)
            continue
        for mutant in mutants(source, kinds, max_per_kind):
            survived, _ = _passes(namespace, mutant.source, checks)
            key = (mutant.region, mutant.kind)
            result.killed.setdefault(key, 0)
            if survived:
                result.survivors.append(mutant)
            else:
                result.killed[key] += 1
        results.append(result)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m teaching_tools.mutants",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--max-per-kind", type=int, default=None)
    args = parser.parse_args(argv)
    bad = 0
    for path in args.notebooks:
        for r in run(notebook.read(path), max_per_kind=args.max_per_kind):
            total = sum(r.killed.values())
            by_region = "; ".join(
                f"region {k + 1}: {', '.join(r.kinds_killing(k)) or 'nothing'}"
                for k in range(r.regions)) if r.regions > 1 else ", ".join(r.kinds_killing())
            status = (f"BASELINE FAILS: {r.baseline_error}" if r.baseline_error else
                      f"{total} killed by {by_region or 'nothing'}; {len(r.survivors)} survived")
            print(f"{path} {r.grade_id}: {status}")
            for m in r.survivors:
                print(f"    survivor ({m.kind}, line {m.line}): {m.description}")
            bad += bool(r.survivors or r.baseline_error or r.weakest_region < 2)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
