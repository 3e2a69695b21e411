"""Diplomas, letters and certificates: who gets what, the PDF text in the league's language
with the Kazakh letters intact, verification codes and the public /verify page."""
import random
import shutil
import subprocess

import pytest
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Award, Speaker, Team, Tournament
from debate.services import awards as svc
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament, submit_panel

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

KK_NAMES = [("Әлия Нұрланқызы", "Дәулет Серікұлы"), ("Інжу Ғалымқызы", "Ұлан Өмірзақұлы"),
            ("Ақбота Қайратқызы", "Мұхаммед Болатұлы"), ("Гүлназ Асқарқызы", "Темірлан Жақсылықұлы")]


def run_tournament(api, client, teams_per_league=4, leagues=("kk", "ru"), break_size=4, seed=3):
    """Four prelims, a break of four, semifinals (gov wins) and a final (gov wins)."""
    rng = random.Random(seed)
    t, keys = setup_tournament(api, teams_per_league=teams_per_league, adjudicators=12, rooms=6, leagues=leagues)
    for _ in range(4):
        run_prelim_round(api, client, t, keys, rng)
    for lg in t["leagues"]:
        r = api.post(f"/leagues/{lg['id']}/break", {"size": break_size})
        if r.status_code == 409:
            d = r.get_json()["error"]["details"]
            r = api.post(f"/leagues/{lg['id']}/break", {"size": break_size, "include": d["team_ids"][:d["places_left"]]})
        assert r.status_code == 201, r.get_json()
    for kind in ("semifinal", "final"):
        rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": kind}).get_json()
        draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
        api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
        for d in draw["debates"]:
            for bid in submit_panel(client, d, keys, rng, winner="gov"):
                assert api.post(f"/ballots/{bid}/confirm").status_code == 200
        api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    return t, keys


def _rename_kk(app, tid):
    """Give the Kazakh league's speakers Kazakh names (straight in the database)."""
    with app.app_context():
        t = db.session.get(Tournament, tid)
        kk = next(lg for lg in t.leagues if lg.language == "kk")
        kk.name = "Қазақ лигасы"
        teams = db.session.scalars(select(Team).where(Team.league_id == kk.id).order_by(Team.id)).all()
        for team, names in zip(teams, KK_NAMES):
            team.name = "Тұлпар " + team.name
            for sp, name in zip(team.speakers, names):
                sp.name = name
        db.session.commit()


def post(client, path, data=None, page=None):
    """A form post with the session's CSRF token (taken from a page of the same tournament)."""
    page = page or "/t/" + path.split("/")[2] + "/awards"
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "doc.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def finished(app, api, client, login):
    t, _keys = run_tournament(api, client)
    _rename_kk(app, t["id"])
    # the browser director directs the same tournament
    uid = login("boss", "boss-password-1")
    with app.app_context():
        from debate.models import TournamentMember
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    return t


def _expected(app, tid):
    """Placings read straight from the bracket: champion, finalist, semifinalists per league."""
    out = {}
    with app.app_context():
        t = db.session.get(Tournament, tid)
        for lg in t.leagues:
            from debate.models import Debate, Round
            rows = db.session.execute(select(Round.kind, Debate.gov_team_id, Debate.opp_team_id, Debate.winner)
                                      .join(Round).where(Debate.league_id == lg.id, Round.kind != "prelim")).all()
            final = next(r for r in rows if r[0] == "final")
            semis = [r for r in rows if r[0] == "semifinal"]
            champ = final[1] if final[3] == "gov" else final[2]
            out[lg.id] = {"champion": champ, "finalist": final[2] if champ == final[1] else final[1],
                          "semifinalists": {s[2] if s[3] == "gov" else s[1] for s in semis}}
    return out


