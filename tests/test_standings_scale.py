"""The standings read a fixed number of SQL statements, whatever the size of the league: the
same count for 50 and for 200 teams (four confirmed rounds inserted in bulk)."""
import pytest

from bench.standings_web import QueryCounter, build_league
from debate.extensions import db
from debate.models import League
from debate.services import standings as svc
from debate.services.accounts import create_user

from .conftest import csrf_token


@pytest.fixture
def leagues(app):
    with app.app_context():
        uid = create_user("scale", "scale-password-1").id
        db.session.commit()
        small = build_league(50, 4, seed=5, user_id=uid)
        big = build_league(200, 4, seed=6, user_id=uid)
    return {50: small, 200: big}


def _compute_queries(app, lid):
    with app.app_context():
        league = db.session.get(League, lid)
        with QueryCounter(db.engine) as qc:
            teams = svc.team_tab(league)
            speakers = svc.speaker_tab(league)
        db.session.remove()
        return qc.count, len(teams), len(speakers)


def test_team_and_speaker_tab_queries_do_not_grow(app, leagues):
    n50, teams50, spk50 = _compute_queries(app, leagues[50][1])
    n200, teams200, spk200 = _compute_queries(app, leagues[200][1])
    assert (teams50, spk50, teams200, spk200) == (50, 100, 200, 400)
    assert n50 == n200, (n50, n200)
    assert n200 <= 12


def test_standings_page_queries_do_not_grow(app, leagues):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.post("/login", data={"username": "scale", "password": "scale-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    counts = {}
    for n, (tid, lid) in leagues.items():
        url = f"/t/{tid}/leagues/{lid}/standings"
        client.get(url)  # warm up
        with app.app_context():
            engine = db.engine
        with QueryCounter(engine) as qc:
            resp = client.get(url)
        assert resp.status_code == 200
        assert resp.get_data(as_text=True).count("<tr") >= 3 * n  # every team and speaker is on the page
        counts[n] = qc.count
    assert counts[50] == counts[200], counts


def test_cached_history_is_dropped_when_anything_is_written(app, leagues):
    """The page reads a league once; a write in the same session must not see stale standings."""
    tid, lid = leagues[50]
    with app.app_context():
        league = db.session.get(League, lid)
        before = {r.team_id: r.wins for r, _t in svc.team_tab(league)}
        from debate.models import Ballot, Debate
        d = db.session.scalars(db.select(Debate).where(Debate.league_id == lid).order_by(Debate.id)).first()
        b = db.session.scalars(db.select(Ballot).where(Ballot.debate_id == d.id)).one()
        loser = d.opp_team_id if b.winner == "gov" else d.gov_team_id
        flipped = "opp" if b.winner == "gov" else "gov"
        scores = dict(b.scores)
        scores["PM"], scores["LO"] = scores["LO"], scores["PM"]
        scores["MG"], scores["MO"] = scores["MO"], scores["MG"]
        b.winner, b.scores, d.winner = flipped, scores, flipped  # unflushed change
        after = {r.team_id: r.wins for r, _t in svc.team_tab(league)}
        assert after[loser] == before[loser] + 1
        db.session.rollback()
        assert {r.team_id: r.wins for r, _t in svc.team_tab(league)} == before
