"""Diagrams of the cells, drawn by code from descriptions that are checked against the cells.

A cell is described as data, nodes (inputs, gates, ⊙, +, tanh, states) and edges, in cells.py
and sequences.py; one renderer draws every description (render.py). The descriptions of the
cells are executable (graph.evaluate), and tests/test_diagram.py runs them against
lstm_lib.numpy, so a picture cannot say what the code does not do.

    rnn_unrolled(T=3, highlight=None)      the RNN folded and unrolled over T steps, with the
                                           shapes (B, D) and (B, H) on its arrows (chapter 01)
    bptt(highlight=None)                   three steps of BPTT: the gradient from the loss and the
                                           one from step t + 1 meet at h_t (chapter 02)
    lstm_cell(highlight=None, annotate=None)   the LSTM cell (chapters 03, 04, 06)
        highlight: "carousel", "forget", "input", "candidate", "output", "F1".."F4", or an
                   arrow "B1".."B14" (all but B9, a note on the bus) of the backward pass
        annotate:  "forward" (F1-F4), "backward" (the arrows B1-B14), "bugs" (chapter 06's six
                   classic mistakes), or {node name: text}
    dependency_chain(T=4, highlight=None)  what waits for the previous step and what can run
                                           beside it, forward and backward (chapter 08)
    variants(names=None, highlight="edit") the variants side by side (chapter 10): "LSTM",
                                           "no forget gate", "peephole", "coupled (CIFG)",
                                           "GRU", "vanilla RNN"; "edit" lights what each changes
    cell(name) -> Diagram                  a description, to read, evaluate or draw:
    draw(diagram, highlight=None, annotate=None) -> Figure     the one renderer
Every function returns a matplotlib Figure with an opaque white background; an unknown name
raises ValueError naming the valid ones.
"""

from . import cells, sequences
from .graph import Diagram, Edge, Group, Layer, Mark, Node, evaluate, reaches
from .render import draw

__all__ = [
    "Diagram", "Edge", "Group", "Layer", "Mark", "Node",
    "bptt", "cell", "dependency_chain", "draw", "evaluate", "lstm_cell", "reaches",
    "rnn_unrolled", "variants",
]  # fmt: skip

TITLES = {
    None: "The LSTM cell",
    "carousel": "The cell state: the constant error carousel",
    "forget": r"The forget gate: what to keep of $c_{t-1}$",
    "input": "The input gate and the candidate: what to write",
    "candidate": "The candidate g: what could be written",
    "output": r"The output gate: what to show as $h_t$",
}


def cell(name):
    """The description of one cell: a name of cells.CELLS."""
    if name not in cells.CELLS:
        raise ValueError(f"cell: name must be one of {list(cells.CELLS)}, got {name!r}")
    return cells.CELLS[name]


def lstm_cell(highlight=None, annotate=None, *, title=None):
    """The LSTM cell, Olah-style: the cell state along the top, the gates below it."""
    if title is None:
        title = TITLES.get(highlight, f"The LSTM cell: {highlight}")
        if str(highlight)[:1] in ("F", "B"):
            title = f"The LSTM cell: equation {highlight}"
        elif annotate == "forward" and highlight is None:
            title = "The LSTM cell and its forward equations F1–F4"
        elif annotate == "backward":
            title = "The LSTM step backward: chapter 04's equations B1–B14"
        elif annotate == "bugs":
            title = "Where the six classic mistakes of a first LSTM sit"
    return draw(cells.CELLS["LSTM"], highlight, annotate, title=title)


def variants(names=None, highlight="edit", *, columns=2):
    """The cells side by side, each drawn from its description; highlight= in every panel
    that has that group ("edit": what the variant changes)."""
    import matplotlib.pyplot as plt

    names = list(cells.CELLS) if names is None else list(names)
    unknown = [n for n in names if n not in cells.CELLS]
    if unknown or not names:
        raise ValueError(f"variants: names must be some of {list(cells.CELLS)}, got {names!r}")
    rows = -(-len(names) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.5 * columns, 3.25 * rows), squeeze=False,
                             facecolor="white", gridspec_kw=dict(wspace=0.04, hspace=0.04,
                                                                 left=0, right=1, bottom=0, top=1))
    for ax, name in zip(axes.flat, names, strict=False):
        diagram = cells.CELLS[name]
        lit = highlight if highlight in diagram.groups else None
        draw(diagram, lit, ax=ax, compact=True)
    for ax in axes.flat[len(names):]:
        ax.set_axis_off()
    return fig


def rnn_unrolled(T=3, highlight=None):
    """The RNN folded into one cell with a loop, and unrolled over T steps, with shapes."""
    return draw(sequences.unrolled(T), highlight)


def bptt(highlight=None):
    """Steps t-1, t, t+1 of an RNN and their losses; the two gradients that meet at h_t."""
    return draw(sequences.bptt_graph(), highlight)


def dependency_chain(T=4, highlight=None):
    """An LSTM's work over T steps: what must wait for another step, what can run beside it."""
    return draw(sequences.chain(T), highlight)
