"""The one renderer: draws any Diagram with matplotlib, with highlight= and annotate=.

    draw(diagram, highlight=None, annotate=None, *, title=None, ax=None, scale=0.62,
         compact=False) -> Figure

highlight: a name of diagram.groups (a gate, a path, an equation label) or of an arrow of one of
its layers (e.g. "B6"); the rest of the drawing fades, as in Olah's step-by-step figures.
annotate: a name of diagram.layers ("forward", "backward", "bugs") or {node name: text}.
The figure has an opaque white background, so it reads the same in JupyterLab's light and dark
themes, and no text smaller than 10 points, the size of the book's axis labels.
"""

import math

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from .graph import Diagram, Group, Layer, Mark

INK = "#262626"
FAINT = "#b0b0b0"
LIT = "#e8590c"  # highlighted parts
GRADIENT = "#1864ab"  # backward arrows
LOSS = "#c2255c"  # gradients arriving from a loss
COLORS = {"data": INK, "gradient": GRADIENT, "loss": LOSS, "faint": FAINT}
FILL = {"layer": ("#ffe8a3", "#b08900"), "op": ("#fcc2d7", "#a61e4d"),
        "block": ("#d3f9d8", "#2b8a3e"), "step": ("#ffe8a3", "#b08900")}
FRAME_FILL, FRAME_EDGE = "#f1f3f5", "#adb5bd"
EQ_FILL, BUG_FILL = "#5f3dc4", "#c92a2a"
DIM = 0.22  # alpha of what a highlight leaves out
SIZES = {"layer": (1.0, 0.8), "op": (0.56, 0.56), "block": (1.6, 1.0), "step": (1.6, 1.0),
         "point": (0.0, 0.0)}
MAX_WIDTH = 9.0  # inches: the width of a notebook cell at the book's 100 dpi
FONT = {"symbol": 17, "node": 14, "io": 14, "label": 12, "note": 11, "eq": 10.5, "bug": 11,
        "title": 13}
# For small panels (compact=True): nothing below 10 points still.
FONT_COMPACT = {"symbol": 11, "node": 11, "io": 11, "label": 10, "note": 10, "eq": 10, "bug": 10,
                "title": 11}
LEGEND_ROW = 0.5


def node_size(node, compact=False):
    """Width and height in units. compact: the pointwise ops a little larger, to hold their
    text when the drawing is scaled down."""
    if node.size is not None:
        return node.size
    if node.kind == "io":
        visible = sum(ch.isalnum() for ch in node.label.replace("tilde", "").replace("frac", ""))
        return (0.25 + 0.2 * visible, 0.5)
    grow = 1.25 if compact else 1.0
    if node.kind == "op" and node.op == "tanh":
        return (0.9 * grow, 0.46 * grow)
    w, h = SIZES[node.kind]
    return (w * grow, h * grow) if node.kind == "op" else (w, h)


def _is_circle(node):
    return node.kind == "op" and node.op != "tanh"


def boundary(node, toward, compact=False):
    """Where a line from `toward` meets the node's outline: straight in when it can be."""
    x, y = node.xy
    px, py = toward
    if node.kind == "point":
        return node.xy
    dx, dy = px - x, py - y
    w, h = node_size(node, compact)
    if _is_circle(node):
        r = w / 2
        if abs(dx) < r * 0.95 and abs(dy) > r:
            return (px, y + math.copysign(math.sqrt(r * r - dx * dx), dy))
        if abs(dy) < r * 0.95 and abs(dx) > r:
            return (x + math.copysign(math.sqrt(r * r - dy * dy), dx), py)
        d = math.hypot(dx, dy) or 1.0
        return (x + r * dx / d, y + r * dy / d)
    if abs(dx) <= w / 2 and abs(dy) > h / 2:
        return (px, y + math.copysign(h / 2, dy))
    if abs(dy) <= h / 2 and abs(dx) > w / 2:
        return (x + math.copysign(w / 2, dx), py)
    t = min(w / 2 / abs(dx) if dx else math.inf, h / 2 / abs(dy) if dy else math.inf)
    return (x + t * dx, y + t * dy)


