"""Spot, without running it, a learner's cell that reaches for the library's answers.

    finding = library_use(source, protected={"check"})   # None, or a Finding

A learner's cell earns nothing for the exercise it belongs to when it mentions `lstm_lib` in
any way (an import, a name, a string handed to importlib or a magic). A cell that rebinds or
modifies a name that a locked cell imported from lstm_lib (`check = ...`, `check.x = ...`)
replaces the checker of every check after it: it earns nothing from there on (`tampers`).
Reading such a name, as in calling `check.rnn_forward(f)` to try a function, is fine. The
checkers' run-time guard (guard.py) catches what this cannot see.
"""

import ast
from dataclasses import dataclass

LIBRARY = "lstm_lib"


@dataclass
class Finding:
    message: str
    tampers: bool = False  # it changes a checker: every later check is void


def _python(source):
    """The cell as Python, with IPython's %magics and !shell lines turned into calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot parse fails when it runs
        return source


def _parse(source):
    try:
        return ast.parse(_python(source))
    except SyntaxError:
        return None


def library_names(source):
    """Names a (locked) cell binds to lstm_lib objects, as `from lstm_lib.grading import check`."""
    tree = _parse(source)
    names = set()
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(LIBRARY):
            names |= {a.asname or a.name for a in node.names}
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names
                      if a.name.startswith(LIBRARY)}
    return names


def library_use(source, protected=frozenset()):
    """None if the cell keeps away from lstm_lib, else a Finding saying what it does."""
    tree = _parse(source)
    if tree is None:
        return None
    for node in ast.walk(tree):
        found = _finding(node, protected)
        if found:
            tampers = found.startswith(("rebinds", "modifies", "declares"))
            return Finding(found, tampers)
    return None


def _finding(node, protected):
    """What this AST node does with lstm_lib, or None."""
    line = getattr(node, "lineno", "?")
    if isinstance(node, ast.Import) and any(a.name.startswith(LIBRARY) for a in node.names):
        return f"imports {LIBRARY} (line {line})"
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(LIBRARY):
        return f"imports from {node.module} (line {line})"
    if isinstance(node, ast.Name) and node.id == LIBRARY:
        return f"uses the name {LIBRARY} (line {line})"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and LIBRARY in node.value:
        return f"mentions {LIBRARY} in a string (line {line})"
    if isinstance(node, ast.Name) and node.id in protected \
            and isinstance(node.ctx, (ast.Store, ast.Del)):
        return f"rebinds `{node.id}`, which the setup cell imported (line {line})"
    if isinstance(node, (ast.Attribute, ast.Subscript)) \
            and isinstance(node.ctx, (ast.Store, ast.Del)) and _root(node) in protected:
        return f"modifies `{_root(node)}`, which the setup cell imported (line {line})"
    if isinstance(node, (ast.Global, ast.Nonlocal)) and protected & set(node.names):
        return f"declares `{', '.join(protected & set(node.names))}` global (line {line})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("setattr", "delattr") and node.args \
            and _root(node.args[0]) in protected:
        return f"modifies `{_root(node.args[0])}` with {node.func.id} (line {line})"
    return None


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
