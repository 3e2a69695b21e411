"""The tournament's venue per language (issue 19): the settings form takes the venue in each
language beside the one `venue`; pages and documents in a language show the venue in that
language, else `venue`, else the venue in another language. The API keeps the contract's one
`venue` (it neither returns nor takes per-language venues)."""
import shutil
import subprocess

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Award, League, Tournament

from .conftest import csrf_token

VENUES = {"kk": "Астана, Әл-Фараби атындағы Оқушылар сарайы",
          "ru": "Астана, Дворец школьников имени аль-Фараби",
          "en": "Al-Farabi Palace of Schoolchildren, Astana"}


def _form(token, **extra):
    data = {"csrf_token": token, "name": "Республикалық кезең", "stage": "republican",
            "start_date": "2023-02-16", "end_date": "2023-02-17", "venue": VENUES["kk"],
            "league_kk": "1", "league_ru": "1", "league_en": "1"}
    data.update(extra)
    return data


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def _diplomas(app, tid):
    """One I-degree diploma in each league: {language: award id}."""
    with app.app_context():
        out = {}
        for n, lg in enumerate(db.session.scalars(select(League).where(League.tournament_id == tid))):
            a = Award(tournament_id=tid, league_id=lg.id, kind="degree", degree=1, code=f"VENUE{n}ABCDEFGHJK"[:16],
                      recipient="Әлия Нұрланқызы", team_name="Тұлпар")
            db.session.add(a)
            db.session.flush()
            out[lg.language] = a.id
        db.session.commit()
        return out


def test_venue_in_falls_back_to_venue_then_to_the_other_languages():
    t = Tournament(name="T", venue="Base", venues={"ru": "Ру"})
    assert (t.venue_in("ru"), t.venue_in("kk"), t.venue_in("en")) == ("Ру", "Base", "Base")
    t = Tournament(name="T", venue=None, venues={"ru": "Ру", "en": "En"})
    assert (t.venue_in("kk"), t.venue_in("ru"), t.venue_in("en")) == ("Ру", "Ру", "En")
    t = Tournament(name="T", venue=None, venues={"kk": "Кк", "ru": "Ру"})
    assert t.venue_in("en") == "Кк"
    assert Tournament(name="T").venue_in("ru") is None
    assert Tournament(name="T", venues=None, venue="Base").venue_in("en") == "Base"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_form_venues_reach_each_leagues_diploma(app, client, login):
    login()
    r = client.post("/t/new", data=_form(csrf_token(client, "/t/new"), venue_ru=VENUES["ru"]))
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        t = db.session.scalars(select(Tournament)).one()
        tid = t.id
        assert t.venue == VENUES["kk"] and t.venues == {"ru": VENUES["ru"]}
    ids = _diplomas(app, tid)
    texts = {lang: _pdf_text(client.get(f"/t/{tid}/awards/doc/{aid}.pdf").data) for lang, aid in ids.items()}
    assert VENUES["ru"] in texts["ru"] and VENUES["kk"] not in texts["ru"]
    assert VENUES["kk"] in texts["kk"] and VENUES["ru"] not in texts["kk"]
    # No English venue yet: the English diploma shows `venue`, never the Russian one.
    assert VENUES["kk"] in texts["en"] and VENUES["ru"] not in texts["en"]
    # The edit form shows the stored venues; adding the English one reaches the English diploma.
    page = client.get(f"/t/{tid}/edit").get_data(as_text=True)
    assert f'name="venue_ru" value="{VENUES["ru"]}"' in page and 'name="venue_en" value=""' in page
    r = client.post(f"/t/{tid}/edit", data=_form(csrf_token(client, f"/t/{tid}/edit"), venue_ru=VENUES["ru"],
                                                 venue_en=VENUES["en"], venue_kk=""))
    assert r.status_code == 302, r.get_data(as_text=True)
    en = _pdf_text(client.get(f"/t/{tid}/awards/doc/{ids['en']}.pdf").data)
    assert VENUES["en"] in en and VENUES["kk"] not in en
    with app.app_context():
        assert db.session.get(Tournament, tid).venues == {"ru": VENUES["ru"], "en": VENUES["en"]}


def test_pages_show_the_venue_in_their_language(app, client, login):
    login()
    r = client.post("/t/new", data=_form(csrf_token(client, "/t/new"), venue_ru=VENUES["ru"], venue_en=VENUES["en"]))
    assert r.status_code == 302
    with app.app_context():
        tid = db.session.scalars(select(Tournament.id)).one()
    for lang in ("kk", "ru", "en"):
        for path in (f"/p/{tid}/", f"/t/{tid}/", "/"):
            page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            assert VENUES[lang] in page, (path, lang)
            assert all(VENUES[o] not in page for o in VENUES if o != lang), (path, lang)


def test_a_too_long_venue_is_refused_beside_its_field(app, client, login):
    login()
    r = client.post("/t/new?lang=ru", data=_form(csrf_token(client, "/t/new"), venue_en="x" * 201))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="err-venue_en"' in page and 'name="venue_en" value="' + "x" * 201 in page
    assert "Исправьте отмеченные поля" in page and "максимум символов: 200" in page  # in the page's language
    with app.app_context():
        assert db.session.scalars(select(Tournament)).first() is None


def test_the_api_keeps_the_one_venue_of_the_contract(app, api):
    r = api.post("/tournaments", {"name": "API cup", "stage": "city", "venue": "Алматы",
                                  "venues": {"ru": "Алматы, Дворец"}, "leagues": [{"language": "ru"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["venue"] == "Алматы" and "venues" not in body
    with app.app_context():
        t = db.session.get(Tournament, body["id"])
        assert not t.venues  # not a field of the API: ignored like any other unknown key
        t.venues = {"ru": "Алматы, Дворец"}
        db.session.commit()
    r = api.patch(f"/tournaments/{body['id']}", {"venue": "Шымкент"})
    assert r.status_code == 200 and r.get_json()["venue"] == "Шымкент"
    with app.app_context():
        t = db.session.get(Tournament, body["id"])
        assert t.venues == {"ru": "Алматы, Дворец"}  # the form's venues survive an API edit
        assert (t.venue_in("ru"), t.venue_in("kk")) == ("Алматы, Дворец", "Шымкент")
