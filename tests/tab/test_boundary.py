"""The boundary of `debate.tab`: pure Python, no web layer and no database.

Every module of debate/tab/ is read with `ast` (not imported, so an import inside a function
or behind an `if` is seen too) and may not import Flask or a Flask extension, SQLAlchemy,
Werkzeug, the database or Redis drivers, or any `debate` module outside `debate.tab`
(a relative import whose dots reach above `debate.tab` counts as outside).
"""
import pytest

from tests.import_scan import Import, imports_of, module_files

TAB = "debate.tab"
# The web and database stack; any `flask_*` package too.
FORBIDDEN = {"flask", "sqlalchemy", "werkzeug", "alembic", "psycopg", "psycopg2", "redis", "socketio",
             "engineio", "gevent"}
KNOWN = set(module_files())
TAB_MODULES = module_files(TAB)


def _inside_tab(name: str) -> bool:
    return name == TAB or name.startswith(TAB + ".")


def violations(imports: list[Import]) -> list[str]:
    bad = []
    for imp in imports:
        name = imp.target
        if name is None:
            why = "cannot be resolved (dynamic name, or dots above the top package)"
        elif imp.anchor is not None and not _inside_tab(imp.anchor):
            why = f"relative import reaching {imp.anchor}, outside {TAB}"
        elif name.split(".")[0] in FORBIDDEN or name.startswith("flask_"):
            why = f"imports {name} (web or database layer)"
        elif name.split(".")[0] == "debate" and not _inside_tab(name):
            why = f"imports {name}, outside {TAB}"
        else:
            continue
        bad.append(f"{imp.where()}: {imp.source} -- {why}")
    return bad


def test_every_tab_module_is_checked():
    assert {"debate.tab", "debate.tab.draw", "debate.tab.allocation", "debate.tab.rooms", "debate.tab.results",
            "debate.tab.standings", "debate.tab.bracket"} <= set(TAB_MODULES)


@pytest.mark.parametrize("module", sorted(TAB_MODULES))
def test_tab_module_imports_only_pure_python(module):
    bad = violations(imports_of(module, TAB_MODULES[module], KNOWN))
    assert not bad, "debate.tab must stay pure Python:\n" + "\n".join(bad)


def test_the_check_sees_every_way_out(tmp_path):
    """The check itself: each of these lines, in a module of debate.tab, is one violation."""
    escapes = [
        "import flask",
        "from flask_babel import gettext",
        "import sqlalchemy.orm",
        "from werkzeug.exceptions import NotFound",
        "from debate.models import Team",
        "import debate.services.rounds",
        "from debate import create_app",
        "from .. import models",
        "from ..tab import draw",  # lands inside tab, but by leaving it
        "from ...x import y",      # above the top package
        "def f():\n    from ..services import rounds",
        "def f():\n    return __import__('debate.models')",
        "class C:\n    import flask_login",
    ]
    allowed = ["import math", "from . import draw", "from .draw import make_draw", "import debate.tab.results",
               "from debate.tab import standings", "import numpy as np", "from scipy.optimize import linprog",
               "def f():\n    from .results import x"]
    path = tmp_path / "fake.py"
    for line in escapes + allowed:
        path.write_text(line + "\n")
        found = violations(imports_of("debate.tab.fake", path, KNOWN))
        assert len(found) == (line in escapes), (line, found)