def test_documents_prepared_and_rendered_in_kazakh(app, client, finished, tmp_path):
    tid = finished["id"]
    page = client.get(f"/t/{tid}/awards")
    assert page.status_code == 200
    r = post(client, f"/t/{tid}/awards/prepare")
    assert r.status_code == 302
    expected = _expected(app, tid)
    with app.app_context():
        t = db.session.get(Tournament, tid)
        kk = next(lg for lg in t.leagues if lg.language == "kk")
        awards = db.session.scalars(select(Award).where(Award.tournament_id == tid)).all()
        degree = {(a.league_id, a.speaker_id): a.degree for a in awards if a.kind == "degree"}
        for lg in t.leagues:
            exp = expected[lg.id]
            for team_id, deg in [(exp["champion"], 1), (exp["finalist"], 2)] + [(s, 3) for s in exp["semifinalists"]]:
                for sp in db.session.get(Team, team_id).speakers:
                    assert degree[(lg.id, sp.id)] == deg
        # four teams per league: 2 + 2 + 4 diplomas, best speakers >= 3, one letter per coach awarded
        assert sum(1 for a in awards if a.kind == "degree" and a.league_id == kk.id) == 8
        n_speakers = db.session.scalar(select(db.func.count()).select_from(Speaker).join(Team)
                                       .where(Team.tournament_id == tid))
        assert sum(1 for a in awards if a.kind == "participation") == n_speakers
        assert sum(1 for a in awards if a.kind == "best_speaker" and a.league_id == kk.id) >= 3
        assert {a.kind for a in awards} >= {"degree", "best_speaker", "gratitude", "participation"}
        assert len({a.code for a in awards}) == len(awards) and all(len(a.code) == 16 for a in awards)
        champion = db.session.get(Team, expected[kk.id]["champion"])
        champ_names = [s.name for s in champion.speakers]
        champ_team = champion.name
        with app.test_request_context(), force_locale("kk"):
            degree_one = _("%(degree)s degree", degree="I")
            title = _("Diploma")
    # the diplomas of the Kazakh league, as one PDF
    r = client.get(f"/t/{tid}/awards/diplomas.pdf?league={kk.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data, tmp_path)
    assert "Қазақ лигасы" in text
    for name in champ_names:
        assert name in text
    assert champ_team in text
    first_page = text.split("\f")[0]
    assert min(champ_names) in first_page and degree_one in first_page and title.upper() in first_page
    assert any(n in text for n in ("Әлия Нұрланқызы", "Інжу Ғалымқызы", "Ақбота Қайратқызы", "Гүлназ Асқарқызы"))
    # every category downloads, one page per document
    for cat in svc.CATEGORIES:
        r = client.get(f"/t/{tid}/awards/{cat}.pdf")
        assert r.status_code == 200
    r = client.get(f"/t/{tid}/awards/participation.pdf")
    assert pdf_text(r.data, tmp_path).count("\f") == n_speakers


def test_preparing_again_keeps_codes(app, client, finished):
    tid = finished["id"]
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        before = {a.id: a.code for a in db.session.scalars(select(Award))}
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        after = {a.id: a.code for a in db.session.scalars(select(Award))}
    assert before == after


def test_director_overrides_best_orator(app, client, finished):
    tid = finished["id"]
    with app.app_context():
        t = db.session.get(Tournament, tid)
        kk = next(lg for lg in t.leagues if lg.language == "kk")
        sp = db.session.scalars(select(Speaker).join(Team).where(Team.league_id == kk.id)).first()
        sid, lid, name = sp.id, kk.id, sp.name
    r = post(client, f"/t/{tid}/awards/leagues/{lid}/nominee", {"kind": "orator", "speaker_id": sid})
    assert r.status_code == 302
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        orators = db.session.scalars(select(Award).where(Award.kind == "orator", Award.league_id == lid)).all()
        assert [(a.speaker_id, a.recipient) for a in orators] == [(sid, name)]


def test_verify_page_accepts_real_code_and_rejects_forged(app, client, finished):
    tid = finished["id"]
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        a = db.session.scalars(select(Award).where(Award.kind == "degree", Award.degree == 1)).first()
        code, name, tname = a.code, a.recipient, a.tournament.name
    anon = app.test_client()
    anon.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = anon.get(f"/verify/{code}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Genuine document" in html and name in html and tname in html
    assert "Diploma of I degree" in html
    # grouped and lower-case forms of the code work too
    grouped = "-".join(code[i:i + 4] for i in range(0, 16, 4)).lower()
    assert anon.get(f"/verify/{grouped}").status_code == 200
    # nothing personal beyond the name
    assert "grade" not in html.lower() and "School" not in html
    forged = ("A" if code[0] != "A" else "B") + code[1:]
    r = anon.get(f"/verify/{forged}")
    assert r.status_code == 404 and "Document not found" in r.get_data(as_text=True)
    # in the visitor's language
    anon.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    with app.test_request_context(), force_locale("ru"):
        not_found = _("Document not found")
    assert not_found in anon.get(f"/verify/{forged}").get_data(as_text=True)
    # the QR code in the PDF points at this page
    assert f"/verify/{code}" in pdf_url(app, tid, a_id=None, code=code, client=client)


def pdf_url(app, tid, a_id, code, client):
    with app.app_context():
        a = db.session.scalar(select(Award).where(Award.code == code))
        aid = a.id
    data = client.get(f"/t/{tid}/awards/doc/{aid}.pdf").data
    import tempfile, pathlib
    d = pathlib.Path(tempfile.mkdtemp())
    return pdf_text(data, d)


def test_withdrawn_document_no_longer_verifies(app, client, finished):
    tid = finished["id"]
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        t = db.session.get(Tournament, tid)
        t.settings = {**(t.settings or {}), "best_speakers_awarded": 1}
        db.session.commit()
    post(client, f"/t/{tid}/awards/prepare")
    with app.app_context():
        gone = db.session.scalars(select(Award).where(Award.kind == "best_speaker", Award.revoked.is_(True))).all()
        assert gone
        code = gone[0].code
    r = app.test_client().get(f"/verify/{code}")
    assert r.status_code == 410


def test_other_directors_cannot_download(app, client, finished, make_user):
    tid = finished["id"]
    post(client, "/logout", page=f"/t/{tid}/awards")
    make_user("other", "other-password-1")
    client.post("/login", data={"username": "other", "password": "other-password-1", "csrf_token": csrf_token(client)})
    assert client.get(f"/t/{tid}/awards").status_code == 403
    assert client.get(f"/t/{tid}/awards/diplomas.pdf").status_code == 403


def test_placings_and_degree_map_are_pure():
    debates = [("semifinal", 1, 2, "gov"), ("semifinal", 3, 4, "opp"), ("final", 1, 4, "opp"),
               ("quarterfinal", 1, 5, "gov")]
    assert svc.placings(debates) == {2: "semifinalist", 3: "semifinalist", 1: "finalist", 4: "champion",
                                     5: "quarterfinalist"}
    assert svc.parse_degree_map("champion:1, finalist:1 ,semifinalist:2,quarterfinalist:3") == {
        "champion": 1, "finalist": 1, "semifinalist": 2, "quarterfinalist": 3}
    with pytest.raises(ValueError):
        svc.parse_degree_map("champion:4")
    assert svc.best_speaker_places([(1, True, 10), (2, True, 11), (3, True, 12), (3, True, 13), (5, True, 14),
                                    (None, False, 15)], 3) == [(1, 10), (2, 11), (3, 12), (3, 13)]
    assert svc.normalise_code(" abcd-efgh ijkl-mnop ") == "ABCDEFGHIJKLMNOP"
    assert svc.format_code("ABCDEFGHIJKLMNOP") == "ABCD-EFGH-IJKL-MNOP"
