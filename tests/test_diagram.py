"""The diagrams say what the code does, and draw cleanly.

Every cell description is run (graph.evaluate) and compared with lstm_lib.numpy's step, directly
or through an LSTM that the variant reduces to; a gate that changes an output in the code must
reach it in the drawing; the backward arrows reverse forward paths and carry chapter 04's
labels. Deliberately wrong descriptions prove that these checks fail when a drawing drifts.
"""

import re
from dataclasses import replace
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

import lstm_lib.numpy as lnp
from lstm_lib import diagram
from lstm_lib.diagram import Diagram, Edge, cells, evaluate, reaches
from lstm_lib.numpy.activations import sigmoid

ROOT = Path(__file__).resolve().parents[1]
B, D, H = 3, 4, 5
rng = np.random.default_rng(0)
X, H_PREV, C_PREV = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))


def weights(blocks, bias_rows=1, seed=1):
    r = np.random.default_rng(seed)
    bias_shape = (blocks * H,) if bias_rows == 1 else (bias_rows, blocks * H)
    return r.normal(size=(D, blocks * H)), r.normal(size=(H, blocks * H)), r.normal(size=bias_shape)


def blocks_of(a, n):
    return np.split(a, n, axis=-1)


def lstm_reference(W, U, b, x=X):
    h, c, cache = lnp.lstm_step_forward(x, H_PREV, C_PREV, W, U, b)
    i, f, g, o = cache[3:7]  # the step's cache: x, h_prev, c_prev, i, f, g, o, tanh_c, ...
    return {"h": h, "c": c, "i": i, "f": f, "g": g, "o": o}


def check_lstm(desc):
    """{node: max |description - lstm_lib.numpy|} for the LSTM's outputs and gates."""
    W, U, b = weights(4)
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV, "c_prev": C_PREV}, W, U, b)
    ref = lstm_reference(W, U, b)
    ref["h_out"] = ref["h"]
    return {k: np.abs(ours[k] - v).max() for k, v in ref.items()}


def check_gru(desc):
    W, U, b = weights(3, bias_rows=2)
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV}, W, U, b)
    h, cache = lnp.gru_step_forward(X, H_PREV, W, U, b)
    z, r, h_tilde = cache[2:5]  # the step's cache: x, h_prev, z, r, h_tilde, u_h, ...
    ref = {"h": h, "h_out": h, "z": z, "r": r, "g": h_tilde}
    return {k: np.abs(ours[k] - v).max() for k, v in ref.items()}


def check_rnn(desc):
    W, U, b = weights(1)
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV}, W, U, b)
    h, _ = lnp.rnn_step_forward(X, H_PREV, W, U, b)
    return {k: np.abs(ours[k] - h).max() for k in ("h", "h_out", "a")}


def check_no_forget(desc):
    """Chapter 10's proof: the cell is an LSTM whose forget gate is pinned at exactly 1."""
    W3, U3, b3 = weights(3)
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV, "c_prev": C_PREV}, W3, U3, b3)
    assert sigmoid(np.array([100.0]))[0] == 1.0
    W, U, b = ([*blocks_of(w, 3)] for w in (W3, U3, b3))
    W, U = (np.concatenate([w[0], np.zeros_like(w[0]), w[1], w[2]], axis=1) for w in (W, U))
    b = np.concatenate([b[0], np.full(H, 100.0), b[1], b[2]])
    ref = lstm_reference(W, U, b)
    return {k: np.abs(ours[k] - ref[k]).max() for k in ("h", "c")}


def check_coupled(desc):
    """Chapter 10's proof: 1 - sigmoid(a) = sigmoid(-a), an LSTM with forget weights -(input)."""
    W3, U3, b3 = weights(3)
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV, "c_prev": C_PREV}, W3, U3, b3)
    W, U, b = (np.concatenate([w_i, -w_i, w_c, w_o], axis=-1)
               for w_i, w_c, w_o in (blocks_of(w, 3) for w in (W3, U3, b3)))
    ref = lstm_reference(W, U, b)
    return {k: np.abs(ours[k] - ref[k]).max() for k in ("h", "c", "i")}


def check_peephole(desc):
    """i and f read c_{t-1}: an LSTM whose input also holds c_{t-1}, with diagonal weights into
    the i and f blocks. o reads the new c_t: sigmoid(z_o + p_o * c_t) on lstm_lib's c_t."""
    W, U, b = weights(4)
    p = {k: np.random.default_rng(k).normal(size=H) for k in (2, 3, 4)}
    peep = {"i": p[2], "f": p[3], "o": p[4]}
    ours = evaluate(desc, {"x": X, "h_prev": H_PREV, "c_prev": C_PREV}, W, U, b, peephole=peep)
    P = np.zeros((H, 4 * H))
    P[:, :H], P[:, H : 2 * H] = np.diag(peep["i"]), np.diag(peep["f"])
    ref = lstm_reference(np.concatenate([W, P]), U, b, x=np.concatenate([X, C_PREV], axis=1))
    z_o = X @ W[:, 3 * H :] + H_PREV @ U[:, 3 * H :] + b[3 * H :]
    o = sigmoid(z_o + peep["o"] * ref["c"])
    ref.update(o=o, h=o * np.tanh(ref["c"]))
    return {k: np.abs(ours[k] - ref[k]).max() for k in ("i", "f", "c", "o", "h")}


