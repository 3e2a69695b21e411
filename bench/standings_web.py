"""Benchmark: the director's standings page of a 2,000-team league after four rounds,
end to end (database reads, standings, nominations, HTML), beside baselines in the same run.

Run from the repository root:
    .venv/bin/python bench/standings_web.py [--teams 2000] [--small 20] [--repeat 9] [--panel 1]
                                            [--pg postgresql://postgres@127.0.0.1:5432/test]

SQLite in a temp dir by default; with --pg the URL is only used to create (and afterwards drop)
a scratch database bench_standings_<pid> on that server, so no other database is touched; the
tables are ANALYZEd after the bulk load (as autovacuum would on a live server).
The league is inserted in bulk through the models (build_league, also used by
tests/test_standings_scale.py): teams of two speakers, four prelim rounds of random pairings,
--panel adjudicators per debate (the first is the chair), each with a confirmed ballot.
Nothing is cached between requests (each request has its own session), so every page GET
reads and recomputes the whole tab from the ballots: "cold" for the data. Times are medians:
  pure     debate.tab.standings team_standings + speaker_standings on already-loaded results
  history  services.history.league_history (SQL + recomputing every debate from its ballots)
  compute  team_rows + speaker_rows + nomination_rows (what the page calls: plain rows + names)
  orm      team_tab + speaker_tab + nominations (ORM Team/Speaker objects, as exports, the API
           and the public pages call them)
  page     GET /t/<tid>/leagues/<lid>/standings through the Flask test client (signed in)
  first    the very first GET of the big page in this process (templates compiled then)
  small    the same page for a --small league (baseline)
The SQL statements per page are counted too, and the load average is printed.
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

from debate.core.extensions import db  # noqa: E402
from debate.models import (Adjudicator, Ballot, Debate, DebateAdjudicator, League, Round, RoundLeague,  # noqa: E402
                           Speaker, Team, Tournament, TournamentMember)


def _ids(model, rows):
    """Bulk INSERT ... RETURNING id, in parameter order."""
    if not rows:
        return []
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def build_league(n_teams: int, n_rounds: int = 4, seed: int = 1, user_id: int | None = None,
                 nominations: bool = True, name: str | None = None, panel: int = 1):
    """A tournament with one league of n_teams teams after n_rounds confirmed prelim rounds.
    Each debate has `panel` adjudicators (the first is the chair), each with a confirmed ballot
    of their own (random winner; an even split is decided by the chair). Returns
    (tournament_id, league_id). Inserts in bulk; commits."""
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
                              for i in range(n_debates * panel)])
    for number in range(1, n_rounds + 1):
        rnd = Round(tournament_id=t.id, seq=number, number=number, kind="prelim",
                    leagues=[RoundLeague(league_id=lg.id, draw_released=True, results_released=True)])
        db.session.add(rnd)
        db.session.flush()
        order = team_ids[:]
        rng.shuffle(order)
        pairs = [(order[2 * i], order[2 * i + 1]) for i in range(n_debates)]
        panels, winners = [], []
        for i, (gov, opp) in enumerate(pairs):
            ballots = []
            for j in range(panel):
                hi, lo = rng.choice([27, 27.5, 28, 28.5]), rng.choice([25, 25.5, 26, 26.5])
                winner = rng.choice(["gov", "opp"])
                scores = ({"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if winner == "gov"
                          else {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5})
                noms = ({"orator": speakers[gov][0], "analyst": speakers[opp][1]}
                        if nominations and i % 3 == 0 and j == 0 else {})
                ballots.append({"winner": winner, "scores": scores, "nominations": noms,
                                "speakers": {"PM": speakers[gov][0], "MG": speakers[gov][1],
                                             "LO": speakers[opp][0], "MO": speakers[opp][1]}})
            gov_votes = sum(b["winner"] == "gov" for b in ballots)
            winners.append("gov" if 2 * gov_votes > panel else "opp" if 2 * gov_votes < panel
                           else ballots[0]["winner"])
            panels.append(ballots)
        debate_ids = _ids(Debate, [{"round_id": rnd.id, "league_id": lg.id, "gov_team_id": gov, "opp_team_id": opp,
                                    "flags": [], "winner": w, "confirmed_at": now}
                                   for (gov, opp), w in zip(pairs, winners)])
        db.session.execute(insert(DebateAdjudicator), [
            {"round_id": rnd.id, "debate_id": did, "adjudicator_id": adjs[i * panel + j],
             "role": "chair" if j == 0 else "panellist", "position": j, "locked": False}
            for i, did in enumerate(debate_ids) for j in range(panel)])
        db.session.execute(insert(Ballot), [
            {"debate_id": did, "adjudicator_id": adjs[i * panel + j], "client_id": f"t{t.id}-r{number}-d{did}-{j}",
             "version": 1, "status": "confirmed", "confirmed_by_id": user_id, "confirmed_at": now, "created_at": now,
             **b}
            for i, (did, ballots) in enumerate(zip(debate_ids, panels)) for j, b in enumerate(ballots)])
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


def _scratch_pg(admin_url):
    """Create a scratch database next to admin_url's; returns (SQLAlchemy URL, drop function)."""
    import psycopg
    name = f"bench_standings_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}", drop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teams", type=int, default=2000)
    ap.add_argument("--small", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--panel", type=int, default=1, help="adjudicators (ballots) per debate")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--pg", help="postgresql:// URL of a server (a scratch database is created there)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-standings-")
    os.environ["INSTANCE_PATH"] = tmp
    drop = None
    if args.pg:
        url, drop = _scratch_pg(args.pg)
    else:
        url = f"sqlite:///{tmp}/bench.db"
    try:
        run(args, url)
    finally:
        if drop is not None:
            from debate.core.extensions import db as _db
            try:
                _db.engine.dispose()
            except Exception:  # noqa: BLE001 (no app context: nothing to dispose)
                pass
            drop()


