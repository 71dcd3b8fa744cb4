"""No module of the hsession package imports a module that, directly or
through others, imports it back: neither at the top of the file nor inside
a function (an import moved into a function only hides the cycle).

The graph is read from the sources with ast, not by importing them:
`from . import x`, `from .x import y`, `from .. import`, `import hsession.x`
and `from hsession.x import y`, wherever they stand."""

import ast
import pathlib

PKG = "hsession"
ROOT = pathlib.Path(__file__).resolve().parent.parent / PKG


def _modules():
    """{module name: path}, "" for the package's __init__.py."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _target(modules, name):
    """The module of the package that `name` (relative to the package) is,
    or, when it names something inside a module, that module; None outside."""
    while True:
        if name in modules:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]


def import_graph():
    """{module: set of the package's modules it imports}. Importing a
    package's __init__ through `from . import x` counts as importing x."""
    modules = _modules()
    graph = {}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        here = mod.split(".") if mod else []
        package = here if is_pkg else here[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            bases = []
            if isinstance(node, ast.Import):
                bases = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[:len(package) - (node.level - 1)] if node.level > 1 else list(package)
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                    if prefix != PKG and not prefix.startswith(PKG + "."):
                        continue
                    prefix = prefix[len(PKG) + 1:]
                # `from . import x` / `from .x import y`: x, or the submodule x.y when there is one.
                for a in node.names:
                    full = f"{prefix}.{a.name}" if prefix else a.name
                    bases.append(full if full in modules else prefix)
                bases = [PKG + "." + b if b else PKG for b in bases]
            for b in bases:
                if b != PKG and not b.startswith(PKG + "."):
                    continue
                t = _target(modules, b[len(PKG) + 1:])
                if t is not None and t != mod:
                    deps.add(t)
        graph[mod] = deps
    return graph


def find_cycles(graph):
    """The cycles a depth-first search meets, each as its modules from where
    it was entered (empty: none; at least one when there is any)."""
    found, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def test_the_cycle_finder_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_reads_function_level_imports():
    # The graph of this package has the edges a reader sees, at any depth.
    graph = import_graph()
    assert "_lib" in graph["cookies"]  # top level: from . import _lib
    assert "models" in graph["sessions"]  # top level: from .models import ...
    assert "auth" in graph["adapters"]  # in a function: from .auth import _basic_auth_str


def test_no_import_cycles():
    cycles = [" -> ".join(PKG + "." + m if m else PKG for m in c) for c in find_cycles(import_graph())]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)
