"""Whole sequences as data: the RNN unrolled, BPTT's two paths, the LSTM's step-to-step chain.

    unrolled(T=3)          the RNN folded (one cell with a loop) and unrolled over T steps,
                           the shapes (B, D) and (B, H) on its arrows            (chapter 01)
    bptt_graph()           steps t-1, t, t+1 with their losses: the gradient from the loss at t
                           and the one from step t + 1 meet at h_t                  (chapter 02)
    chain(T=4)             what waits for the previous step and what can run beside it, in the
                           forward and the backward pass                           (chapter 08)
"""

from .graph import Diagram, Edge, Group, Mark, Node

CELL = (1.7, 1.0)  # width and height of a step's box


def _step(name, x, y, label, kind="block", size=CELL):
    return Node(name, kind, (x, y), label, size=size)


def unrolled(T=3):
    """The vanilla RNN folded and unrolled over T steps (1 <= T <= 5), shapes on the arrows."""
    if not 1 <= T <= 5:
        raise ValueError(f"rnn_unrolled: T must be between 1 and 5 to fit a notebook cell, got {T}")
    y, y_in, y_out, fx = 2.2, 0.2, 4.2, 1.2
    nodes = [_step("cell", fx, y, "RNN cell"), Node("x", "io", (fx, y_in), r"$x_t$"),
             Node("h", "io", (fx, y_out), r"$h_t$", "id"), Node("h_0", "io", (5.0, y), r"$h_0$")]
    edges = [
        Edge("x", "cell", label="(B, D)", label_xy=(fx + 0.15, 0.85)),
        Edge("cell", "h", label="(B, H)", label_xy=(fx + 0.15, 3.35)),
        Edge("cell", "cell", ((2.55, y + 0.25), (2.55, y - 0.25)), label=r"$h_{t-1}$",
             label_xy=(2.7, y + 0.2), label_ha="left"),
    ]
    step = 3.0
    xs = [7.0 + step * t for t in range(T)]
    for t, x in enumerate(xs, start=1):
        nodes += [_step(f"cell_{t}", x, y, "RNN cell"), Node(f"x_{t}", "io", (x, y_in), f"$x_{t}$"),
                  Node(f"h_{t}", "io", (x, y_out), f"$h_{t}$", "id")]
        edges += [Edge(f"x_{t}", f"cell_{t}", label="(B, D)", label_xy=(x + 0.15, 0.85)),
                  Edge(f"cell_{t}", f"h_{t}", label="(B, H)", label_xy=(x + 0.15, 3.35))]
        before = "h_0" if t == 1 else f"cell_{t - 1}"
        edges.append(Edge(before, f"cell_{t}", label="(B, H)",
                          label_xy=(x - 1.5 if t > 1 else x - 1.35, y + 0.3), label_ha="center"))
    nodes.append(Node("h_T", "io", (xs[-1] + 2.1, y), f"$h_{T}$", "id"))
    edges.append(Edge(f"cell_{T}", "h_T", label="(B, H)", label_xy=(xs[-1] + 1.35, y + 0.3),
                      label_ha="center"))
    middle = (xs[0] + xs[-1]) / 2
    marks = (
        Mark("(B, H)", (2.7, y - 0.22), ha="left"),
        Mark("=", (4.3, y), "title"),
        Mark("outputs: (B, T, H)", (middle, 4.85)),
        Mark("final state", (xs[-1] + 2.1, y - 0.5)),
        Mark("inputs x: (B, T, D), one step x[:, t] at a time", (middle, -0.45)),
        Mark("the same W, U and b in every step", (middle, -0.95)),
    )
    groups = {"loop": Group(frozenset({"cell"}), frozenset({("cell", "cell")})),
              "state": Group(frozenset({"h_0", "h_T"} | {f"cell_{t}" for t in range(1, T + 1)}))}
    return Diagram(f"RNN unrolled over T = {T}", tuple(nodes), tuple(edges), groups=groups,
                   marks=marks, title=f"The RNN, folded and unrolled over T = {T} steps")


