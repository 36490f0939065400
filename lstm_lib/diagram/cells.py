"""The cells as data: the LSTM and its variants, the GRU and the vanilla RNN, one step each.

Every cell is drawn on one grid, as in Olah's "Understanding LSTM Networks": the state runs along
the top (the LSTM's cell state, the GRU's hidden state), the inputs h_{t-1} and x_t run along a
bus at the bottom, and the weighted layers stand between them. The variants of chapter 10 are
the LSTM's description with one edit each, so side by side they differ exactly where the
equations differ.

    lstm(forget="gate", peephole=False)   the LSTM; forget="none": no forget gate (NFG),
                                          forget="coupled": f = 1 - i (CIFG); peephole=True: the
                                          gates also read the cell state (Gers & Schmidhuber 2000)
    gru()                                 the GRU with reset_after=True, as Keras computes it
    rnn()                                 the vanilla RNN, Keras's SimpleRNN
    CELLS                                 {variant name: description}, in chapter 10's order
"""

from .graph import Diagram, Edge, Group, Layer, Mark, Node

# The grid: heights of the state line, the middle row of pointwise ops, the layers and the bus;
# columns of the forget gate, input gate, candidate, output gate, tanh(c) and the output h_t.
TOP, MID, GATE, BUS = 5.2, 3.95, 2.6, 0.8
LEFT, RIGHT, OUT_Y, X_Y = -0.9, 10.9, 6.9, -0.9
F, I, G, O, TANH, HUP, XIN = 1.8, 3.3, 4.8, 6.6, 8.2, 9.2, 0.6
FRAME = (-0.15, 0.1, 10.0, 6.15)
D = 0.22  # how far a backward arrow runs beside the forward edge it reverses

SIGMOID, TANH_LABEL = r"$\sigma$", "tanh"


def _io(name, xy, label, op=""):
    return Node(name, "io", xy, label, op=op)


def _layer(name, x, act, block):
    return Node(name, "layer", (x, GATE), SIGMOID if act == "sigmoid" else TANH_LABEL, act, block)


def _op(name, xy, op):
    label = {"mul": r"$\odot$", "add": "+", "one_minus": r"$1{-}$", "tanh": "tanh"}[op]
    return Node(name, "op", xy, label, op)


def _bus(gate, x):
    """The two edges that feed a layer: x_t from below, h_{t-1} from the left, along the bus."""
    return (Edge("x", gate, ((XIN, BUS), (x, BUS)), port="x"),
            Edge("h_prev", gate, ((x, BUS),), port="h"))


def _inputs_and_outputs():
    return (_io("h_prev", (LEFT, BUS), r"$h_{t-1}$"), _io("x", (XIN, X_Y), r"$x_t$"),
            _io("h", (RIGHT, BUS), r"$h_t$", "id"), _io("h_out", (HUP, OUT_Y), r"$h_t$", "id"))