def edge_path(diagram, edge, compact=False):
    """The polyline of an edge: out of its source, through its corners, into its target."""
    src, dst = diagram.node(edge.src), diagram.node(edge.dst)
    first = edge.via[0] if edge.via else dst.xy
    start = boundary(src, first, compact)
    end = boundary(dst, edge.via[-1] if edge.via else start, compact)
    return [start, *edge.via, end]


def _on_segment(p, a, b, eps=1e-6):
    """p strictly inside the axis-parallel segment a-b."""
    (x, y), (x0, y0), (x1, y1) = p, a, b
    if abs(x0 - x1) < eps and abs(x - x0) < eps:
        return min(y0, y1) + eps < y < max(y0, y1) - eps
    if abs(y0 - y1) < eps and abs(y - y0) < eps:
        return min(x0, x1) + eps < x < max(x0, x1) - eps
    return False


def _passes(point, path):
    """point is a corner of path or lies on one of its segments."""
    return any(math.dist(point, corner) < 1e-6 for corner in path) or any(
        _on_segment(point, a, b) for a, b in zip(path[:-1], path[1:], strict=True))


def junctions(paths):
    """Corners of one path that lie inside a segment of another: where lines branch or merge."""
    dots = set()
    for k, path in enumerate(paths):
        for corner in path[1:-1]:
            for j, other in enumerate(paths):
                segments = zip(other[:-1], other[1:], strict=True)
                if j != k and any(_on_segment(corner, a, b) for a, b in segments):
                    dots.add((round(corner[0], 6), round(corner[1], 6)))
    return dots


def _resolve(diagram, highlight, annotate):
    layer = None
    if isinstance(annotate, dict):
        marks = []
        for name, text in annotate.items():
            x, y = diagram.node(name).xy
            w, h = node_size(diagram.node(name))
            marks.append(Mark(str(text), (x + w / 2 + 0.1, y + h / 2 + 0.1), "note", ha="left"))
        layer = Layer(marks=tuple(marks))
    elif annotate is not None:
        if annotate not in diagram.layers:
            raise ValueError(f"{diagram.name}: annotate must be one of {sorted(diagram.layers)} "
                             f"or a dict {{node name: text}}, got {annotate!r}")
        layer = diagram.layers[annotate]
    group = None
    if highlight is not None:
        arrows = {e.name: name for name, lay in diagram.layers.items() for e in lay.edges if e.name}
        if highlight in diagram.groups:
            group = diagram.groups[highlight]
        elif highlight in arrows:
            if layer is None:
                layer = diagram.layers[arrows[highlight]]
            ends = {n for e in layer.edges if e.name == highlight for n in (e.src, e.dst)}
            group = Group(frozenset(ends), frozenset({highlight}))
        else:
            raise ValueError(f"{diagram.name}: highlight must be one of "
                             f"{sorted(diagram.groups) + sorted(arrows, key=_natural)}, "
                             f"got {highlight!r}")
    return group, layer


def _natural(name):
    return (name.rstrip("0123456789"), int("0" + name[len(name.rstrip("0123456789")):]))


def _lit_edge(group, edge):
    return group is not None and ((edge.src, edge.dst) in group.edges or edge.name in group.edges
                                  or (edge.src in group.nodes and edge.dst in group.nodes))


def _extent(diagram, marks, paths):
    xs, ys = [], []
    for node in diagram.nodes:
        w, h = node_size(node)
        xs += [node.xy[0] - w / 2, node.xy[0] + w / 2]
        ys += [node.xy[1] - h / 2, node.xy[1] + h / 2]
    for path in paths:
        xs += [p[0] for p in path]
        ys += [p[1] for p in path]
    for mark in marks:
        xs.append(mark.xy[0])
        ys.append(mark.xy[1])
    if diagram.frame:
        xs += [diagram.frame[0], diagram.frame[2]]
        ys += [diagram.frame[1], diagram.frame[3]]
    return min(xs) - 0.35, max(xs) + 0.35, min(ys) - 0.3, max(ys) + 0.3


