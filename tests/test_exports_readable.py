"""Exports people can hand on: region names (not codes) in the user's language, numbers as on the
pages (27,5 in Kazakh and Russian), XLSX columns as wide as their contents; import errors name
the file's own columns."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Region
from tests.test_exports import _csv, _url, played  # noqa: F401 (the fixture)
from tests.test_import import _tournament, _upload


def test_regions_by_name_in_the_users_language(app, client, played):  # noqa: F811
    lid = played["leagues"][0]["id"]
    with app.app_context():
        names = {r.code: (r.name("kk"), r.name("ru"), r.name("en")) for r in db.session.scalars(select(Region))}
    for lang, i in (("kk", 0), ("ru", 1), ("en", 2)):
        rows = _csv(client.get(_url(played, "standings", "csv", lid, lang=lang)))
        region_col = [r[4] for r in rows[1:]]
        assert region_col and all(c in {n[i] for n in names.values()} for c in region_col), region_col
        assert not set(region_col) & set(names)  # no codes


def test_numbers_as_on_the_pages(app, client, played):  # noqa: F811
    lid = played["leagues"][0]["id"]
    for lang, sep in (("kk", ","), ("ru", ","), ("en", ".")):
        rows = _csv(client.get(_url(played, "speakers", "csv", lid, lang=lang)))
        averages = [r[5] for r in rows[1:] if r[5]]
        assert averages
        for a in averages:
            whole, _s, frac = a.partition(sep)
            assert whole.isdigit() and len(frac) <= 2, a
            assert ("." if sep == "," else ",") not in a
        assert any(sep in a for a in averages)  # 2 speeches of x.5 marks: some averages are fractional
    # XLSX: numbers stay numbers, rounded to two decimals
    ws = load_workbook(io.BytesIO(client.get(_url(played, "speakers", "xlsx", lid, lang="ru")).data)).active
    values = [row[5] for row in ws.iter_rows(min_row=2, values_only=True) if row[5] is not None]
    assert values and all(isinstance(v, (int, float)) and round(v, 2) == v for v in values)


def test_xlsx_column_widths_are_set(client, played):  # noqa: F811
    lid = played["leagues"][0]["id"]
    ws = load_workbook(io.BytesIO(client.get(_url(played, "standings", "xlsx", lid, lang="kk")).data)).active
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert len(widths) >= 10 and all(10 <= w <= 60 for w in widths.values())
    school_width = widths["D"]
    longest = max(len(str(r[3] or "")) for r in ws.iter_rows(values_only=True))
    assert school_width >= min(60, longest)


def test_import_errors_name_the_files_columns(client, api):
    t = _tournament(client, api)
    bad = ("league,team,school,region,speaker1,speaker2,speaker2_grade\n"
           "kk,Good,School,astana,Aru,Bek,\n"
           "kk,Bad,School,atlantis,Aru,,15\n")
    r = _upload(client, t["id"], "teams", "teams.csv", bad.encode())
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "<code>speaker2</code>" in html and "<code>speaker2_grade</code>" in html and "<code>region</code>" in html
    assert "speakers.1" not in html and "school.region" not in html