def lstm(forget="gate", peephole=False):
    """The LSTM step as data (forget: "gate", "none" or "coupled"; see the module docstring)."""
    if forget not in ("gate", "none", "coupled"):
        raise ValueError(f"lstm: forget must be 'gate', 'none' or 'coupled', got {forget!r}")
    blocks = ("i", "f", "c", "o") if forget == "gate" else ("i", "c", "o")
    nodes = [
        _io("c_prev", (LEFT, TOP), r"$c_{t-1}$"), *_inputs_and_outputs(),
        _io("c", (RIGHT, TOP), r"$c_t$", "id"),
        _layer("i", I, "sigmoid", "i"), _layer("g", G, "tanh", "c"), _layer("o", O, "sigmoid", "o"),
        _op("mul_i", (G, MID), "mul"), _op("add", (G, TOP), "add"),
        _op("tanh_c", (TANH, MID), "tanh"), _op("mul_h", (TANH, GATE), "mul"),
    ]
    edges = [
        *_bus("i", I), *_bus("g", G), *_bus("o", O),
        Edge("i", "mul_i", ((I, MID),), label=r"$i_t$", label_xy=(I - 0.12, 3.45),
             label_ha="right"),
        Edge("g", "mul_i", label=r"$g_t$", label_xy=(G + 0.14, 3.3)),
        Edge("mul_i", "add"),
        Edge("add", "c"),
        Edge("add", "tanh_c", ((TANH, TOP),)),
        Edge("tanh_c", "mul_h"),
        Edge("o", "mul_h", label=r"$o_t$", label_xy=(7.4, 2.72), label_ha="center"),
        Edge("mul_h", "h", ((TANH, BUS),)),
        Edge("mul_h", "h_out", ((HUP, GATE),)),
    ]
    groups = {
        "input": Group(frozenset({"x", "h_prev", "i", "g", "mul_i", "add"})),
        "candidate": Group(frozenset({"x", "h_prev", "g", "mul_i"})),
        "output": Group(frozenset({"x", "h_prev", "o", "add", "tanh_c", "mul_h", "h", "h_out"})),
        "F1": Group(frozenset({"x", "h_prev"}),
                    frozenset((s, g) for s in ("x", "h_prev") for g in ("i", "f", "g", "o"))),
        "F3": Group(frozenset({"c_prev", "f", "mul_f", "i", "g", "mul_i", "add", "c",
                               "one_minus"})),
        "F4": Group(frozenset({"add", "tanh_c", "o", "mul_h", "h", "h_out"})),
    }
    if forget == "none":  # c_t = c_{t-1} + i * g: the carousel of 1997
        edges.append(Edge("c_prev", "add"))
        groups["carousel"] = Group(frozenset({"c_prev", "add", "c"}))
        groups["edit"] = Group(frozenset({"c_prev", "add"}))
    else:
        nodes.append(_op("mul_f", (F, TOP), "mul"))
        edges += [Edge("c_prev", "mul_f"), Edge("mul_f", "add")]
        groups["carousel"] = Group(frozenset({"c_prev", "mul_f", "add", "c"}))
    if forget == "gate":
        nodes.append(_layer("f", F, "sigmoid", "f"))
        edges += [*_bus("f", F),
                  Edge("f", "mul_f", label=r"$f_t$", label_xy=(F + 0.14, 3.9))]
        groups["forget"] = Group(frozenset({"x", "h_prev", "f", "mul_f", "c_prev"}))
    if forget == "coupled":  # f = 1 - i takes the forget gate's place
        nodes.append(_op("one_minus", (F, GATE), "one_minus"))
        edges += [Edge("i", "one_minus"),
                  Edge("one_minus", "mul_f", label=r"$1-i_t$", label_xy=(F + 0.14, 3.9))]
        groups["edit"] = Group(frozenset({"i", "one_minus", "mul_f"}))
    if peephole:  # i and f read c_{t-1}, before the forget gate acts; o reads the new c_t
        peep_x, peep_y, o_x = 1.0, 3.55, O - 0.3
        edges += [
            Edge("c_prev", "i", ((peep_x, TOP), (peep_x, peep_y), (I - 0.3, peep_y)),
                 port="peephole"),
            Edge("add", "o", ((o_x, TOP),), port="peephole"),
        ]
        if forget == "gate":
            edges.append(Edge("c_prev", "f", ((peep_x, TOP), (peep_x, GATE)), port="peephole"))
        groups["edit"] = Group(frozenset(), frozenset(
            (e.src, e.dst) for e in edges if e.port == "peephole"))
    groups["F2"] = Group(frozenset(n.name for n in nodes if n.kind == "layer"))
    name, title = {
        ("gate", False): ("LSTM", r"$c_t = f \odot c_{t-1} + i \odot g$"),
        ("none", False): ("no forget gate", r"$c_t = c_{t-1} + i \odot g$"),
        ("coupled", False): ("coupled (CIFG)", r"$f = 1 - i$"),
        ("gate", True): ("peephole", r"$i, f$ read $c_{t-1}$, $o$ reads $c_t$"),
    }.get((forget, peephole), (f"LSTM, forget={forget!r}, peephole={peephole}", ""))
    layers = {}
    if (forget, peephole) == ("gate", False):
        layers = {"forward": FORWARD, "backward": BACKWARD, "bugs": BUGS}
    return Diagram(name, tuple(nodes), tuple(edges), blocks, groups, layers, frame=FRAME,
                   title=f"{name}: {title}" if title else name)


