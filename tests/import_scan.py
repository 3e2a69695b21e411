"""The imports of the `debate` package, read from its source with `ast` (nothing is imported).

Shared by the guard tests (tests/tab/test_boundary.py, tests/test_import_graph.py). Every
import statement counts wherever it stands (module level, inside a function, a class or an
`if`), and so do `__import__("x")` and `importlib.import_module("x")` with a literal name.
Relative imports are resolved against the importing module's package. `from .x import y`
names the submodule `x.y` when `y` is a module of the package, else the module `x`; the
packages a name passes through (`debate`, `debate.x` for `debate.x.y`) are not counted, as in
import-linter/grimp, so a graph edge is exactly what the statement asks for.
"""
from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "debate"


@dataclass(frozen=True)
class Import:
    module: str        # the importing module, dotted (a package is its __init__)
    target: str | None  # the absolute dotted name imported; None when it cannot be resolved
    line: int
    in_function: bool  # inside a def or lambda, i.e. run on call rather than on import
    source: str        # the statement as written, for messages
    anchor: str | None = None  # for a relative import: the package its dots point at

    def where(self) -> str:
        return f"{module_path(self.module)}:{self.line}"


def module_files(package: str = PACKAGE) -> dict[str, Path]:
    """Every module of `package` (dotted name -> file), packages by their __init__.py."""
    return dict(_module_files(package))


@lru_cache(maxsize=None)
def _module_files(package: str) -> tuple[tuple[str, Path], ...]:
    base = ROOT / package.replace(".", "/")
    mods = {}
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return tuple(mods.items())


def module_path(module: str) -> str:
    path = module_files(PACKAGE).get(module) if module.startswith(PACKAGE) else None
    return str(path.relative_to(ROOT)) if path else module


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """The absolute name of `from <level dots><name> import ...` written in `module`;
    None when the dots go above the top-level package."""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts) - 1:
        return None
    base = parts[:len(parts) - (level - 1)]
    return ".".join(base + ([name] if name else []))


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str], text: str):
        self.module, self.is_package, self.known, self.text = module, is_package, known, text
        self.depth = 0
        self.found: list[Import] = []

    def _add(self, node, target, anchor=None):
        src = ast.get_source_segment(self.text, node) or ""
        self.found.append(Import(self.module, target, node.lineno, self.depth > 0, " ".join(src.split()), anchor))

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node):
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node):
        anchor = None
        if node.level:
            anchor = resolve_relative(self.module, self.is_package, node.level, None)
            base = anchor and ".".join(filter(None, [anchor, node.module]))
        else:
            base = node.module
        for alias in node.names:
            sub = f"{base}.{alias.name}" if base else None
            self._add(node, sub if sub in self.known else base, anchor)

    def visit_Call(self, node):
        f = node.func
        dynamic = (isinstance(f, ast.Name) and f.id == "__import__") or (
            isinstance(f, ast.Attribute) and f.attr == "import_module"
            and isinstance(f.value, ast.Name) and f.value.id == "importlib")
        if dynamic:
            arg = node.args[0] if node.args else None
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            self._add(node, arg.value if literal else None)
        self.generic_visit(node)


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    text = path.read_text(encoding="utf-8")
    c = _Collector(module, path.name == "__init__.py", known, text)
    c.visit(ast.parse(text, filename=str(path)))
    return c.found


def package_imports(package: str = PACKAGE) -> dict[str, list[Import]]:
    """module -> its imports, for every module of `package`."""
    files = module_files(package)
    known = set(module_files(PACKAGE))
    return {m: imports_of(m, p, known) for m, p in files.items()}


def import_graph(package: str = PACKAGE) -> dict[str, dict[str, Import]]:
    """module -> {imported module of the package -> the first statement importing it}."""
    found = package_imports(package)
    return {module: {imp.target: imp for imp in reversed(imps) if imp.target in found and imp.target != module}
            for module, imps in found.items()}


def tangles(graph: dict[str, dict[str, object]]) -> list[set[str]]:
    """The strongly connected components of `graph` with more than one module (Tarjan)."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            comps.append(comp)

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return [c for c in comps if len(c) > 1]


def cycles(graph: dict[str, dict[str, object]]) -> list[list[str]]:
    """The shortest cycle (a path a -> ... -> a) through each tangle of `graph`, shortest first."""
    return sorted((_shortest_cycle(graph, c) for c in tangles(graph)), key=lambda c: (len(c), c))


def _shortest_cycle(graph, comp: set[str]) -> list[str]:
    best = None
    for start in sorted(comp):
        prev, queue, last = {start: None}, deque([start]), None
        while queue and last is None:
            v = queue.popleft()
            for w in sorted(graph.get(v, ())):
                if w == start:
                    last = v
                    break
                if w in comp and w not in prev:
                    prev[w] = v
                    queue.append(w)
        if last is not None:
            path = []
            while last is not None:
                path.append(last)
                last = prev[last]
            cycle = path[::-1] + [start]
            if best is None or len(cycle) < len(best):
                best = cycle
    return best
