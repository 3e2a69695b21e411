"""Appeals against a round's results (regulations cl. 25–26).

A team, or its coach, files from the public page /appeal/<tournament id> with the team's
name and the team's appeal code (handed to the team at registration on a printed slip),
from the moment the round's results are released until appeal_window_hours later (3 h at the
republican stage, 24 h before, unless the tournament sets it). Wrong codes are throttled per
(team, address) after APPEAL_MAX_FAILURES and per address after APPEAL_MAX_FAILURES_PER_ADDRESS
within APPEAL_FAILURE_SECONDS, with a wait that doubles (services/throttle.py): wrong codes typed
elsewhere never keep the team itself out. The director
records the decision; a correction is a new ballot version entered for the adjudicator
(services.ballots.submit_ballot with entered_by) that another member of the tab staff
confirms, as for every ballot entered by hand. Every step goes to the audit log.

Every function that depends on the clock takes `now`.
"""
import hmac
import uuid
from datetime import timedelta, timezone

from sqlalchemy import func, or_, select

from ..core.extensions import db
from ..models import Appeal, AuditEntry, Bye, Debate, Round, Team, TeamAppealCode
from ..models.participants import normalise_name
from ..settings import get_setting
from ..text.i18n import iso_time
from . import corrections as corrections_svc
from . import spreadsheet, throttle
from .audit import audit
from .awards import normalise_code, team_code, team_codes
from .errors import Refused

APPEAL_MAX_FAILURES = 5
APPEAL_MAX_FAILURES_PER_ADDRESS = 20
APPEAL_FAILURE_SECONDS = 3600
APPEAL_POLICY = throttle.Policy("appeal", APPEAL_MAX_FAILURES, APPEAL_MAX_FAILURES_PER_ADDRESS,
                                base_seconds=60, max_seconds=900, window_seconds=APPEAL_FAILURE_SECONDS)
TEXT_MIN, TEXT_MAX = 10, 3000
DECISIONS = ("upheld", "partly", "rejected")


def _aware(dt):
    return dt if dt is None or dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def results_announced_at(rnd, league_id=None):
    """When the round's results were (last) released in the league (league_id None: the earliest
    of the round's leagues still released): the audit log's round_released entry that turned them
    on there and has not been withdrawn since. None while not released."""
    if league_id is None:
        starts = [s for s in (results_announced_at(rnd, rl.league_id) for rl in rnd.leagues) if s is not None]
        return min(starts) if starts else None
    rl = rnd.league_part(league_id)
    if rl is None or not rl.results_released:
        return None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.tournament_id == rnd.tournament_id, AuditEntry.object_type == "round",
        AuditEntry.object_id == rnd.id, AuditEntry.action == "round_released").order_by(AuditEntry.id)).all()
    start = None
    for e in entries:
        details = e.details or {}
        if "state" in details:  # per league since release per league; older entries cover every league
            if str(league_id) not in details["state"]:
                continue
            on = bool(details["state"][str(league_id)].get("results"))
        else:
            on = bool(details.get("results"))
        if on and start is None:
            start = _aware(e.at)
        elif not on:
            start = None
    return start


def window_hours(t) -> float:
    return float(t.setting("appeal_window_hours"))


def window(rnd, league_id=None):
    """(opens, closes) of the round's appeal window in the league (league_id None: in the league
    whose results came out first), or None before the results are out there."""
    start = results_announced_at(rnd, league_id)
    if start is None:
        return None
    return start, start + timedelta(hours=window_hours(rnd.tournament))


def window_open(rnd, now, league_id=None) -> bool:
    w = window(rnd, league_id)
    return w is not None and w[0] <= _aware(now) < w[1]


def open_rounds(t, now) -> list:
    """Rounds whose appeal window is open in at least one league."""
    rounds = db.session.scalars(select(Round).where(Round.tournament_id == t.id).order_by(Round.seq)).all()
    return [r for r in rounds if any(window_open(r, now, rl.league_id) for rl in r.leagues)]


def _find_team(t, team_name):
    key = normalise_name(team_name)
    if not key:
        return None
    for team in db.session.scalars(select(Team).where(Team.tournament_id == t.id)):
        if normalise_name(team.name) == key:
            return team
    return None


def _debate_of(rnd, team):
    return db.session.scalar(select(Debate).where(Debate.round_id == rnd.id, or_(
        Debate.gov_team_id == team.id, Debate.opp_team_id == team.id)))


def file_appeal(t, team_name, code, round_id, text, now, filed_by="team", address="") -> Appeal:
    """Check the team, its code, the round and the window; store the appeal. Raises
    Refused. A wrong team or code is recorded for throttling (params "record": the caller must
    commit even on that refusal so the count holds); while this address must wait, the refusal
    is 429 with params "seconds"."""
    now = _aware(now)
    team = _find_team(t, team_name)
    wait = throttle.wait_seconds(APPEAL_POLICY, team.id if team else None, address, now)
    if wait:
        raise Refused(429, "appeal_too_many_attempts", {"seconds": wait})
    if team is None:
        throttle.record_failure(APPEAL_POLICY, "?", address, now)
        raise Refused(422, "appeal_bad_team_or_code", {"record": True})
    stored = db.session.scalar(select(TeamAppealCode.code).where(TeamAppealCode.team_id == team.id))
    if stored is None or not hmac.compare_digest(stored, normalise_code(code)):
        throttle.record_failure(APPEAL_POLICY, team.id, address, now)
        raise Refused(422, "appeal_bad_team_or_code", {"record": True})
    appeal = file_appeal_for_team(t, team, round_id, text, now, filed_by)
    throttle.clear(APPEAL_POLICY, team.id, address)
    return appeal


