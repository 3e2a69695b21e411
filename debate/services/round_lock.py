"""What was confirmed stays confirmed: a round with a confirmed result is locked. Regenerating its
draw, re-allocating, and every manual change of teams, sides, panels or rooms is refused with
`409 round_locked` (checked here, called by services/rounds.py and services/draw_edits.py).

The only way round is a director's explicit "unlock for correction", with a reason, audited, after
a preview of what it exposes. An unlock lasts until the director locks the round again or until
the round's next ballot is confirmed (a correction stored and confirmed locks the round again)."""
from datetime import datetime, timezone

from sqlalchemy import exists, func, select

from ..core.extensions import db
from ..models import Ballot, Debate, Round
from .audit import audit
from .errors import Refused


def has_confirmed_result(rnd) -> bool:
    return bool(db.session.scalar(select(exists().where(Debate.round_id == rnd.id, Debate.confirmed_at.is_not(None)))))


def _confirmed_since_unlock(rnd) -> bool:
    """A ballot or a result of the round confirmed after the unlock ends it."""
    if rnd.unlocked_at is None:
        return False
    ballot = select(exists().where(Ballot.debate_id == Debate.id, Debate.round_id == rnd.id,
                                   Ballot.confirmed_at > rnd.unlocked_at))
    result = select(exists().where(Debate.round_id == rnd.id, Debate.confirmed_at > rnd.unlocked_at))
    return bool(db.session.scalar(ballot) or db.session.scalar(result))


def is_unlocked(rnd) -> bool:
    return rnd.unlocked_at is not None and not _confirmed_since_unlock(rnd)


def is_locked(rnd) -> bool:
    return has_confirmed_result(rnd) and not is_unlocked(rnd)


def ensure_unlocked(rnd):
    """The one check before any change of a round's draw, panels or rooms."""
    if is_locked(rnd):
        raise Refused(409, "round_locked", {"round": rnd.number, "kind": rnd.kind})


def lock_state(rnd) -> dict:
    """For the API and the round page: locked, and the unlock in force if any."""
    unlocked = is_unlocked(rnd) and has_confirmed_result(rnd)
    return {"locked": is_locked(rnd),
            "unlocked": {"at": rnd.unlocked_at.isoformat(), "by": rnd.unlocked_by.username if rnd.unlocked_by else None,
                         "reason": rnd.unlock_reason} if unlocked else None}


def unlock_preview(rnd) -> dict:
    """What an unlock exposes: the round's confirmed results, and the later rounds already drawn
    (paired on these results), so the director sees the consequences before unlocking."""
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id, Debate.confirmed_at.is_not(None))
                                 .order_by(Debate.league_id, Debate.id)).all()
    later = db.session.scalars(select(Round).where(Round.tournament_id == rnd.tournament_id, Round.seq > rnd.seq,
                                                   select(func.count()).select_from(Debate)
                                                   .where(Debate.round_id == Round.id).scalar_subquery() > 0)
                               .order_by(Round.seq)).all()
    return {"confirmed_debates": [{"id": d.id, "league_id": d.league_id, "gov": d.gov.name, "opp": d.opp.name,
                                   "winner": d.winner} for d in debates],
            "later_rounds": [{"id": r.id, "number": r.number, "kind": r.kind, "released": r.draw_released}
                             for r in later],
            "results_released": rnd.results_released}


def _reason(reason) -> str:
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text:
        raise Refused(422, "validation_failed", fields={"reason": "required"})
    if len(text) > 500:
        raise Refused(422, "validation_failed", fields={"reason": ("too_long", {"max": 500})})
    return text


def unlock(rnd, reason, user, dry_run=False) -> dict:
    """Unlock a locked round for a correction (a director's decision, with a reason)."""
    reason = _reason(reason)
    if not is_locked(rnd):
        raise Refused(409, "round_not_locked")
    preview = unlock_preview(rnd)
    if dry_run:
        return preview
    rnd.unlocked_at, rnd.unlocked_by_id, rnd.unlock_reason = datetime.now(timezone.utc), user.id, reason
    audit(rnd.tournament_id, "round_unlocked", rnd, user=user, reason=reason,
          debates=[d["id"] for d in preview["confirmed_debates"]],
          later_rounds=[r["id"] for r in preview["later_rounds"]])
    db.session.flush()
    return preview


def relock(rnd, user):
    """End an unlock before the next confirmation. Locking a round that is not unlocked changes nothing."""
    if rnd.unlocked_at is None:
        return
    was = rnd.unlock_reason
    rnd.unlocked_at = rnd.unlocked_by_id = rnd.unlock_reason = None
    audit(rnd.tournament_id, "round_relocked", rnd, user=user, reason=was)
    db.session.flush()