CHECKS = {"LSTM": check_lstm, "GRU": check_gru, "vanilla RNN": check_rnn,
          "no forget gate": check_no_forget, "coupled (CIFG)": check_coupled,
          "peephole": check_peephole}


@pytest.mark.parametrize("name", list(cells.CELLS))
def test_each_cell_description_computes_what_the_numpy_cell_computes(name):
    errors = CHECKS[name](cells.CELLS[name])
    assert max(errors.values()) < 1e-12, errors


def _rewired(desc, old, new):
    """The description with edge `old` (src, dst) replaced by `new`."""
    edges = tuple(replace(e, src=new[0], dst=new[1]) if (e.src, e.dst) == old else e
                  for e in desc.edges)
    return replace(desc, edges=edges)


WRONG = {
    "output gate times c instead of tanh(c)": (
        check_lstm, _rewired(cells.CELLS["LSTM"], ("tanh_c", "mul_h"), ("add", "mul_h"))),
    "sigmoid on the candidate": (check_lstm, replace(cells.CELLS["LSTM"], nodes=tuple(
        replace(n, op="sigmoid") if n.name == "g" else n for n in cells.CELLS["LSTM"].nodes))),
    "forget gate multiplies h_prev": (
        check_lstm, _rewired(cells.CELLS["LSTM"], ("c_prev", "mul_f"), ("h_prev", "mul_f"))),
    "coupled gate f = i, not 1 - i": (
        check_coupled, _rewired(cells.CELLS["coupled (CIFG)"], ("one_minus", "mul_f"),
                                ("i", "mul_f"))),
    "GRU: z keeps the candidate, 1 - z the old state": (
        check_gru, _rewired(_rewired(cells.CELLS["GRU"], ("h_prev", "mul_z"), ("g", "mul_z")),
                            ("g", "mul_g"), ("h_prev", "mul_g"))),
    "peephole: o reads c_{t-1}": (
        check_peephole, _rewired(cells.CELLS["peephole"], ("add", "o"), ("c_prev", "o"))),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_a_description_that_drifts_from_the_code_fails_the_check(name):
    check, wrong = WRONG[name]
    assert max(check(wrong).values()) > 1e-3


def _changes(step, block, n_blocks, bias_rows=1):
    """Which outputs of a lstm_lib.numpy step move when one gate's pre-activation moves."""
    W, U, b = weights(n_blocks, bias_rows)
    moved = b.copy()
    moved[..., block * H : (block + 1) * H] += 0.5
    before, after = step(W, U, b), step(W, U, moved)
    return {k for k in before if np.abs(before[k] - after[k]).max() > 1e-9}


def lstm_step(W, U, b):
    h, c, _ = lnp.lstm_step_forward(X, H_PREV, C_PREV, W, U, b)
    return {"h": h, "c": c}


def gru_step(W, U, b):
    return {"h": lnp.gru_step_forward(X, H_PREV, W, U, b)[0]}


@pytest.mark.parametrize("name, step, bias_rows", [("LSTM", lstm_step, 1), ("GRU", gru_step, 2)])
def test_a_gate_reaches_in_the_drawing_exactly_the_outputs_it_changes_in_the_code(name, step,
                                                                                  bias_rows):
    desc = cells.CELLS[name]
    for k, (block, gate) in enumerate(desc.gates().items()):
        changed = _changes(step, k, len(desc.blocks), bias_rows)
        drawn = {out for out in ("h", "c") if any(n.name == out for n in desc.nodes)
                 and reaches(desc, gate, out)}
        assert drawn == changed, (block, drawn, changed)


def test_which_state_feeds_which_gate_matches_chapter_10():
    feeds = {name: {(e.src, e.dst) for e in desc.edges if e.dst in desc.gates().values()
                    and e.src not in ("x",)} for name, desc in cells.CELLS.items()}
    assert feeds["LSTM"] == {("h_prev", g) for g in "ifgo"}
    assert feeds["peephole"] == feeds["LSTM"] | {("c_prev", "i"), ("c_prev", "f"), ("add", "o")}
    assert feeds["coupled (CIFG)"] == feeds["no forget gate"] == {("h_prev", g) for g in "igo"}
    assert feeds["GRU"] == {("h_prev", "z"), ("h_prev", "r"), ("h_prev", "g"), ("r", "g")}
    assert [desc.blocks for desc in cells.CELLS.values()] == [
        ("i", "f", "c", "o"), ("i", "c", "o"), ("i", "f", "c", "o"), ("i", "c", "o"),
        ("z", "r", "h"), ("h",)]


def _book_labels(letter):
    text = (ROOT / "book" / "04_lstm_backprop.md").read_text()
    return {f"{letter}{n}" for n in re.findall(rf"\\text{{\({letter}(\d+)\)}}", text)}


def test_the_equation_labels_are_chapter_04s():
    lstm = cells.CELLS["LSTM"]
    assert _book_labels("F") == {"F1", "F2", "F3", "F4"}
    assert {key for key, _ in lstm.layers["forward"].legend} == _book_labels("F")
    assert {m.text for m in lstm.layers["forward"].marks} == _book_labels("F")
    backward = lstm.layers["backward"]
    named = {e.name for e in backward.edges if e.name} | {m.text.split()[0] for m in backward.marks}
    assert len(_book_labels("B")) == 14 and named == _book_labels("B")


def test_every_backward_arrow_reverses_a_forward_path():
    lstm = cells.CELLS["LSTM"]
    gates = {n.name: n.block for n in lstm.nodes if n.kind == "layer"}
    points = {n.name: n for n in lstm.layers["backward"].nodes if n.kind == "point"}
    for e in lstm.layers["backward"].edges:
        if e.src in gates:  # B7, B8: from a gate to its own pre-activation on the bus
            assert points[e.dst].block == gates[e.src], e
        elif e.src in points:  # B10-B14: from the bus to x, h_{t-1} or a weight
            assert e.dst in ("x", "h_prev", "W", "U", "b"), e
            if e.dst in ("x", "h_prev"):
                assert all(reaches(lstm, e.dst, g) for g in gates), e
        else:
            assert reaches(lstm, e.dst, e.src), f"{e.name}: no forward path {e.dst} -> {e.src}"


def test_a_description_with_an_unknown_node_or_port_is_refused():
    with pytest.raises(ValueError, match="unknown node 'nowhere'"):
        Diagram("broken", cells.CELLS["vanilla RNN"].nodes, (Edge("x", "nowhere"),))
    with pytest.raises(ValueError, match="ports are"):
        Diagram("broken", cells.CELLS["vanilla RNN"].nodes, (Edge("x", "a", port="z"),))


FIGURES = {
    "rnn_unrolled": (lambda: diagram.rnn_unrolled(T=3), ["(B, D)", "(B, H)", "RNN cell"]),
    "bptt": (lambda: diagram.bptt(), [r"$g_{t}$", r"$\delta a_{t+1} U^\top$"]),
    "lstm_cell": (lambda: diagram.lstm_cell(), [r"$\sigma$", "tanh", r"$c_{t-1}$"]),
    **{f"lstm_cell highlight={h}": (lambda h=h: diagram.lstm_cell(highlight=h), [r"$\sigma$"])
       for h in ("carousel", "input", "forget", "output", "F3", "B6")},
    "lstm_cell forward": (lambda: diagram.lstm_cell(annotate="forward"),
                          ["F1", "F2", "F3", "F4"]),
    "lstm_cell backward": (lambda: diagram.lstm_cell(annotate="backward"),
                           [*(f"B{k}" for k in (7, 8, 12, 13, 14)), r"B1 $do$", r"B6 $dc_{t-1}$",
                            r"B11 $dh_{t-1}$"]),
    "lstm_cell bugs": (lambda: diagram.lstm_cell(annotate="bugs"), list("123456")),
    "dependency_chain": (lambda: diagram.dependency_chain(T=4), [r"$x_4 W + b$", r"$dh_T$"]),
    "variants": (lambda: diagram.variants(), [d.title for d in cells.CELLS.values()]),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_diagram_renders_to_png_with_its_labels_and_readable_text(name, tmp_path):
    make, expected = FIGURES[name]
    fig = make()
    path = tmp_path / "diagram.png"
    fig.savefig(path, dpi=100, bbox_inches="tight")
    texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    labels = {t.get_text() for t in texts}
    assert set(expected) <= labels, set(expected) - labels
    smallest = min(t.get_fontsize() for t in texts)
    axis_label = matplotlib.font_manager.FontProperties(
        size=matplotlib.rcParams["axes.labelsize"]).get_size_in_points()
    assert smallest >= axis_label, f"text of {smallest} pt, smaller than the axis labels"
    assert fig.get_size_inches()[0] <= 9.0
    image = plt.imread(path)
    assert image.shape[2] == 3 or np.all(image[..., 3] == 1.0)  # opaque: fine on a dark theme
    assert np.allclose(image[2, 2, :3], 1.0)  # a white background
    plt.close(fig)


def test_an_unknown_name_raises_an_error_naming_the_valid_ones():
    with pytest.raises(ValueError, match=r"highlight must be one of .*'forget'.*got 'fogret'"):
        diagram.lstm_cell(highlight="fogret")
    with pytest.raises(ValueError, match=r"annotate must be one of \['backward', 'bugs', "
                                         r"'forward'\].*got 'sideways'"):
        diagram.lstm_cell(annotate="sideways")
    with pytest.raises(ValueError, match=r"names must be some of .*'GRU'.*got \['LSTM', 'LTSM'\]"):
        diagram.variants(["LSTM", "LTSM"])
    with pytest.raises(ValueError, match="T must be between 1 and 5.*got 0"):
        diagram.rnn_unrolled(T=0)
    with pytest.raises(ValueError, match=r"must be one of \['LSTM'.*got 'lstm'"):
        diagram.cell("lstm")
    plt.close("all")
