"""The demo tournament, and the migrations building the schema from empty."""
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from debate.core.extensions import db
from debate.models import Adjudicator, Room, Team, Tournament

ROOT = Path(__file__).resolve().parent.parent


def test_demo_looks_like_the_republican_stage(app):
    from debate.commands.demo import create_demo
    with app.app_context():
        t, user, password = create_demo("demo", "demo-password")
        db.session.commit()
        assert t.stage == "republican"
        assert [lg.language for lg in t.leagues] == ["kk", "ru", "en"]
        # each league's documents name the venue in its language (issue 19)
        assert len({t.venue_in(lg.language) for lg in t.leagues}) == 3 and "Дворец" in t.venue_in("ru")
        teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id)).all()
        assert len(teams) == 60
        per_league = Counter(team.league_id for team in teams)
        assert sorted(per_league.values()) == [20, 20, 20]
        for lg in t.leagues:
            regions = [team.school.region_code for team in teams if team.league_id == lg.id]
            assert len(set(regions)) == 20  # one team per region per league
        assert all(len(team.speakers) == 2 for team in teams)
        adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)).all()
        assert len(adjs) == 90
        for lang in ("kk", "ru", "en"):
            assert sum(lang in a.languages for a in adjs) >= 33
        assert db.session.query(Room).count() == 30
        assert user.check_password("demo-password")


def _flask_db(url, tmp_path, *args):
    """`flask db ARGS` on the database at url, in a child process; it must succeed."""
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def _on_scratch_postgresql(check, tmp_path):
    """check(url, tmp_path) on a new empty PostgreSQL database, dropped afterwards."""
    base = os.environ.get("TEST_PG_ADMIN_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("no PostgreSQL configured (set TEST_DATABASE_URL)")
    name = f"debate_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        check(base.rsplit("/", 1)[0] + "/" + name, tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _check_schema(url, tmp_path):
    _flask_db(url, tmp_path, "upgrade")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    tables = set(inspect(engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM regions")).scalar() == 20
    engine.dispose()
    # and the models match the migrated schema exactly (nothing left for autogenerate)
    _flask_db(url, tmp_path, "check")


def test_migrations_from_empty_on_sqlite(tmp_path):
    _check_schema(f"sqlite:///{tmp_path}/m.db", tmp_path)


def test_migrations_from_empty_on_postgresql(tmp_path):
    _on_scratch_postgresql(_check_schema, tmp_path)


def _check_venues_migration(url, tmp_path):
    """0015 (per-language venues) up and down on a database holding a tournament: `venue` keeps
    its value both ways; upgrading again works."""
    _flask_db(url, tmp_path, "upgrade", "0014_docs19_diploma_ties")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    venue = "Астана, Әл-Фараби атындағы Оқушылар сарайы"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tournaments (name, stage, venue, settings, team_standings_released, "
                          "speaker_standings_released, bracket_released, created_at) VALUES ('T', 'republican', "
                          ":v, '{}', false, false, false, CURRENT_TIMESTAMP)"), {"v": venue})
    try:
        _flask_db(url, tmp_path, "upgrade", "0015_venue_per_language")
        assert "venues" in {c["name"] for c in inspect(engine).get_columns("tournaments")}
        with engine.begin() as conn:
            assert conn.execute(text("SELECT venue, venues FROM tournaments")).one() == (venue, None)
            conn.execute(text("UPDATE tournaments SET venues = :j"), {"j": '{"ru": "Дворец школьников"}'})
        _flask_db(url, tmp_path, "downgrade", "0014_docs19_diploma_ties")
        engine.dispose()
        assert "venues" not in {c["name"] for c in inspect(engine).get_columns("tournaments")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT venue FROM tournaments")).scalar() == venue
        _flask_db(url, tmp_path, "upgrade", "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT venue, venues FROM tournaments")).one() == (venue, None)
    finally:
        engine.dispose()


def test_venues_migration_up_and_down_on_sqlite(tmp_path):
    _check_venues_migration(f"sqlite:///{tmp_path}/v.db", tmp_path)


def test_venues_migration_up_and_down_on_postgresql(tmp_path):
    _on_scratch_postgresql(_check_venues_migration, tmp_path)
