"""CSV and XLSX import: a good file stores every row; a file with one bad row stores none."""
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import Adjudicator, Room, Team
from tests.conftest import csrf_token

TEAMS_CSV = """league,team,school,region,rural,coach,speaker1,speaker2,speaker1_grade,speaker1_gender
kk,Астана «Тұлпар»,№5 мектеп-гимназия,astana,no,Айгүл Серікқызы,Әлия Нұрланқызы,Дәулет Асқарұлы,10,f
ru,Караганда «Логос»,Гимназия №1,karaganda,да,Ирина Ким,Анастасия Ким,Тимур Садыков,,
English league,Oral Eagles,NIS Oral,west_kazakhstan,yes,Dana Omarova,Amina Kim,Timur Bekov,,
"""


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, tid, kind, name, data):
    token = csrf_token(client, f"/t/{tid}/import")
    return client.post(f"/t/{tid}/import", data={"kind": kind, "csrf_token": token,
                                                "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _tournament(client, api):
    t = api.post("/tournaments", {"name": "Import cup"}).get_json()
    # give the signed-in page user access through the API user: sign in as the API user
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": csrf_token(client)})
    return t


def test_good_csv_imports_every_row(app, client, api):
    t = _tournament(client, api)
    r = _upload(client, t["id"], "teams", "teams.csv", TEAMS_CSV.encode("utf-8-sig"))
    assert r.status_code == 302
    teams = api.get(f"/tournaments/{t['id']}/teams").get_json()
    assert len(teams) == 3
    by_name = {x["name"]: x for x in teams}
    assert by_name["Астана «Тұлпар»"]["speakers"][0]["grade"] == 10
    assert by_name["Караганда «Логос»"]["school"]["rural"] is True
    assert by_name["Oral Eagles"]["league_id"] == t["leagues"][2]["id"]


def test_one_bad_row_stores_nothing_and_lists_every_problem(app, client, api):
    t = _tournament(client, api)
    bad = TEAMS_CSV + "kk,Bad team,School,atlantis,no,,Only one speaker,\n" + "xx,Other bad,,,,,A,B\n"
    r = _upload(client, t["id"], "teams", "teams.csv", bad.encode())
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Row 5" in html and "Row 6" in html
    assert "atlantis" in html
    assert _count(app, Team) == 0


def test_bad_row_message_in_users_language(app, client, api):
    t = _tournament(client, api)
    bad = "league,team,speaker1,speaker2\nkk,Bad,,B\n"
    r = client.get("/?lang=ru")
    r = _upload(client, t["id"], "teams", "teams.csv", bad.encode())
    assert r.status_code == 422
    assert "Строка 2" in r.get_data(as_text=True)


def test_xlsx_adjudicators_and_semicolon_csv_rooms(app, client, api):
    t = _tournament(client, api)
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "region", "school", "languages", "rating", "conflict_schools"])
    ws.append(["Гүлнар Ахметова", "karaganda", "№12 лицей", "kk ru", 7.5, "Гимназия №1; №5 мектеп"])
    ws.append(["John Smith", "", "", "en", 6, ""])
    buf = io.BytesIO()
    wb.save(buf)
    assert _upload(client, t["id"], "adjudicators", "adj.xlsx", buf.getvalue()).status_code == 302
    adjs = {a["name"]: a for a in api.get(f"/tournaments/{t['id']}/adjudicators").get_json()}
    assert adjs["Гүлнар Ахметова"]["languages"] == ["kk", "ru"]
    assert adjs["Гүлнар Ахметова"]["conflicts"]["schools"] == ["Гимназия №1", "№5 мектеп"]
    assert adjs["John Smith"]["rating"] == 6
    rooms = "name;accessible;priority\n101;yes;2\n102;no;1\n"
    assert _upload(client, t["id"], "rooms", "rooms.csv", rooms.encode()).status_code == 302
    assert _count(app, Room) == 2


def test_unreadable_file_and_missing_columns(app, client, api):
    t = _tournament(client, api)
    r = _upload(client, t["id"], "teams", "teams.xlsx", b"not a zip at all")
    assert r.status_code == 422 and "could not be read" in r.get_data(as_text=True)
    r = _upload(client, t["id"], "adjudicators", "a.csv", b"fullname,langs\nA,kk\n")
    assert r.status_code == 422 and "Missing columns" in r.get_data(as_text=True)
    assert _count(app, Adjudicator) == 0


def test_templates_download_and_reimport(app, client, api):
    t = _tournament(client, api)
    for kind in ("teams", "adjudicators", "rooms"):
        for fmt in ("csv", "xlsx"):
            r = client.get(f"/t/{t['id']}/import/template/{kind}.{fmt}")
            assert r.status_code == 200 and len(r.data) > 20
    # the CSV template's example row is itself a valid import
    data = client.get(f"/t/{t['id']}/import/template/teams.csv").data
    assert _upload(client, t["id"], "teams", "teams.csv", data).status_code == 302
    assert _count(app, Team) == 1