def bptt_graph():
    """Three steps of the RNN and their losses, forward in grey, the gradients in colour."""
    y, y_in, y_loss = 2.2, 0.2, 4.6
    xs = {"t-1": 2.2, "t": 6.7, "t+1": 11.2}
    hx = {k: x + 2.25 for k, x in xs.items()}  # the state after each step
    nodes = [Node("h_in", "io", (-0.2, y), r"$h_{t-2}$")]
    edges = []
    previous = "h_in"
    for k, x in xs.items():
        nodes += [_step(f"a_{k}", x, y, f"step ${k}$"),
                  Node(f"x_{k}", "io", (x, y_in), f"$x_{{{k}}}$"),
                  Node(f"h_{k}", "io", (hx[k], y), f"$h_{{{k}}}$"),
                  Node(f"l_{k}", "io", (hx[k], y_loss), rf"$\ell_{{{k}}}$")]
        edges += [Edge(f"x_{k}", f"a_{k}"), Edge(previous, f"a_{k}"), Edge(f"a_{k}", f"h_{k}"),
                  Edge(f"h_{k}", f"l_{k}")]
        previous = f"h_{k}"
    nodes.append(Node("h_out", "io", (14.6, y), r"$\dots$"))
    edges.append(Edge("h_t+1", "h_out"))
    d = 0.25
    gradients = []
    for k in xs:
        gradients.append(Edge(f"l_{k}", f"h_{k}", ((hx[k] + d, y_loss - 0.4),), style="loss",
                              label=f"$g_{{{k}}}$" if k == "t" else "",
                              label_xy=(hx[k] + 0.4, 3.6), name=f"g_{k}"))
        gradients.append(Edge(f"h_{k}", f"a_{k}", ((hx[k] - 0.35, y - d),), style="gradient",
                              name=f"dh_{k}"))
    gradients += [
        Edge("a_t", "h_t-1", ((xs["t"] - 0.95, y - d),), style="gradient", name="from_t"),
        Edge("a_t+1", "h_t", ((xs["t+1"] - 0.95, y - d),), style="gradient", name="from_t+1",
             label=r"$\delta a_{t+1} U^\top$", label_xy=(xs["t+1"] - 1.1, y - 0.62),
             label_ha="right"),
        Edge("a_t-1", "h_in", ((xs["t-1"] - 0.95, y - d),), style="gradient", name="from_t-1"),
    ]
    marks = (
        Mark(r"$\delta h_t = g_t + \delta a_{t+1} U^\top$", (hx["t"], 0.9), "note"),
        Mark("black: the forward pass; red: each loss's own gradient $g$; blue: the gradient "
             "sent back through time", (6.6, -0.55)),
    )
    groups = {
        "loss": Group(frozenset(), frozenset(f"g_{k}" for k in xs)),
        "time": Group(frozenset(), frozenset({"from_t", "from_t+1", "from_t-1"}
                                             | {f"dh_{k}" for k in xs})),
        "h_t": Group(frozenset({"h_t"}), frozenset({"g_t", "from_t+1"})),
    }
    return Diagram("BPTT", tuple(nodes), tuple(edges) + tuple(gradients), groups=groups,
                   marks=marks, title="Backpropagation through time: two paths meet at $h_t$")


def chain(T=4):
    """The forward and backward passes of an LSTM over T steps (2 <= T <= 5), by dependence."""
    if not 2 <= T <= 5:
        raise ValueError(f"dependency_chain: T must be between 2 and 5, got {T}")
    y_proj, y_fwd, y_bwd, y_after = 4.6, 2.9, 1.1, -0.7
    size = (2.0, 0.9)
    xs = [5.9 + 2.6 * t for t in range(T)]
    nodes = [Node("h_0", "io", (xs[0] - 1.75, y_fwd), r"$h_0, c_0$"),
             Node("dh_T", "io", (xs[-1] + 1.75, y_bwd), r"$dh_T$")]
    edges = []
    for t, x in enumerate(xs, start=1):
        nodes += [
            _step(f"proj_{t}", x, y_proj, f"$x_{t} W + b$", size=size),
            _step(f"step_{t}", x, y_fwd, f"$+\\,h_{t - 1} U$, cell", "step", size),
            _step(f"back_{t}", x, y_bwd, f"$dz_{t}$, $dz_{t} U^\\top$", "step", size),
        ]
        edges.append(Edge(f"proj_{t}", f"step_{t}"))
        edges.append(Edge(f"back_{t}", "after", ((x, y_after + 0.45),)))
        edges.append(Edge("h_0" if t == 1 else f"step_{t - 1}", f"step_{t}"))
        edges.append(Edge("dh_T" if t == T else f"back_{t + 1}", f"back_{t}"))
    width = xs[-1] - xs[0] + size[0]
    nodes.append(_step("after", (xs[0] + xs[-1]) / 2, y_after,
                       r"$dX = dZ\,W^\top$,  $dW = X^\top dZ$,  $dU = H^\top dZ$,  $db$",
                       size=(width, 0.8)))
    label_x = 0.1
    marks = (
        Mark("all steps at once:\none GEMM before the loop", (label_x, y_proj), ha="left"),
        Mark("forward: each step waits\nfor the last one's $h, c$", (label_x, y_fwd), ha="left"),
        Mark("backward: each step waits\nfor the next one's $dh, dc$", (label_x, y_bwd),
             ha="left"),
        Mark("after the loop:\none GEMM each", (label_x, y_after), ha="left"),
    )
    parallel = {f"proj_{t}" for t in range(1, T + 1)} | {"after"}
    groups = {
        "parallel": Group(frozenset(parallel)),
        "sequential": Group(frozenset({"h_0", "dh_T"} | {f"{kind}_{t}" for kind in ("step", "back")
                                                         for t in range(1, T + 1)})),
    }
    return Diagram("dependency chain", tuple(nodes), tuple(edges), groups=groups, marks=marks,
                   title="What must wait for another step, and what can run beside it")
