"""Appeals: the window after the results are released is enforced to the second, and a filed
appeal and the director's decision go to the audit log and the CSV export (issue 9, item 5)."""
import csv
import io
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Appeal, AuditEntry, Debate, LoginAttempt, Round, Team, Tournament, TournamentMember, User
from debate.services import appeals as svc
from debate.services.awards import team_codes
from debate.services.errors import Refused
from tests.flow import run_prelim_round, setup_tournament

TEXT = "The adjudicator mixed up the speaker scores of our second speaker."
RELEASED = datetime(2026, 3, 14, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def released(app, api, client):
    """One released prelim; its release moved to a known time in the audit log."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk", "ru"))
    rnd, _draw = run_prelim_round(api, client, t, keys, random.Random(5))
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "round_released", AuditEntry.object_id == rnd["id"])).all()
        assert entries
        for e in entries:
            e.at = RELEASED
        tt = db.session.get(Tournament, t["id"])
        team = db.session.scalar(select(Team).join(Debate, Debate.gov_team_id == Team.id)
                                 .where(Debate.round_id == rnd["id"]))
        code = team_codes(tt)[team.id]
        db.session.commit()
        return {"tid": t["id"], "rid": rnd["id"], "team": team.name, "team_id": team.id, "code": code}


def _file(r, now, code=None, text=TEXT, team=None):
    t = db.session.get(Tournament, r["tid"])
    return svc.file_appeal(t, team or r["team"], code or r["code"], str(r["rid"]), text, now)


def _refused(fn):
    with pytest.raises(Refused) as e:
        fn()
    db.session.rollback()
    return e.value.code


def test_window_is_three_hours_at_the_republican_stage(app, released):
    with app.app_context():
        rnd = db.session.get(Round, released["rid"])
        opens, closes = svc.window(rnd)
        assert opens == RELEASED and closes == RELEASED + timedelta(hours=3)
        assert not svc.window_open(rnd, RELEASED - timedelta(seconds=1))
        assert svc.window_open(rnd, RELEASED)
        assert svc.window_open(rnd, closes - timedelta(seconds=1))
        assert not svc.window_open(rnd, closes)
        # A naive "now" (as datetime.utcnow() gives) is read as UTC, not refused with a TypeError.
        assert svc.window_open(rnd, RELEASED.replace(tzinfo=None))
        assert not svc.window_open(rnd, closes.replace(tzinfo=None))
        t = db.session.get(Tournament, released["tid"])
        assert [x.id for x in svc.open_rounds(t, closes - timedelta(seconds=1))] == [rnd.id]
        assert svc.open_rounds(t, closes) == []


def test_filing_just_before_and_just_after_the_window_closes(app, released):
    closes = RELEASED + timedelta(hours=3)
    with app.app_context():
        assert _refused(lambda: _file(released, closes)) == "appeal_window_closed"
        assert _refused(lambda: _file(released, closes + timedelta(minutes=5))) == "appeal_window_closed"
        assert _refused(lambda: _file(released, RELEASED - timedelta(seconds=1))) == "appeal_not_open"
        assert db.session.scalars(select(Appeal)).all() == []
        a = _file(released, closes - timedelta(seconds=1))
        db.session.commit()
        assert (a.team_id, a.round_id, a.status) == (released["team_id"], released["rid"], "pending")
        assert a.debate_id is not None
        # a second pending appeal for the same round is refused
        assert _refused(lambda: _file(released, closes - timedelta(seconds=1))) == "appeal_already_pending"


def test_window_follows_the_tournament_setting(app, released):
    with app.app_context():
        t = db.session.get(Tournament, released["tid"])
        t.settings = {**(t.settings or {}), "appeal_window_hours": 24}
        db.session.commit()
        assert _refused(lambda: _file(released, RELEASED + timedelta(hours=24))) == "appeal_window_closed"
        _file(released, RELEASED + timedelta(hours=24) - timedelta(seconds=1))
        db.session.commit()


def test_unreleased_round_is_not_open(app, released):
    with app.app_context():
        rnd = db.session.get(Round, released["rid"])
        rnd.results_released = False
        db.session.commit()
        assert svc.window(rnd) is None
        assert _refused(lambda: _file(released, RELEASED + timedelta(minutes=1))) == "appeal_not_open"


def test_wrong_code_is_counted_and_refused_after_the_limit(app, released):
    now = RELEASED + timedelta(minutes=10)
    wrong = "A" * 16 if released["code"] != "A" * 16 else "B" * 16
    with app.app_context():
        for _ in range(svc.APPEAL_MAX_FAILURES):
            with pytest.raises(Refused) as e:
                _file(released, now, code=wrong)
            assert e.value.code == "appeal_bad_team_or_code" and e.value.params.get("record")
            db.session.commit()
        assert _refused(lambda: _file(released, now)) == "appeal_too_many_attempts"
        # an hour later the right code works again
        _file(released, now + timedelta(seconds=svc.APPEAL_FAILURE_SECONDS + 1))
        db.session.commit()
        assert db.session.scalars(select(LoginAttempt)).all() == []
        assert _refused(lambda: _file(released, now, team="no such team")) == "appeal_bad_team_or_code"


def test_filing_and_decision_are_logged_and_exported(app, client, released, login):
    uid = login("boss", "boss-password-1")
    filed_at = RELEASED + timedelta(hours=1)
    decided_at = RELEASED + timedelta(hours=5)
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=released["tid"], role="director"))
        a = _file(released, filed_at)
        db.session.commit()
        aid = a.id
        boss = db.session.get(User, uid)
        assert _refused(lambda: svc.decide(db.session.get(Appeal, aid), boss, "maybe", "x", decided_at)) == "choice"
        assert _refused(lambda: svc.decide(db.session.get(Appeal, aid), boss, "rejected", "  ", decided_at)) \
            == "required"
        svc.decide(db.session.get(Appeal, aid), boss, "rejected", "Scores were entered correctly.", decided_at)
        db.session.commit()
        log = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "appeal",
                                                          AuditEntry.object_id == aid).order_by(AuditEntry.id)).all()
        assert [e.action for e in log] == ["appeal_filed", "appeal_decided"]
        filed, decided = log
        assert filed.tournament_id == released["tid"] and filed.user_id is None
        assert filed.details["team"] == released["team"] and filed.details["round_id"] == released["rid"]
        assert filed.details["text"] == TEXT and filed.details["at"] == filed_at.isoformat()
        assert decided.user_id == uid and decided.details["decision"] == "rejected"
        assert decided.details["text"] == "Scores were entered correctly."
        assert decided.details["at"] == decided_at.isoformat()
        a = db.session.get(Appeal, aid)
        assert (a.status, a.decided_by_id) == ("rejected", uid)
    r = client.get(f"/t/{released['tid']}/appeals.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "ID" and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["ID"] == str(aid)
    assert row["Team"] == released["team"] and row["Appeal"] == TEXT
    # In the tournament's time zone (Asia/Almaty by default), with its offset (issue 19).
    assert row["Filed at"] == filed_at.astimezone(ZoneInfo("Asia/Almaty")).isoformat(timespec="seconds")
    assert row["Decision"] == "Scores were entered correctly."
    assert row["Decided at"] == decided_at.astimezone(ZoneInfo("Asia/Almaty")).isoformat(timespec="seconds")
    assert row["Decided by"] == "boss" and row["Status"] != "pending"