def gru():
    """The GRU step (reset_after=True): h_t = z ⊙ h_{t-1} + (1 - z) ⊙ tanh(x W_h + r ⊙ (h U_h))."""
    Z, R, C = F, 3.6, 5.4
    nodes = (
        _io("h_prev", (LEFT, TOP), r"$h_{t-1}$"), _io("x", (XIN, X_Y), r"$x_t$"),
        _io("h", (RIGHT, TOP), r"$h_t$", "id"), _io("h_out", (HUP, OUT_Y), r"$h_t$", "id"),
        _layer("z", Z, "sigmoid", "z"), _layer("r", R, "sigmoid", "r"),
        _layer("g", C, "tanh", "h"),
        _op("mul_z", (Z, TOP), "mul"), _op("one_minus", (R, MID), "one_minus"),
        _op("mul_g", (C, MID), "mul"), _op("add", (C, TOP), "add"),
    )
    down = 0.2  # h_{t-1} comes down the left side to the bus
    edges = []
    for gate, x in (("z", Z), ("r", R), ("g", C)):
        edges += [Edge("x", gate, ((XIN, BUS), (x, BUS)), port="x"),
                  Edge("h_prev", gate, ((down, TOP), (down, BUS), (x, BUS)), port="h")]
    edges += [
        Edge("h_prev", "mul_z"), Edge("z", "mul_z", label=r"$z_t$", label_xy=(Z + 0.14, 3.55)),
        Edge("z", "one_minus", ((Z, MID),)), Edge("one_minus", "mul_g"),
        Edge("r", "g", port="reset", label=r"$r_t$", label_xy=(4.5, 2.72), label_ha="center"),
        Edge("g", "mul_g", label=r"$\tilde h_t$", label_xy=(C + 0.14, 3.3)),
        Edge("mul_z", "add"), Edge("mul_g", "add"),
        Edge("add", "h"), Edge("add", "h_out", ((HUP, TOP),)),
    ]
    groups = {
        "edit": Group(frozenset({"z", "mul_z", "one_minus", "mul_g", "r"}),
                      frozenset({("r", "g")})),
        "update": Group(frozenset({"x", "h_prev", "z", "mul_z", "one_minus", "mul_g"})),
        "reset": Group(frozenset({"x", "h_prev", "r", "g"})),
    }
    return Diagram("GRU", nodes, tuple(edges), ("z", "r", "h"), groups, frame=FRAME,
                   title=r"GRU: $h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h_t$")


def rnn():
    """The vanilla RNN step: h_t = tanh(x_t W + h_{t-1} U + b)."""
    nodes = (*_inputs_and_outputs(), _layer("a", G, "tanh", "h"))
    edges = (*_bus("a", G), Edge("a", "h", ((TANH, GATE), (TANH, BUS))),
             Edge("a", "h_out", ((HUP, GATE),)))
    return Diagram("vanilla RNN", nodes, edges, ("h",), frame=FRAME,
                   title=r"vanilla RNN: $h_t = \tanh(x_t W + h_{t-1} U + b)$")


def _badge(label, xy, ha="center"):
    return Mark(label, xy, "eq", ha=ha)


FORWARD = Layer(
    marks=(_badge("F1", (2.55, 0.45)), _badge("F2", (5.72, 2.6)), _badge("F3", (5.55, 5.62)),
           _badge("F4", (7.45, 3.55))),
    legend=(("F1", r"$z = x_t W + h_{t-1} U + b$"),
            ("F2", r"$i, f, o = \sigma(z_{i,f,o}),\ \ g = \tanh(z_g)$"),
            ("F3", r"$c_t = f \odot c_{t-1} + i \odot g$"),
            ("F4", r"$h_t = o \odot \tanh(c_t)$")),
)


def _back(src, dst, via, name="", label="", label_xy=None, ha="left"):
    return Edge(src, dst, via, label=label, label_xy=label_xy, label_ha=ha, style="gradient",
                name=name)


# Chapter 04's backward pass, each arrow running beside the forward edge it reverses and
# labelled with its equation and the gradient it carries. The pre-activations z sit on the bus.
_Z_POINTS = tuple(Node(f"z_{b}", "point", (x + D, BUS + 0.12), block=b)
                  for b, x in (("i", I), ("f", F), ("c", G), ("o", O)))