def draw(diagram: Diagram, highlight=None, annotate=None, *, title=None, ax=None, scale=0.62,
         compact=False):
    """Draw a diagram; returns the Figure. See the module docstring for highlight and annotate.

    ax: axes to draw into (e.g. one panel of several); scale: inches per unit when this makes
    the figure; compact=True: smaller text and no edge labels, for small panels.
    """
    font = FONT_COMPACT if compact else FONT
    group, layer = _resolve(diagram, highlight, annotate)
    shown = Diagram(diagram.name, diagram.nodes + (layer.nodes if layer else ()),
                    diagram.edges + (layer.edges if layer else ()), diagram.blocks,
                    frame=diagram.frame)
    marks = diagram.marks + (layer.marks if layer else ())
    base = [(e, edge_path(shown, e, compact)) for e in diagram.edges]
    extra = [(e, edge_path(shown, e, compact)) for e in (layer.edges if layer else ())]
    x0, x1, y0, y1 = _extent(shown, marks, [p for _, p in base + extra])
    legend = layer.legend if layer else ()
    columns = 2 if len(legend) > 3 else 1
    rows = math.ceil(len(legend) / columns)
    y_legend = y0 - 0.15
    y0 -= rows * LEGEND_ROW + (0.2 if rows else 0)
    heading = diagram.title if title is None else title
    if heading:
        y1 += 0.6
    if ax is None:
        scale = min(scale, MAX_WIDTH / (x1 - x0))
        fig = plt.figure(figsize=((x1 - x0) * scale, (y1 - y0) * scale), facecolor="white")
        ax = fig.add_axes((0, 0, 1, 1))
    fig = ax.figure
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()

    if diagram.frame:
        fx0, fy0, fx1, fy1 = diagram.frame
        ax.add_patch(FancyBboxPatch((fx0, fy0), fx1 - fx0, fy1 - fy0,
                                    boxstyle="round,pad=0,rounding_size=0.35", fc=FRAME_FILL,
                                    ec=FRAME_EDGE, lw=1.2, zorder=0))
    fade = layer is not None and layer.fade
    _draw_edges(ax, base, group, font, compact, faint=fade)
    _draw_edges(ax, extra, group, font, compact, faint=False)
    for node in shown.nodes:
        _draw_node(ax, node, group, font, compact)
        names = [e.label for e in diagram.edges if e.src == node.name and e.label]
        if compact and node.kind == "layer" and names:  # the gate's name, beside its box
            w, h = node_size(node, compact)
            dim = group is not None and node.name not in group.nodes
            ax.text(node.xy[0] + w / 2 + 0.06, node.xy[1] - h / 2 - 0.08, names[0], ha="left",
                    va="top", fontsize=font["label"], color=INK, alpha=DIM if dim else 1.0)
    for line in layer.lines if layer else ():
        ax.plot(*zip(*line, strict=True), color=BUG_FILL if layer.legend_key == "bug" else EQ_FILL,
                lw=1.4, zorder=7, solid_capstyle="butt")
    for mark in marks:
        _draw_mark(ax, mark, font)
    for k, (key, text) in enumerate(legend):
        col, row = divmod(k, rows)
        x = x0 + 0.45 + col * (x1 - x0) / columns
        y = y_legend - (row + 0.5) * LEGEND_ROW
        _draw_mark(ax, Mark(key, (x, y), layer.legend_key), font)
        ax.text(x + 0.45, y, text, ha="left", va="center", fontsize=font["note"], color=INK)
    if heading:
        ax.text((x0 + x1) / 2, y1 - 0.3, heading, ha="center", va="center",
                fontsize=font["title"], color=INK)
    return fig


