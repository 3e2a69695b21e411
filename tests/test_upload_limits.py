"""Issue 17 items 6 and 7: uploads are read in streaming mode with hard caps on bytes, rows and
columns, decided before a sheet is materialised; a too-large file is a clear error in the user's
language; a file is read and checked without holding the database's write lock."""
import io
import re
import sqlite3
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import Team
from debate.services import imports
from tests.conftest import PG_URL
from tests.test_import import TEAMS_CSV, _count, _tournament, _upload


def _xfd_workbook(rows=2000) -> bytes:
    """~11 kB: every row has a cell in column A and one in column XFD (16,384)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("teams")
    for i in range(rows):
        row = [None] * 16384
        row[0], row[-1] = f"t{i}", "x"
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _without_dimension(data: bytes) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension[^>]*/>", b"", body)
            dst.writestr(item, body)
    return out.getvalue()


def _measured(fn):
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak, time.monotonic() - t0


@pytest.fixture(scope="module")
def xfd():
    return _xfd_workbook()


def _with_dimension(data: bytes, ref: bytes) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension[^>]*/>", b"", body)
                body = body.replace(b"<sheetViews>", b'<dimension ref="' + ref + b'"/><sheetViews>', 1) \
                    if b"<sheetViews>" in body else body.replace(b"<sheetData>", b'<dimension ref="' + ref + b'"/><sheetData>', 1)
            dst.writestr(item, body)
    return out.getvalue()


@pytest.mark.parametrize("dimension", [b"A1:XFD2000", None, b"A1:B3"])
def test_xlsx_with_a_cell_in_column_xfd_is_refused_quickly_with_little_memory(app, client, api, xfd, dimension):
    """The probe's file: 2,000 rows with a cell in column XFD took ~500 MB before; its sheet
    may declare its true size, none, or a false small one."""
    data = xfd if dimension is None else _with_dimension(xfd, dimension)
    assert len(data) < 40_000
    t = _tournament(client, api)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    r, peak, took = _measured(lambda: _upload(client, t["id"], "teams", "big.xlsx", data))
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert took < 5, took
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "2000" in html and "60" in html  # the limits, in the page's language
    assert "слишком" in html.casefold()
    assert _count(app, Team) == 0


def test_xlsx_without_a_declared_dimension_is_still_read_within_the_caps(app, xfd):
    data = _without_dimension(xfd)
    with app.test_request_context():
        lim = imports.limits()
        rows, peak, took = _measured(lambda: _try_read(data, lim))
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert took < 10, took
    assert rows == "import_too_large" or len(rows) <= lim["rows"]


def _try_read(data, lim):
    try:
        return imports.read_rows("x.xlsx", data, lim)
    except imports.ImportError_ as e:
        return e.code


def test_too_many_rows_or_bytes_or_columns_are_refused(app, client, api):
    t = _tournament(client, api)
    app.config["IMPORT_MAX_ROWS"] = 3
    try:
        head, *rows = TEAMS_CSV.strip().splitlines()
        ok = "\n".join([head] + rows) + "\n"
        four = "\n".join([head] + rows + [rows[0].replace("Тұлпар", "Тұлпар 2")]) + "\n"
        r = _upload(client, t["id"], "teams", "four.csv", four.encode())
        assert r.status_code == 422 and "at most 3 rows" in r.get_data(as_text=True)
        assert _count(app, Team) == 0
        assert _upload(client, t["id"], "teams", "ok.csv", ok.encode()).status_code == 302
        assert _count(app, Team) == 3
    finally:
        app.config["IMPORT_MAX_ROWS"] = 2000
    wide = (",".join(f"c{i}" for i in range(61)) + "\n").encode()
    r = _upload(client, t["id"], "teams", "wide.csv", wide)
    assert r.status_code == 422 and "60 columns" in r.get_data(as_text=True)
    big = b"league,team\n" + b"kk,x\n" * 450_000  # 2.1 MB
    r = _upload(client, t["id"], "teams", "big.csv", big)
    assert r.status_code == 422 and "2.0 MB" in r.get_data(as_text=True)
    huge_field = b"league,team\nkk," + b"x" * 200_000 + b"\n"
    assert _upload(client, t["id"], "teams", "field.csv", huge_field).status_code == 422


def test_a_zip_bomb_is_refused_unread(app, client, api):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b" " * (50 * 2**20))
    t = _tournament(client, api)
    r = _upload(client, t["id"], "teams", "bomb.xlsx", buf.getvalue())
    assert r.status_code == 422 and "MB" in r.get_data(as_text=True)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")
def test_file_is_read_and_checked_without_the_write_lock(app, client, api, monkeypatch):
    t = _tournament(client, api)
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    seen = []
    real = imports.read_rows

    def probe(*args, **kwargs):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the request holds the write lock
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError:
            seen.append("locked")
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "read_rows", probe)
    assert _upload(client, t["id"], "teams", "teams.csv", TEAMS_CSV.encode()).status_code == 302
    assert seen == ["free"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Team)) == 3
