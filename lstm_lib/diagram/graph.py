"""A diagram as data: nodes, edges and marks, and what a cell description computes.

A description says what is connected to what and where it sits; the renderer only draws it. A
cell's description is also executable: `evaluate` runs it in NumPy, so a test can compare it
with the cells of `lstm_lib.numpy`, and a drawing cannot drift from the maths.

Node kinds (how a node is drawn):
    "layer"  a weighted layer, act(x W_k + h U_k + b_k) for one gate block k   (yellow box)
    "op"     a pointwise operation: ⊙, +, 1−, tanh                             (pink circle)
    "io"     an input or output, drawn as its name                             (text)
    "block"  a box with a text, e.g. a whole RNN step                          (green box)
    "step"   the same for work that must wait for another step                 (yellow box)
    "point"  an invisible end point, e.g. a place on the bus of pre-activations
Node ops (what a node computes, for evaluate):
    "sigmoid", "tanh" with a block: the layer; "tanh" without one: elementwise of its one input;
    "mul", "add": the product or the sum of its inputs; "one_minus": 1 − its input;
    "id": its one input (an output); "": an input, given to evaluate.
An edge into a layer names the port it feeds: "x" and "h" (the two matrix products),
"peephole" (p_k ⊙ that state is added to the pre-activation) or "reset" (GRU: r scales h U_k + b).

Coordinates are in units of about 0.6 inch; y points up.
"""

from dataclasses import dataclass, field

import numpy as np

from ..numpy.activations import sigmoid

Point = tuple[float, float]

KINDS = ("layer", "op", "io", "block", "step", "point")
OPS = ("", "sigmoid", "tanh", "mul", "add", "one_minus", "id")
PORTS = ("x", "h", "peephole", "reset")
EDGE_STYLES = ("data", "gradient", "loss", "faint")
MARK_KINDS = ("eq", "bug", "note", "title")


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    xy: Point
    label: str = ""  # the text drawn, matplotlib mathtext allowed
    op: str = ""
    block: str = ""  # for layers: the gate block of the weights (Keras letters: i, f, c, o, ...)
    size: Point | None = None  # width, height; each kind has a default


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    via: tuple[Point, ...] = ()  # corners of the path between the two nodes
    port: str = ""
    label: str = ""
    label_xy: Point | None = None
    label_ha: str = "left"
    style: str = "data"
    name: str = ""  # an equation label such as "B6", for highlight=


@dataclass(frozen=True)
class Mark:
    """Text placed on the drawing: an equation badge, a numbered bug marker, a note."""

    text: str
    xy: Point
    kind: str = "note"
    ha: str = "center"
    va: str = "center"


@dataclass(frozen=True)
class Group:
    """What highlight=name lights up: these nodes, the edges between them, and these edges
    (given as (src, dst) pairs or by name)."""

    nodes: frozenset = frozenset()
    edges: frozenset = frozenset()


