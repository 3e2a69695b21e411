"""CSV and XLSX exports of standings, speaker tab, results and every ballot version."""
import csv
import io
import random

import pytest
from openpyxl import load_workbook

from debate.core.extensions import db
from debate.models import Ballot, TournamentMember

from .conftest import csrf_token
from .flow import run_prelim_round, setup_tournament

HEADERS = {  # first columns of each export, in each language (the English catalog is the msgid)
    "en": {"standings": ["League", "Rank", "Team"], "speakers": ["League", "Rank", "Speaker"],
           "results": ["League", "Round", "Room"], "ballots": ["League", "Round", "Debate"]},
}


@pytest.fixture
def played(app, api, client, login):
    """Two confirmed rounds; the signed-in director works on the tournament."""
    t, keys = setup_tournament(api, teams_per_league=6, adjudicators=12, rooms=10, settings={"panel_size": 1},
                               leagues=("kk", "ru"))
    rng = random.Random(3)
    for _ in range(2):
        run_prelim_round(api, client, t, keys, rng)
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    return t


def _csv(resp):
    raw = resp.data
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _url(t, what, fmt, league=None, lang="en"):
    q = f"?lang={lang}" + (f"&league={league}" if league else "")
    return f"/t/{t['id']}/export/{what}.{fmt}{q}"


@pytest.mark.parametrize("what", ["standings", "speakers", "results", "ballots"])
def test_csv_parses_back_with_english_headers(client, played, what):
    lid = played["leagues"][0]["id"]
    r = client.get(_url(played, what, "csv", lid))
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = _csv(r)
    assert rows[0][:3] == HEADERS["en"][what]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)


def test_standings_rows_match_the_api(client, api, played):
    lid = played["leagues"][0]["id"]
    rows = _csv(client.get(_url(played, "standings", "csv", lid)))
    head, body = rows[0], rows[1:]
    expected = api.get(f"/leagues/{lid}/standings/teams").get_json()
    assert [r[head.index("Team")] for r in body] == [e["name"] for e in expected]
    assert [int(r[head.index("Wins")]) for r in body] == [e["wins"] for e in expected]
    assert [float(r[head.index("Points")]) for r in body] == pytest.approx([e["speaker_points"] for e in expected])
    assert [r[head.index("Rank")].rstrip("=") for r in body] == [str(e["rank"]) for e in expected]

    spk = _csv(client.get(_url(played, "speakers", "csv", lid)))
    expected = api.get(f"/leagues/{lid}/standings/speakers").get_json()
    assert [r[spk[0].index("Speaker")] for r in spk[1:]] == [e["name"] for e in expected]
    assert [float(r[spk[0].index("Total")]) for r in spk[1:]] == pytest.approx([e["total"] for e in expected])


def test_results_and_every_ballot_version(app, client, api, played):
    lid = played["leagues"][1]["id"]
    # a resubmission makes a second version, which the export must list too
    with app.app_context():
        n_ballots = db.session.query(Ballot).join(Ballot.debate).filter_by(league_id=lid).count()
    rows = _csv(client.get(_url(played, "ballots", "csv", lid)))
    head, body = rows[0], rows[1:]
    assert len(body) == n_ballots
    assert {r[head.index("Status")] for r in body} == {"Confirmed"}
    assert {r[head.index("Confirmed by")] for r in body} == {"apiuser"}
    assert {r[head.index("Entered by")] for r in body} == {"Adjudicator (own phone)"}
    assert all(r[head.index("Submission id")] for r in body)

    res = _csv(client.get(_url(played, "results", "csv", lid)))
    rh, rb = res[0], res[1:]
    assert len(rb) == 2 * 3  # two rounds, three debates each
    for r in rb:
        assert r[rh.index("Winner")] in ("Government", "Opposition")
        winner_team = r[rh.index("Government")] if r[rh.index("Winner")] == "Government" else r[rh.index("Opposition")]
        assert r[rh.index("Winning team")] == winner_team
        margin = float(r[rh.index("Government points")]) - float(r[rh.index("Opposition points")])
        assert float(r[rh.index("Margin")]) == pytest.approx(margin)