def file_appeal_for_team(t, team, round_id, text, now, filed_by="team") -> Appeal:
    """An appeal by a team already identified (its code checked, or its private page's key):
    checks the round, the window and the text; stores the appeal. Raises Refused."""
    now = _aware(now)
    rnd = db.session.get(Round, int(round_id)) if str(round_id or "").isdigit() else None
    if rnd is None or rnd.tournament_id != t.id:
        raise Refused(422, "appeal_unknown_round")
    w = window(rnd, team.league_id)
    if w is None or now < w[0]:
        raise Refused(409, "appeal_not_open")
    if now >= w[1]:
        raise Refused(409, "appeal_window_closed", {"closed": w[1]})
    debate = _debate_of(rnd, team)
    had_bye = db.session.scalar(select(Bye.id).where(Bye.round_id == rnd.id, Bye.team_id == team.id))
    if debate is None and had_bye is None:
        raise Refused(422, "appeal_team_not_in_round")
    text = (text or "").strip()
    if len(text) < TEXT_MIN or len(text) > TEXT_MAX:
        raise Refused(422, "appeal_text_length", {"min": TEXT_MIN, "max": TEXT_MAX})
    if filed_by not in ("team", "coach"):
        filed_by = "team"
    pending = db.session.scalar(select(func.count()).select_from(Appeal).where(
        Appeal.team_id == team.id, Appeal.round_id == rnd.id, Appeal.status == "pending"))
    if pending:
        raise Refused(409, "appeal_already_pending")
    appeal = Appeal(tournament_id=t.id, round_id=rnd.id, team_id=team.id, debate_id=debate.id if debate else None,
                    filed_by=filed_by, text=text, filed_at=now, status="pending", correction_ballot_ids=[])
    db.session.add(appeal)
    db.session.flush()
    audit(t.id, "appeal_filed", appeal, team_id=team.id, team=team.name, round_id=rnd.id, filed_by=filed_by,
          text=text, at=now.isoformat())
    return appeal


def decide(appeal, user, decision, text, now) -> Appeal:
    if decision not in DECISIONS:
        raise Refused(422, "choice")
    text = (text or "").strip()
    if not text:
        raise Refused(422, "required")
    appeal.status, appeal.decision = decision, text[:TEXT_MAX]
    appeal.decided_by_id, appeal.decided_at = user.id, _aware(now)
    audit(appeal.tournament_id, "appeal_decided", appeal, user=user, decision=decision, text=appeal.decision,
          at=appeal.decided_at.isoformat())
    return appeal


def enter_correction(appeal, user, adjudicator, data: dict, dry_run=False) -> dict:
    """A corrected ballot for one panellist of the appealed debate, through the one correction
    path (services.corrections.correct: a new version of their ballot, audited with the
    appeal as its reason, confirmed as the tournament's confirmation setting says).
    Returns what correct() returns (the ballot, the result, what it touches)."""
    if appeal.debate_id is None:
        raise Refused(422, "appeal_no_debate")
    reason = data.get("reason") or f"appeal {appeal.id} {appeal.status}: {appeal.decision or ''}".strip()
    data = {**data, "adjudicator_id": adjudicator.id, "reason": reason,
            "client_id": f"appeal-{appeal.id}-{uuid.uuid4().hex[:16]}"}
    out = corrections_svc.correct(appeal.debate, user, data, dry_run=dry_run, source={"appeal_id": appeal.id})
    if not dry_run:
        ballot_id = out["ballot"]["id"]
        appeal.correction_ballot_ids = [*(appeal.correction_ballot_ids or []), ballot_id]
        audit(appeal.tournament_id, "appeal_correction_entered", appeal, user=user, ballot_id=ballot_id,
              adjudicator_id=adjudicator.id, version=out["ballot"]["version"], winner=out["ballot"]["winner"])
    return out


def appeals_of(t) -> list[Appeal]:
    return db.session.scalars(select(Appeal).where(Appeal.tournament_id == t.id)
                              .order_by(Appeal.filed_at, Appeal.id)).all()


def export_csv(t, headers: dict, status_names: dict, round_title) -> bytes:
    """The appeals and decisions as CSV (UTF-8 with BOM so spreadsheet programs read Cyrillic)."""
    cols = ("id", "filed_at", "team", "filed_by", "round", "debate", "text", "status", "decision", "decided_at",
            "decided_by", "corrections")
    zone = get_setting(t, "timezone")
    rows = [[a.id, iso_time(a.filed_at, zone), a.team.name, a.filed_by,
             round_title(a.round), a.debate_id or "", a.text, status_names.get(a.status, a.status),
             a.decision or "", iso_time(a.decided_at, zone) or "",
             a.decided_by.username if a.decided_by else "",
             " ".join(str(b) for b in a.correction_ballot_ids or [])] for a in appeals_of(t)]
    return spreadsheet.write_csv([headers[c] for c in cols], rows)


def ensure_team_codes(t) -> dict:
    return team_codes(t)


__all__ = ["Refused", "file_appeal", "decide", "enter_correction", "window", "window_open", "open_rounds",
           "file_appeal_for_team", "results_announced_at", "appeals_of", "export_csv", "team_code", "ensure_team_codes"]