def _draw_edges(ax, edges, group, font, compact, faint):
    """Edges as arrows along their paths, their labels, and a dot where lines branch or merge.
    faint: all in light grey, without labels (what an annotation layer draws over)."""
    for edge, path in edges:
        lit = _lit_edge(group, edge)
        color = FAINT if faint else (LIT if lit else COLORS[edge.style])
        if group is not None and not lit:  # opaque, so that overlapping lines stay faint
            color = _pale(color)
        width = 2.6 if lit else (2.0 if edge.style in ("gradient", "loss") else 1.6)
        width *= 0.7 if compact else 1.0
        ax.add_patch(FancyArrowPatch(
            path=Path(path), arrowstyle="-|>,head_length=0.55,head_width=0.28",
            mutation_scale=9 if compact else 13, color=color, lw=width, capstyle="butt",
            joinstyle="miter", zorder=(3 if edge.style != "data" else 1) + lit))
        if edge.label and not compact and not faint:
            ax.text(*(edge.label_xy or _middle(path)), edge.label, ha=edge.label_ha,
                    va="center", fontsize=font["label"], color=color, zorder=4)
    for style in {e.style for e, _ in edges}:
        same = [(e, p) for e, p in edges if e.style == style]
        for x, y in junctions([p for _, p in same]):
            lit = any(_lit_edge(group, e) and _passes((x, y), p) for e, p in same)
            color = FAINT if faint else (LIT if lit else COLORS[style])
            if group is not None and not lit:
                color = _pale(color)
            ax.add_patch(Circle((x, y), 0.07, color=color, zorder=2 + lit))


def _pale(color):
    """The colour as it looks at opacity DIM on white, but opaque."""
    r, g, b = to_rgb(color)
    return (1 - DIM * (1 - r), 1 - DIM * (1 - g), 1 - DIM * (1 - b))


def _middle(path):
    (ax_, ay), (bx, by) = path[len(path) // 2 - 1], path[len(path) // 2]
    return ((ax_ + bx) / 2 + 0.12, (ay + by) / 2 + 0.12)


def _draw_node(ax, node, group, font, compact):
    lit = group is not None and node.name in group.nodes
    alpha = DIM if group is not None and not lit else 1.0
    x, y = node.xy
    w, h = node_size(node, compact)
    if node.kind in FILL:
        fill, edge = FILL[node.kind]
        edge, lw = (LIT, 2.6) if lit else (edge, 1.4)
        if _is_circle(node):
            patch = Circle((x, y), w / 2, fc=fill, ec=edge, lw=lw, alpha=alpha, zorder=5)
        else:
            rounding = h / 2 if node.kind == "op" else 0.12
            patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, fc=fill, ec=edge, lw=lw,
                                   alpha=alpha, zorder=5,
                                   boxstyle=f"round,pad=0,rounding_size={rounding}")
        ax.add_patch(patch)
    if node.kind == "point" or not node.label:
        return
    size = font["io"] if node.kind == "io" else font["node"]
    if node.kind in ("block", "step") or node.op == "tanh" and node.kind == "op" \
            or node.label == "tanh":
        size = font["label"]
    elif node.kind == "op":
        size = font["symbol"] if node.op != "one_minus" else font["label"]
    ax.text(x, y, node.label, ha="center", va="center", fontsize=size,
            color=LIT if lit and node.kind == "io" else INK, alpha=alpha, zorder=6)


def _draw_mark(ax, mark, font):
    if mark.kind == "eq":
        box = dict(boxstyle="round,pad=0.22", fc=EQ_FILL, ec="none")
        ax.text(*mark.xy, mark.text, ha=mark.ha, va=mark.va, fontsize=font["eq"], color="white",
                weight="bold", bbox=box, zorder=8)
    elif mark.kind == "bug":
        box = dict(boxstyle="circle,pad=0.2", fc=BUG_FILL, ec="white", lw=1.2)
        ax.text(*mark.xy, mark.text, ha="center", va="center", fontsize=font["bug"],
                color="white", weight="bold", bbox=box, zorder=8)
    else:
        ax.text(*mark.xy, mark.text, ha=mark.ha, va=mark.va,
                fontsize=font["title" if mark.kind == "title" else "note"], color=INK, zorder=8)
