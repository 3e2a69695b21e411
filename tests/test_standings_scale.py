"""Standings at scale and their agreement with the ballots.

- The standings read a fixed number of SQL statements, whatever the size of the league: the
  same count for 50 and for 200 teams (four confirmed rounds inserted in bulk), for the
  services and for the director's page, also when even splits make the chairs count.
- league_history (plain column rows, JSON decoded in one call, results recomputed with
  debate_result) agrees with the slow path over ORM objects (services.history.compute_result,
  which also confirms a debate) on messy leagues: panels of 1-3, re-confirmed versions,
  unconfirmed ballots and debates, even splits, ballots without a speaker mapping, marks and
  ids as strings, byes, pull-ups, silent and unreleased rounds.
"""
import random
from datetime import datetime, timezone

import pytest

from bench.standings_web import QueryCounter, build_league
from debate.core.extensions import db
from debate.models import (Adjudicator, Ballot, Bye, Debate, DebateAdjudicator, League, Round, RoundLeague, Speaker, Team,
                           Tournament)
from debate.services import standings as svc
from debate.services.accounts import create_user
from debate.services.history import compute_result, league_history
from debate.tab import standings as tab_standings
from debate.tab.standings import SpeakerResult, TeamResult

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
        league.tournament.settings  # noqa: B018 (loaded before counting)
        with QueryCounter(db.engine) as qc:
            teams = svc.team_tab(league)
            speakers = svc.speaker_tab(league)
        with QueryCounter(db.engine) as plain:
            rows = (svc.team_rows(league), svc.speaker_rows(league), svc.nomination_rows(league))
        db.session.remove()
        return qc.count, len(teams), len(speakers), plain.count, len(rows[0]), len(rows[1])


def test_team_and_speaker_tab_queries_do_not_grow(app, leagues):
    n50, teams50, spk50, p50, rows50, srows50 = _compute_queries(app, leagues[50][1])
    n200, teams200, spk200, p200, rows200, srows200 = _compute_queries(app, leagues[200][1])
    assert (teams50, spk50, teams200, spk200) == (50, 100, 200, 400)
    assert (rows50, srows50, rows200, srows200) == (50, 100, 200, 400)
    assert n50 == n200, (n50, n200)
    assert n200 <= 10
    # the plain rows (names only) reuse the session's history: nothing more is read
    assert p50 == p200 == 0


