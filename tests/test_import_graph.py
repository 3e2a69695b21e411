"""The import graph of `debate/`, read from the source with `ast` (see tests/import_scan.py).

No cycle: every module can be imported on its own, layers stay layers. And no import inside a
function (the usual way to hide a cycle), except of the optional heavy libraries below, which
only a few requests need.
"""
import pytest

from tests.import_scan import Import, cycles, import_graph, imports_of, module_files, package_imports, tangles

# Loaded on first use so that starting the app does not pay for them.
LAZY_ALLOWED = ("openpyxl", "scipy", "reportlab", "babel.numbers")


def _describe(graph, cycle: list[str]) -> str:
    steps = [f"    {graph[a][b].where()}: {graph[a][b].source}" for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def test_the_graph_is_read():
    graph = import_graph()
    assert len(graph) == len(module_files()) > 50
    # a top-level absolute import, a relative submodule import, and a package __init__
    assert "debate.tab.standings" in graph["debate.services.standings"]
    assert "debate.services.standings" in graph["debate.services.awards"]  # from . import standings as ...
    assert "debate.views" in graph["debate"]


def test_cycles_are_found():
    graph = {"a": {"b": 0}, "b": {"c": 0, "d": 0}, "c": {"a": 0}, "d": {"b": 0}, "e": {"a": 0}, "f": {}}
    assert cycles(graph) == [["b", "d", "b"]]
    assert tangles(graph) == [{"a", "b", "c", "d"}]
    assert cycles({"a": {"b": 0}, "b": {}, "c": {"d": 0}, "d": {"c": 0}}) == [["c", "d", "c"]]
    assert cycles({"a": {"b": 0}, "b": {"c": 0}}) == []


def test_imports_inside_functions_are_seen(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import os\n\ndef f():\n    from .x import y\n    return __import__('json')\n\n"
                    "class C:\n    def g(self):\n        import debate.models\n")
    found = [(i.target, i.in_function) for i in imports_of("debate.services.m", path, set(module_files()))]
    assert found == [("os", False), ("debate.services.x", True), ("json", True), ("debate.models", True)]


def test_no_import_cycle():
    graph = import_graph()
    found = tangles(graph)
    assert not found, ("import cycles in debate/; the shortest cycle of each tangle of modules:\n"
                       + "\n".join(_describe(graph, c) for c in cycles(graph)) + "\ntangles:\n"
                       + "\n".join("    " + ", ".join(sorted(t)) for t in found))


def _lazy_allowed(imp: Import) -> bool:
    return imp.target is not None and any(imp.target == m or imp.target.startswith(m + ".") for m in LAZY_ALLOWED)


def test_no_import_inside_a_function():
    offenders = sorted({f"{imp.where()}: {imp.source}" for imps in package_imports().values() for imp in imps
                        if imp.in_function and not _lazy_allowed(imp)},
                       key=lambda s: (s.split(":")[0], int(s.split(":")[1])))
    assert not offenders, (f"{len(offenders)} imports inside functions (put them at the top of the module; "
                           f"only {', '.join(LAZY_ALLOWED)} may load lazily):\n" + "\n".join(offenders))
