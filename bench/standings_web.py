"""Benchmark: the director's standings page of a 2,000-team league after four rounds,
end to end (database reads, standings, nominations, HTML), beside baselines in the same run.

Run from the repository root:
    .venv/bin/python bench/standings_web.py [--teams 2000] [--small 20] [--repeat 7] [--pg URL]

The league is inserted in bulk through the models (build_league, also used by
tests/test_standings_scale.py): teams of two speakers, four prelim rounds of random pairings,
one chair per debate with a confirmed ballot, debates confirmed. Times are medians:
  compute  team_tab + speaker_tab + nominations (as the page calls them)
  page     GET /t/<tid>/leagues/<lid>/standings through the Flask test client (signed in)
  baseline the same page for a --small league, and the pure tab functions alone
           (debate.tab.standings on the already-loaded results) for the big league.
The SQL statements per page are counted too.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import event, insert  # noqa: E402

from debate.extensions import db  # noqa: E402
from debate.models import (Adjudicator, Ballot, Debate, DebateAdjudicator, League, Round,  # noqa: E402
                           Speaker, Team, Tournament, TournamentMember)


def _ids(model, rows):
    """Bulk INSERT ... RETURNING id, in parameter order."""
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def build_league(n_teams: int, n_rounds: int = 4, seed: int = 1, user_id: int | None = None,
                 nominations: bool = True, name: str | None = None):
    """A tournament with one league of n_teams teams after n_rounds confirmed prelim rounds.
    Returns (tournament_id, league_id). Inserts in bulk; commits."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    t = Tournament(name=name or f"Scale {n_teams}", stage="republican", settings={})
    db.session.add(t)
    db.session.flush()
    lg = League(tournament_id=t.id, language="kk", name=f"League {n_teams}")
    db.session.add(lg)
    if user_id is not None:
        db.session.add(TournamentMember(user_id=user_id, tournament_id=t.id, role="director"))
    db.session.flush()
    team_ids = _ids(Team, [{"tournament_id": t.id, "league_id": lg.id, "name": f"Команда {i}", "created_at": now}
                           for i in range(n_teams)])
    spk = _ids(Speaker, [{"team_id": tid, "position": p, "name": f"Сөйлеуші {tid}-{p}"}
                         for tid in team_ids for p in (1, 2)])
    speakers = {tid: (spk[2 * i], spk[2 * i + 1]) for i, tid in enumerate(team_ids)}
    n_debates = n_teams // 2
    adjs = _ids(Adjudicator, [{"tournament_id": t.id, "name": f"Төреші {i}", "languages": ["kk"], "rating": 5.0,
                               "available": True, "private_key": f"k{t.id}-{i}-{rng.random()}", "created_at": now}
                              for i in range(n_debates)])
    for number in range(1, n_rounds + 1):
        rnd = Round(tournament_id=t.id, seq=number, number=number, kind="prelim", draw_released=True,
                    results_released=True)
        db.session.add(rnd)
        db.session.flush()
        order = team_ids[:]
        rng.shuffle(order)
        pairs = [(order[2 * i], order[2 * i + 1]) for i in range(n_debates)]
        ballots = []
        for i, (gov, opp) in enumerate(pairs):
            hi, lo = rng.choice([27, 27.5, 28, 28.5]), rng.choice([25, 25.5, 26, 26.5])
            winner = rng.choice(["gov", "opp"])
            scores = ({"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if winner == "gov"
                      else {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5})
            noms = {"orator": speakers[gov][0], "analyst": speakers[opp][1]} if nominations and i % 3 == 0 else {}
            ballots.append({"winner": winner, "scores": scores, "nominations": noms,
                            "speakers": {"PM": speakers[gov][0], "MG": speakers[gov][1],
                                         "LO": speakers[opp][0], "MO": speakers[opp][1]}})
        debate_ids = _ids(Debate, [{"round_id": rnd.id, "league_id": lg.id, "gov_team_id": gov, "opp_team_id": opp,
                                    "flags": [], "winner": b["winner"], "confirmed_at": now}
                                   for (gov, opp), b in zip(pairs, ballots)])
        db.session.execute(insert(DebateAdjudicator), [
            {"round_id": rnd.id, "debate_id": did, "adjudicator_id": adjs[i], "role": "chair", "position": 0,
             "locked": False} for i, did in enumerate(debate_ids)])
        db.session.execute(insert(Ballot), [
            {"debate_id": did, "adjudicator_id": adjs[i], "client_id": f"t{t.id}-r{number}-d{did}", "version": 1,
             "status": "confirmed", "confirmed_by_id": user_id, "confirmed_at": now, "created_at": now, **b}
            for i, (did, b) in enumerate(zip(debate_ids, ballots))])
    db.session.commit()
    return t.id, lg.id


class QueryCounter:
    """Counts SQL statements sent through the engine while active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _on(self, *args, **kw):
        self.count += 1

    def __enter__(self):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on)


def _median(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teams", type=int, default=2000)
    ap.add_argument("--small", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--pg", help="postgresql:// URL of a scratch database (default: SQLite in a temp dir)")
    args = ap.parse_args()

    from debate import create_app
    from debate.models import Region
    from debate.regions import REGIONS
    from debate.services import standings as svc
    from debate.services.accounts import create_user
    from debate.services.history import league_history
    from debate.tab import standings as tab_standings

    tmp = tempfile.mkdtemp(prefix="bench-standings-")
    os.environ["INSTANCE_PATH"] = tmp
    url = args.pg.replace("postgresql://", "postgresql+psycopg://", 1) if args.pg else f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "localhost"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(Region(code=c, kind=k, name_kk=kk, name_ru=ru, name_en=en) for c, k, kk, ru, en in REGIONS)
        user = create_user("bench", "bench-password-1")
        db.session.commit()
        uid = user.id
        t0 = time.perf_counter()
        big = build_league(args.teams, args.rounds, user_id=uid, seed=1)
        t_build = time.perf_counter() - t0
        small = build_league(args.small, args.rounds, user_id=uid, seed=2)
        engine = db.engine
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.machine()}) "
          f"db={engine.dialect.name}")
    print(f"league: {args.teams} teams, {2 * args.teams} speakers, {args.rounds} rounds "
          f"(built in {t_build:.1f} s); baseline league: {args.small} teams")

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    r = client.post("/login", data={"username": "bench", "password": "bench-password-1"})
    assert r.status_code == 302, r.status_code

    def page(tl):
        resp = client.get(f"/t/{tl[0]}/leagues/{tl[1]}/standings")
        assert resp.status_code == 200, resp.status_code
        return resp.data

    def compute(lid):
        with app.app_context():
            league = db.session.get(League, lid)
            out = (svc.team_tab(league), svc.speaker_tab(league), svc.nominations(league))
            db.session.remove()
            return out

    with app.app_context():
        league = db.session.get(League, big[1])
        h = league_history(league)
        n_teams = len(h.team_ids)
        prec = svc.precedence(league.tournament)
        db.session.remove()

    def pure():
        tab_standings.team_standings(h.team_ids, h.team_results, prec)
        tab_standings.speaker_standings(h.speakers, h.speaker_results, h.rounds_held, 1)

    page(big), page(small)  # warm up (templates, caches)
    with QueryCounter(engine) as qc_big:
        body = page(big)
    with QueryCounter(engine) as qc_small:
        page(small)
    t_pure, _ = _median(pure, args.repeat)
    t_compute, (rows, srows, _n) = _median(lambda: compute(big[1]), args.repeat)
    t_page, _ = _median(lambda: page(big), args.repeat)
    t_small, _ = _median(lambda: page(small), args.repeat)
    assert len(rows) == n_teams and len(srows) == 2 * n_teams
    print(f"pure tab functions ({args.teams} teams)      {t_pure * 1000:8.1f} ms")
    print(f"compute team+speaker+nominations          {t_compute * 1000:8.1f} ms   x{t_compute / t_pure:.1f} of pure")
    print(f"page GET, {args.teams} teams ({len(body) // 1024} KiB, {qc_big.count} SQL)  "
          f"{t_page * 1000:8.1f} ms   (goal < 200 ms)")
    print(f"page GET, {args.small} teams ({qc_small.count} SQL)             {t_small * 1000:8.1f} ms   "
          f"big/small x{t_page / t_small:.1f}")


if __name__ == "__main__":
    main()