@dataclass(frozen=True)
class Layer:
    """What annotate=name adds: nodes, edges (e.g. the backward arrows), marks and a legend of
    (key, text) rows. fade: draw the description's own edges faintly underneath."""

    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    marks: tuple[Mark, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()
    legend_key: str = "eq"  # how the legend's keys are drawn: as "eq" badges or "bug" markers
    fade: bool = False
    lines: tuple[tuple[Point, ...], ...] = ()  # thin brackets, in the colour of the legend keys


@dataclass(frozen=True)
class Diagram:
    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    blocks: tuple[str, ...] = ()  # a cell's weight blocks in Keras order, e.g. ("i", "f", "c", "o")
    groups: dict = field(default_factory=dict)  # highlight name -> Group
    layers: dict = field(default_factory=dict)  # annotate name -> Layer
    marks: tuple[Mark, ...] = ()  # always drawn
    frame: tuple[float, float, float, float] | None = None  # the cell's outline x0, y0, x1, y1
    title: str = ""

    def __post_init__(self):
        names = [n.name for n in self.nodes]
        for layer in self.layers.values():
            names += [n.name for n in layer.nodes]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: node names must be unique, got {sorted(names)}")
        known = set(names)
        for node in self.all_nodes():
            if node.kind not in KINDS or node.op not in OPS:
                raise ValueError(f"{self.name}: node {node.name!r} has kind {node.kind!r} and op "
                                 f"{node.op!r}; kinds are {KINDS}, ops {OPS}")
        for edge in self.all_edges():
            for end in (edge.src, edge.dst):
                if end not in known:
                    raise ValueError(f"{self.name}: edge {edge.src} -> {edge.dst} names an unknown "
                                     f"node {end!r}; nodes are {sorted(known)}")
            if edge.port not in ("", *PORTS) or edge.style not in EDGE_STYLES:
                raise ValueError(f"{self.name}: edge {edge.src} -> {edge.dst} has port "
                                 f"{edge.port!r} and style {edge.style!r}; ports are {PORTS}, "
                                 f"styles {EDGE_STYLES}")

    def all_nodes(self):
        return self.nodes + tuple(n for layer in self.layers.values() for n in layer.nodes)

    def all_edges(self):
        return self.edges + tuple(e for layer in self.layers.values() for e in layer.edges)

    def node(self, name):
        for node in self.all_nodes():
            if node.name == name:
                return node
        raise KeyError(f"{self.name}: no node {name!r}")

    def inputs(self, name):
        """The edges into a node of the description itself (not of its layers)."""
        return [e for e in self.edges if e.dst == name]

    def gates(self):
        """{block: layer node name}, in the order of self.blocks."""
        layers = {n.block: n.name for n in self.nodes if n.kind == "layer"}
        return {b: layers[b] for b in self.blocks if b in layers}


def reaches(diagram, src, dst):
    """True if a path of the description's own edges leads from node src to node dst."""
    seen, todo = set(), [src]
    while todo:
        name = todo.pop()
        for edge in diagram.edges:
            if edge.src == name and edge.dst not in seen:
                if edge.dst == dst:
                    return True
                seen.add(edge.dst)
                todo.append(edge.dst)
    return False


def evaluate(diagram, inputs, kernel, recurrent_kernel, bias, peephole=None):
    """Run a cell description in NumPy: {node name: value} for every node.

    inputs: {name: array} for every input node, e.g. {"x": (B, D), "h_prev": (B, H),
    "c_prev": (B, H)}. kernel (D, G*H), recurrent_kernel (H, G*H) and bias (G*H,) or, GRU-style,
    (2, G*H) (row 0 joins x W, row 1 joins h U), in Keras layout with the G blocks of
    diagram.blocks. peephole: {block: (H,)} for the layers that have a peephole port.
    """
    G = len(diagram.blocks)
    if kernel.shape[1] != recurrent_kernel.shape[1] or kernel.shape[1] % max(G, 1):
        raise ValueError(f"evaluate({diagram.name}): kernel and recurrent_kernel must be (D, {G}H) "
                         f"and (H, {G}H), got {kernel.shape} and {recurrent_kernel.shape}")
    H = kernel.shape[1] // max(G, 1)
    b_in, b_rec = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    values = {}
    todo = list(diagram.nodes)
    while todo:
        ready = [n for n in todo if all(e.src in values for e in diagram.inputs(n.name))]
        if not ready:
            raise ValueError(f"evaluate({diagram.name}): a cycle, or an edge from a node outside "
                             f"the cell, around {[n.name for n in todo]}")
        for node in ready:
            todo.remove(node)
            edges = diagram.inputs(node.name)
            args = [values[e.src] for e in edges]
            if not edges:
                if node.name not in inputs:
                    wanted = sorted(n.name for n in diagram.nodes if not diagram.inputs(n.name))
                    raise ValueError(f"evaluate({diagram.name}): inputs must give every input "
                                     f"node, {wanted}, got {sorted(inputs)}")
                values[node.name] = inputs[node.name]
            elif node.kind == "layer":
                ports = {e.port: values[e.src] for e in edges}
                if not {"x", "h"} <= set(ports) or len(ports) != len(edges):
                    raise ValueError(f"evaluate({diagram.name}): layer {node.name!r} must read "
                                     f"ports x and h once each, got {[e.port for e in edges]}")
                k = diagram.blocks.index(node.block)
                cols = slice(k * H, (k + 1) * H)
                recurrent = ports["h"] @ recurrent_kernel[:, cols] + b_rec[cols]
                if "reset" in ports:
                    recurrent = ports["reset"] * recurrent
                z = ports["x"] @ kernel[:, cols] + b_in[cols] + recurrent
                if "peephole" in ports:
                    z = z + peephole[node.block] * ports["peephole"]
                values[node.name] = sigmoid(z) if node.op == "sigmoid" else np.tanh(z)
            elif node.op == "mul":
                values[node.name] = np.prod(args, axis=0)
            elif node.op == "add":
                values[node.name] = np.sum(args, axis=0)
            elif node.op == "one_minus":
                values[node.name] = 1 - args[0]
            elif node.op == "tanh":
                values[node.name] = np.tanh(args[0])
            elif node.op == "id":
                values[node.name] = args[0]
            else:
                raise ValueError(f"evaluate({diagram.name}): node {node.name!r} has inputs but "
                                 f"no op")
    return values