def _login(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.post("/login", data={"username": "scale", "password": "scale-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    return client


def _page_queries(app, client, leagues):
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
    return counts


def test_standings_page_queries_do_not_grow(app, leagues):
    counts = _page_queries(app, _login(app), leagues)
    assert counts[50] == counts[200], counts
    assert counts[200] <= 16, counts


def test_page_queries_do_not_grow_with_split_panels(app):
    """Panels of two: about half the debates are even splits, decided by the chair, so the
    chairs are read too (one more statement, whatever the size)."""
    with app.app_context():
        uid = create_user("scale", "scale-password-1").id
        db.session.commit()
        split = {40: build_league(40, 3, seed=7, user_id=uid, panel=2),
                 160: build_league(160, 3, seed=8, user_id=uid, panel=2)}
        single = {40: build_league(40, 3, seed=9, user_id=uid)}
    client = _login(app)
    counts = _page_queries(app, client, split)
    assert counts[40] == counts[160], counts
    assert counts[40] == _page_queries(app, client, single)[40] + 1
    with app.app_context():  # the chairs decided: the computed winners are the stored ones
        for _n, (_tid, lid) in split.items():
            league = db.session.get(League, lid)
            h = league_history(league)
            stored = {(d.gov_team_id, d.round.number): d.winner for d in
                      db.session.scalars(db.select(Debate).where(Debate.league_id == lid))}
            for r in h.team_results:
                if r.side == "gov":
                    assert ("gov" if r.won else "opp") == stored[(r.team_id, r.round_number)]


def test_cached_history_is_dropped_when_anything_is_written(app, leagues):
    """The page reads a league once; a write in the same session must not see stale standings."""
    tid, lid = leagues[50]
    with app.app_context():
        league = db.session.get(League, lid)
        before = {r.team_id: r.wins for r, _t in svc.team_tab(league)}
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
        assert {r.team_id: r.wins for r, _n in svc.team_rows(league)} == after
        db.session.rollback()
        assert {r.team_id: r.wins for r, _t in svc.team_tab(league)} == before
        assert {r.team_id: r.wins for r, _n in svc.team_rows(league)} == before


# ---------------------------------------------------------------- agreement with the ballots
def _messy_league(seed):
    """A small league with everything that can happen to a prelim result. Returns its id."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    t = Tournament(name=f"Messy {seed}", stage="city", settings={})
    db.session.add(t)
    db.session.flush()
    lg = League(tournament_id=t.id, language="ru", name="Messy")
    db.session.add(lg)
    db.session.flush()
    teams = []
    for i in range(rng.randint(5, 11)):
        tm = Team(tournament_id=t.id, league_id=lg.id, name=f"T{i}")
        db.session.add(tm)
        db.session.flush()
        n_speakers = rng.choice([1, 2, 2, 2])
        # positions given out of id order: the first *position* is the default PM/LO
        for p in rng.sample(range(1, n_speakers + 1), n_speakers):
            db.session.add(Speaker(team_id=tm.id, position=p, name=f"S{i}-{p}"))
        teams.append(tm)
    db.session.flush()
    speakers = {tm.id: [s.id for s in sorted(db.session.scalars(db.select(Speaker).where(Speaker.team_id == tm.id)),
                                             key=lambda s: s.position)] for tm in teams}
    adjs = [Adjudicator(tournament_id=t.id, name=f"A{i}") for i in range(3 * len(teams))]
    db.session.add_all(adjs)
    db.session.flush()
    n_rounds = 5
    silent, unreleased = rng.randint(1, n_rounds), rng.randint(1, n_rounds)
    client = 0

    def mark():
        x = rng.randint(44, 60) / 2
        return rng.choice([x, x, x, str(x).replace(".", ","), int(x) if x == int(x) else x])

    for number in range(1, n_rounds + 1):
        rnd = Round(tournament_id=t.id, seq=number, number=number, kind="prelim", silent=number == silent,
                    leagues=[RoundLeague(league_id=lg.id)])
        rnd.results_released = number != unreleased
        db.session.add(rnd)
        db.session.flush()
        order = [tm.id for tm in teams]
        rng.shuffle(order)
        if len(order) % 2:
            db.session.add(Bye(round_id=rnd.id, league_id=lg.id, team_id=order.pop()))
        free = adjs[:]
        rng.shuffle(free)
        for i in range(0, len(order), 2):
            gov, opp = order[i], order[i + 1]
            flags = rng.choice([[], [], ["pullup:gov"], ["pullup:opp", "rematch"]])
            d = Debate(round_id=rnd.id, league_id=lg.id, gov_team_id=gov, opp_team_id=opp, flags=flags,
                       confirmed_at=None if rng.random() < 0.15 else now)
            db.session.add(d)
            db.session.flush()
            panel = [free.pop() for _ in range(rng.choice([1, 2, 2, 3]))]
            for j, a in enumerate(panel):
                db.session.add(DebateAdjudicator(round_id=rnd.id, debate_id=d.id, adjudicator_id=a.id,
                                                 role="chair" if j == 0 else "panellist", position=j))
            for a in panel:
                for version in range(1, rng.choice([1, 1, 2, 3]) + 1):
                    winner = rng.choice(["gov", "opp"])
                    mapping = {"PM": speakers[gov][0], "MG": speakers[gov][-1],
                               "LO": speakers[opp][0], "MO": speakers[opp][-1]}
                    if rng.random() < 0.2:
                        mapping = {}  # old ballot: the teams' first speakers by position
                    elif rng.random() < 0.2:
                        mapping = {k: str(v) for k, v in mapping.items()}
                    scores = {} if rng.random() < 0.1 else {r: mark() for r in ("PM", "MG", "LO", "MO")}
                    noms = {}
                    if rng.random() < 0.4:
                        noms = {"orator": rng.choice(speakers[gov] + speakers[opp]),
                                "analyst": str(rng.choice(speakers[gov] + speakers[opp]))}
                    client += 1
                    db.session.add(Ballot(debate_id=d.id, adjudicator_id=a.id, client_id=f"m{seed}-{client}",
                                          version=version, winner=winner, scores=scores, speakers=mapping,
                                          nominations=noms,
                                          status=rng.choice(["confirmed", "confirmed", "confirmed", "submitted"])))
    db.session.commit()
    return lg.id


def _reference_history(league, public):
    """The slow path: ORM objects, one debate at a time through compute_result."""
    rounds = {r.id: r for r in db.session.scalars(db.select(Round).where(Round.tournament_id == league.tournament_id,
                                                                         Round.kind == "prelim"))}
    if public:
        rounds = {k: r for k, r in rounds.items() if r.results_released and not r.silent}
    speaker_ids = {tm.id: [s.id for s in sorted(tm.speakers, key=lambda s: (s.position, s.id))]
                   for tm in db.session.scalars(db.select(Team).where(Team.league_id == league.id))}
    team_results, speaker_results, noms, pullups = [], [], [], {}
    debates = [d for d in db.session.scalars(db.select(Debate).where(Debate.league_id == league.id))
               if d.round_id in rounds]
    for d in debates:
        for f in d.flags or []:
            side_team = {"pullup:gov": d.gov_team_id, "pullup:opp": d.opp_team_id}.get(f)
            if side_team:
                pullups[side_team] = pullups.get(side_team, 0) + 1
        if d.confirmed_at is None:
            continue
        ballots = db.session.scalars(db.select(Ballot).where(Ballot.debate_id == d.id).order_by(Ballot.id)).all()
        chairs = [p for p in sorted(d.panel, key=lambda p: p.id) if p.role == "chair"]
        res = compute_result(d, ballots, {d.id: chairs[-1].adjudicator_id if chairs else None}, speaker_ids)
        n = rounds[d.round_id].number
        total = sum(res.votes.values())
        for side, team, opp in (("gov", d.gov_team_id, d.opp_team_id), ("opp", d.opp_team_id, d.gov_team_id)):
            margin = None if res.margin is None else (res.margin if side == "gov" else -res.margin)
            team_results.append(TeamResult(n, team, opp, side, res.winner == side,
                                           res.team_points.get(side) if res.team_points else None, margin,
                                           res.votes.get(side, 0), total))
        for sid, m in res.speaker_marks.items():
            team = d.gov_team_id if sid in speaker_ids[d.gov_team_id] else d.opp_team_id
            speaker_results.append(SpeakerResult(n, sid, team, m))
        best = {}
        for b in ballots:
            if b.status == "confirmed" and (b.adjudicator_id not in best or b.version > best[b.adjudicator_id].version):
                best[b.adjudicator_id] = b
        for b in best.values():
            for kind in ("orator", "analyst"):
                if (b.nominations or {}).get(kind):
                    noms.append((kind, int(b.nominations[kind])))
    for bye in db.session.scalars(db.select(Bye).where(Bye.league_id == league.id)):
        if bye.round_id in rounds:
            team_results.append(TeamResult(rounds[bye.round_id].number, bye.team_id, None, None, True, None, None,
                                           bye=True))
    return team_results, speaker_results, noms, pullups, len({d.round_id for d in debates})


@pytest.mark.parametrize("seed", range(6))
def test_history_agrees_with_the_ballots(app, seed):
    with app.app_context():
        lid = _messy_league(seed)
        db.session.remove()
        league = db.session.get(League, lid)
        for public in (False, True):
            h = league_history(league, public=public)
            teams, speakers, noms, pullups, held = _reference_history(league, public)
            assert sorted(h.team_results, key=repr) == sorted(teams, key=repr)
            assert sorted(h.speaker_results, key=repr) == sorted(speakers, key=repr)
            assert sorted(h.nominations) == sorted(noms)
            assert {k: v for k, v in h.pullups.items() if v} == pullups
            assert h.rounds_held == held
            ids = [tm.id for tm in db.session.scalars(db.select(Team).where(Team.league_id == lid))]
            assert sorted(h.team_ids) == sorted(ids)
            for prec in (("wins", "speaker_points", "draw_strength"), ("wins", "margin", "who_beat_whom")):
                assert (tab_standings.team_standings(h.team_ids, h.team_results, prec)
                        == tab_standings.team_standings(ids, teams, prec))
            spk = [(s.id, s.team_id) for s in db.session.scalars(db.select(Speaker).join(Team)
                                                                  .where(Team.league_id == lid))]
            assert (tab_standings.speaker_standings(h.speakers, h.speaker_results, h.rounds_held, 1)
                    == tab_standings.speaker_standings(spk, speakers, held, 1))


def test_director_page_escapes_names_and_offers_the_tie(app):
    with app.app_context():
        uid = create_user("scale", "scale-password-1").id
        db.session.commit()
        tid, lid = build_league(6, 1, seed=3, user_id=uid)
        tm = db.session.scalars(db.select(Team).where(Team.league_id == lid).order_by(Team.id)).first()
        tm.name = '<b>"Team" & co</b>'
        sp = db.session.scalars(db.select(Speaker).where(Speaker.team_id == tm.id)).first()
        sp.name = "<script>x</script>"
        db.session.commit()
        team_id = tm.id
        others = [t.id for t in db.session.scalars(db.select(Team).where(Team.league_id == lid, Team.id != team_id))]
    client = _login(app)
    html = client.get(f"/t/{tid}/leagues/{lid}/standings?tie={team_id},{others[0]},x&places=1").get_data(as_text=True)
    assert '<b>"Team"' not in html and "<script>x" not in html
    assert "&lt;b&gt;&#34;Team&#34; &amp; co&lt;/b&gt;" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert f'name="include" value="{team_id}"' in html and f'name="include" value="{others[0]}"' in html
    assert f'name="include" value="{others[1]}"' not in html


def test_speaker_who_missed_rounds_is_unranked_on_the_page(app):
    with app.app_context():
        uid = create_user("scale", "scale-password-1").id
        db.session.commit()
        tid, lid = build_league(4, 3, seed=4, user_id=uid)
        # one speaker never spoke: every ballot names the team's first speaker twice (iron man)
        tm = db.session.scalars(db.select(Team).where(Team.league_id == lid).order_by(Team.id)).first()
        first, second = [s.id for s in sorted(tm.speakers, key=lambda s: s.position)]
        team_id = tm.id
        for b in db.session.scalars(db.select(Ballot).join(Debate).where(Debate.league_id == lid)):
            b.speakers = {k: (first if v == second else v) for k, v in b.speakers.items()}
        db.session.commit()
        rows = {r.speaker_id: r for r, _n, _t in svc.speaker_rows(db.session.get(League, lid))}
        assert rows[second].ranked is False and rows[second].rank is None and rows[second].speeches == 0
        assert rows[first].ranked and rows[first].speeches == 3  # one mark a debate: the mean of PM and MG
    html = _login(app).get(f"/t/{tid}/leagues/{lid}/standings").get_data(as_text=True)
    assert f'<tr class="muted"><td>—</td><td>Сөйлеуші {team_id}-2</td>' in html