_W_X = (3.05, 4.45, 5.85)  # where dW, dU, db leave the bus
BACKWARD = Layer(
    fade=True,
    nodes=(*_Z_POINTS, Node("z_x", "point", (XIN + D, BUS - 0.12)),
           Node("z_h", "point", (1.3, BUS + 0.02)),
           *(Node(f"z_{w}", "point", (x, BUS - 0.12)) for w, x in zip("WUb", _W_X, strict=True)),
           *(_io(w, (x, X_Y), f"$d{w}$") for w, x in zip("WUb", _W_X, strict=True))),
    edges=(
        Edge("c", "add", ((RIGHT - 0.45, TOP + D), (G + 0.5, TOP + D)), label=r"$dc_t$",
             label_xy=(9.55, TOP + 0.48), style="gradient"),
        Edge("h", "mul_h", ((RIGHT - 0.45, BUS - D), (TANH + D, BUS - D)), label=r"$dh_t$",
             label_xy=(8.7, BUS - 0.5), style="gradient"),
        _back("mul_h", "o", ((7.6, GATE - D),), "B1", r"B1 $do$", (7.55, GATE - 0.55), "center"),
        _back("mul_h", "add",
              ((TANH + 0.5, GATE + 0.12), (TANH + 0.5, TOP + D), (G + 0.5, TOP + D)), "B2",
              r"B2 $dc$", (TANH + 0.62, 3.3)),
        _back("add", "mul_i", ((G - D, TOP - 0.4),)),
        _back("add", "mul_f", ((G - 0.5, TOP + D), (F + 0.5, TOP + D))),
        _back("mul_i", "i", ((G - 0.5, MID - D), (I + 0.25, MID - D), (I + 0.25, 3.2)), "B3",
              r"B3 $di$", (I + 0.38, 3.33)),
        _back("mul_f", "f", ((F + D, TOP - 0.4), (F + D, 3.2)), "B4", r"B4 $df$", (F + 0.35, 4.45)),
        _back("mul_i", "g", ((G + D, MID - 0.4),), "B5", r"B5 $dg$", (G + 0.35, 3.33)),
        _back("mul_f", "c_prev", ((F - 0.5, TOP + D), (LEFT + 0.45, TOP + D)), "B6",
              r"B6 $dc_{t-1}$", (-0.55, TOP + 0.5)),
        _back("i", "z_i", ((I + D, 2.0),), "B7", "B7", (I + 0.38, 1.45)),
        _back("f", "z_f", ((F + D, 2.0),), "B7", "B7", (F + 0.38, 1.45)),
        _back("g", "z_c", ((G + D, 2.0),), "B8", "B8", (G + 0.38, 1.45)),
        _back("o", "z_o", ((O + D, 2.0),), "B7", "B7", (O + 0.38, 1.45)),
        _back("z_x", "x", ((XIN + D, X_Y + 0.4),), "B10", r"B10 $dx$", (XIN + 0.38, -0.4)),
        _back("z_h", "h_prev", ((1.3, BUS + D), (LEFT + 0.6, BUS + D)), "B11", r"B11 $dh_{t-1}$",
              (-0.6, BUS + 0.55)),
        *(_back(f"z_{w}", w, ((x, X_Y + 0.4),), f"B{12 + k}", f"B{12 + k}", (x + 0.13, -0.4))
          for k, (w, x) in enumerate(zip("WUb", _W_X, strict=True))),
    ),
    marks=(Mark(r"B9  $dz = [dz_i\,|\,dz_f\,|\,dz_g\,|\,dz_o]$", (6.75, -0.4), "note",
                ha="left"),),
)

# Chapter 06's six classic mistakes of a first LSTM, each marked where it sits in the cell.
BUGS = Layer(
    marks=(Mark("1", (1.25, 1.25), "bug"), Mark("2", (5.72, 1.25), "bug"),
           Mark("3", (XIN + 0.4, -0.35), "bug"), Mark("4", (G + 0.72, 3.1), "bug"),
           Mark("5", (10.45, 3.0), "bug"), Mark("6", (-0.6, 3.0), "bug")),
    lines=(((10.3, 1.1), (10.45, 1.1), (10.45, 4.9), (10.3, 4.9)),
           ((-0.45, 1.1), (-0.6, 1.1), (-0.6, 4.9), (-0.45, 4.9))),
    legend=(("1", r"$x U + h W$: kernel and recurrent kernel swapped"),
            ("2", "bias with a batch axis, (B, 4H) not (4H,)"),
            ("3", r"x[:, t:t+1] keeps the time axis: (B, 1, D)"),
            ("4", "sigmoid on the candidate instead of tanh"),
            ("5", r"$h$ and $c$ swapped: the step returns $(c, h)$"),
            ("6", "the loop stops one step early: range(T - 1)")),
    legend_key="bug",
)

CELLS = {
    "LSTM": lstm(),
    "no forget gate": lstm(forget="none"),
    "peephole": lstm(peephole=True),
    "coupled (CIFG)": lstm(forget="coupled"),
    "GRU": gru(),
    "vanilla RNN": rnn(),
}
