"""Every answer, broken in each classic way, loses its points: the checks are strong enough.

For each solution region: swap sigmoid and tanh, flip a sign, drop a term, swap two gate slices,
return zeros of the right shape, shift an integer by one, at every place each applies; run the
exercise's check cell (hidden tests included) on each mutant, in a namespace prepared by the
notebook's other cells. No mutant may pass, and every region must be caught by at least two
kinds of mutation. See teaching_tools.mutants.
"""

from pathlib import Path

import pytest

from teaching_tools import mutants, notebook

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted(p for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_mutant_of_every_answer_loses_its_points(path):
    results = mutants.run(notebook.read(path))
    assert results
    for r in results:
        assert not r.baseline_error, f"{r.grade_id}: the answer fails its own check: " \
                                     f"{r.baseline_error}"
        survivors = [f"{m.kind} at line {m.line}: {m.description}" for m in r.survivors]
        assert not survivors, f"{r.grade_id}: mutants that pass the checks: {survivors}"
        for region in range(r.regions):
            kinds = r.kinds_killing(region)
            assert len(kinds) >= 2, f"{r.grade_id}, region {region + 1}: caught by {kinds}"


def test_mutations_are_made_only_inside_solution_regions():
    source = ("def f(x, H):\n    y = x + 1\n    ### BEGIN SOLUTION\n"
              "    z = sigmoid(x[:, :H]) - np.tanh(x[:, H:2 * H])\n    return z\n"
              "    ### END SOLUTION\n")
    found = mutants.mutants(source)
    kinds = {m.kind for m in found}
    assert kinds == {"swap_activation", "flip_sign", "drop_term", "swap_slices", "zeros",
                     "off_by_one"}
    assert all(m.line in (4, 5) for m in found)
    assert all("y = x + 1" in m.source for m in found)  # the line outside stays as it was
    swapped = next(m for m in found if m.kind == "swap_slices").source
    assert "x[:, H:2 * H]) - np.tanh(x[:, :H])" in swapped
    assert any("__mutant_tanh__(x[:, :H])" in m.source for m in found)
    assert any("return __mutant_zeros__(z)" in m.source for m in found)
    assert len(mutants.mutants(source, kinds=("off_by_one",), max_per_kind=1)) == 1


def test_a_line_marked_no_mutate_is_left_alone_and_a_returned_string_becomes_empty():
    source = ("def f(x):\n    ### BEGIN SOLUTION\n"
              "    n, k = 8, 3  # free sizes  # pragma: no mutate\n"
              "    y = x + n * k\n    return 'big' if y > 1 else 'small'\n    ### END SOLUTION\n")
    found = mutants.mutants(source)
    assert found and all(m.line != 3 for m in found)
    assert all("n, k = (8, 3)" in m.source for m in found)  # as ast.unparse writes it
    namespace = {}
    exec(compile(mutants.HELPERS, "<helpers>", "exec"), namespace)
    assert namespace["__mutant_zeros__"]("gate_order") == ""