def run(args, url):
    from debate import create_app
    from debate.models import Region
    from debate.text.regions import REGIONS
    from debate.services import standings as svc
    from debate.services.accounts import create_user
    from debate.services.history import league_history, league_roster
    from debate.tab import standings as tab_standings

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
        big = build_league(args.teams, args.rounds, user_id=uid, seed=1, panel=args.panel)
        t_build = time.perf_counter() - t0
        small = build_league(args.small, args.rounds, user_id=uid, seed=2, panel=args.panel)
        engine = db.engine
        server = ""
        if engine.dialect.name == "postgresql":
            # planner statistics after the bulk load, as autovacuum keeps them on a live server
            # (without them PostgreSQL joins 4,000 debates to their ballots by 4,000 index probes)
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            server = " " + db.session.execute(db.text("SHOW server_version")).scalar().split()[0]
        else:
            import sqlite3
            server = " " + sqlite3.sqlite_version
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.machine()}) "
          f"db={engine.dialect.name}{server} load average {os.getloadavg()[0]:.2f}")
    print(f"league: {args.teams} teams, {2 * args.teams} speakers, {args.rounds} rounds, panel {args.panel} "
          f"({args.teams // 2 * args.rounds} debates, {args.teams // 2 * args.rounds * args.panel} ballots; "
          f"built in {t_build:.1f} s); baseline league: {args.small} teams")

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    r = client.post("/login", data={"username": "bench", "password": "bench-password-1"})
    assert r.status_code == 302, r.status_code

    def page(tl):
        resp = client.get(f"/t/{tl[0]}/leagues/{tl[1]}/standings")
        assert resp.status_code == 200, resp.status_code
        return resp.data

    def in_session(fn):
        def call():
            with app.app_context():
                league = db.session.get(League, big[1])
                league.tournament.settings  # noqa: B018 (as the page has it loaded)
                try:
                    with svc.quiet_gc():
                        return fn(league)
                finally:
                    db.session.remove()
        return call

    t0 = time.perf_counter()
    page(big)
    t_first = time.perf_counter() - t0
    page(small)

    with app.app_context():
        league = db.session.get(League, big[1])
        h = league_history(league)
        n_teams = len(h.team_ids)
        prec = svc.precedence(league.tournament)
        db.session.remove()

    def pure():
        tab_standings.team_standings(h.team_ids, h.team_results, prec)
        tab_standings.speaker_standings(h.speakers, h.speaker_results, h.rounds_held, 1)

    with QueryCounter(engine) as qc_big:
        body = page(big)
    with QueryCounter(engine) as qc_small:
        page(small)
    t_pure, _ = _median(pure, args.repeat)
    t_hist, _ = _median(in_session(lambda lg: league_history(lg, roster=league_roster(lg))), args.repeat)
    t_compute, (rows, srows, _n) = _median(in_session(
        lambda lg: (svc.team_rows(lg), svc.speaker_rows(lg), svc.nomination_rows(lg))), args.repeat)
    t_orm, _ = _median(in_session(lambda lg: (svc.team_tab(lg), svc.speaker_tab(lg), svc.nominations(lg))),
                       args.repeat)
    t_page, _ = _median(lambda: page(big), args.repeat)
    t_small, _ = _median(lambda: page(small), args.repeat)
    assert len(rows) == n_teams and len(srows) == 2 * n_teams
    goal = "goal < 200 ms: " + ("met" if t_page < 0.2 else "MISSED")
    print(f"pure tab functions ({args.teams} teams)        {t_pure * 1000:8.1f} ms")
    print(f"league_history (SQL + recompute)           {t_hist * 1000:8.1f} ms   x{t_hist / t_pure:.1f} of pure")
    print(f"compute team+speaker rows+nominations       {t_compute * 1000:8.1f} ms   x{t_compute / t_pure:.1f} of pure")
    print(f"the same with ORM Team/Speaker objects      {t_orm * 1000:8.1f} ms   x{t_orm / t_pure:.1f} of pure")
    print(f"page GET, {args.teams} teams, first in process   {t_first * 1000:8.1f} ms")
    print(f"page GET, {args.teams} teams ({len(body) // 1024} KiB, {qc_big.count} SQL) "
          f"{t_page * 1000:8.1f} ms   ({goal})")
    print(f"page GET, {args.small} teams ({qc_small.count} SQL)               {t_small * 1000:8.1f} ms   "
          f"big/small x{t_page / t_small:.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