def test_without_league_exports_every_league(client, played):
    rows = _csv(client.get(_url(played, "standings", "csv")))
    leagues = {r[0] for r in rows[1:]}
    assert len(leagues) == 2 and len(rows) == 1 + 12


@pytest.mark.parametrize("lang,words", [("kk", ["Лига", "Команда"]), ("ru", ["Лига", "Команда"]),
                                         ("en", ["League", "Team"])])
def test_headers_follow_the_language(client, played, lang, words):
    """Column names go through gettext in the request's language ("League" and "Team" are
    already in the catalogs; new strings fall back to English until the lead translates them)."""
    lid = played["leagues"][0]["id"]
    head = _csv(client.get(_url(played, "standings", "csv", lid, lang=lang)))[0]
    assert head[0] == words[0] and head[2] == words[1]
    # The export uses the same catalog as the standings page: the page's "Team" header matches.
    html = client.get(f"/t/{played['id']}/leagues/{lid}/standings?lang={lang}").get_data(as_text=True)
    assert f"<th scope=\"col\">{head[2]}</th>" in html


def test_headers_are_translated_through_gettext(app, client, played, monkeypatch):
    """Every header is passed through gettext in the request's locale."""
    import debate.services.exports as exports
    seen = []
    monkeypatch.setattr(exports, "_", lambda s, **kw: seen.append(s) or f"<{s}>")
    lid = played["leagues"][0]["id"]
    for what in exports.KINDS:
        head = _csv(client.get(_url(played, what, "csv", lid)))[0]
        assert all(h.startswith("<") and h.endswith(">") for h in head), (what, head)
    assert "Draw strength" in seen and "Confirmed by" in seen


def test_xlsx_has_the_same_table(client, played):
    lid = played["leagues"][0]["id"]
    r = client.get(_url(played, "standings", "xlsx", lid, lang="kk"))
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(r.data)).active
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    csv_rows = _csv(client.get(_url(played, "standings", "csv", lid, lang="kk")))
    assert [str(c) for c in cells[0]] == csv_rows[0]
    assert [row[2] for row in cells[1:]] == [row[2] for row in csv_rows[1:]]
    assert isinstance(cells[1][6], (int, float))  # points are numbers, not text
    ballots = load_workbook(io.BytesIO(client.get(_url(played, "ballots", "xlsx", lid)).data)).active
    assert ballots.max_row == len(_csv(client.get(_url(played, "ballots", "csv", lid))))


def test_director_of_another_tournament_gets_403(app, played, make_user):
    from debate.models import Tournament
    uid = make_user("other", "other-password-1")
    with app.app_context():  # "other" directs a tournament of their own, but not this one
        own = Tournament(name="Other cup", stage="district", settings={})
        db.session.add(own)
        db.session.flush()
        db.session.add(TournamentMember(user_id=uid, tournament_id=own.id, role="director"))
        db.session.commit()
    other = app.test_client()
    r = other.post("/login", data={"username": "other", "password": "other-password-1",
                                   "csrf_token": csrf_token(other)})
    assert r.status_code == 302
    lid = played["leagues"][0]["id"]
    for what in ("standings", "speakers", "results", "ballots"):
        for fmt in ("csv", "xlsx"):
            assert other.get(_url(played, what, fmt, lid)).status_code == 403
            assert other.get(_url(played, what, fmt)).status_code == 403


def test_anonymous_is_sent_to_login_and_unknown_paths_404(app, played, client):
    lid = played["leagues"][0]["id"]
    assert client.get(_url(played, "nonsense", "csv", lid)).status_code == 404
    assert client.get(_url(played, "standings", "pdf", lid)).status_code == 404
    assert client.get(_url(played, "standings", "csv", 999999)).status_code == 404
    anon = app.test_client()
    r = anon.get(_url(played, "standings", "csv", lid))
    assert r.status_code in (302, 401)
