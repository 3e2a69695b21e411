"""Problems adjudicators report from their phones: where they are (round, debate, room), and the
tab room's answer, which the adjudicator sees on their page."""
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Debate, ProblemReport
from .audit import audit
from .errors import Refused

ANSWER_MAX = 500


def open_problems(t) -> list[ProblemReport]:
    """Unresolved reports, newest first, with their adjudicator, debate, room and round loaded."""
    return db.session.scalars(select(ProblemReport).where(ProblemReport.tournament_id == t.id,
                                                          ProblemReport.resolved.is_(False))
                              .options(selectinload(ProblemReport.adjudicator),
                                       selectinload(ProblemReport.debate).selectinload(Debate.room),
                                       selectinload(ProblemReport.debate).selectinload(Debate.round),
                                       selectinload(ProblemReport.debate).selectinload(Debate.gov),
                                       selectinload(ProblemReport.debate).selectinload(Debate.opp))
                              .order_by(ProblemReport.at.desc())).all()


def answered_for(adjudicator_id) -> list[ProblemReport]:
    return db.session.scalars(select(ProblemReport).where(ProblemReport.adjudicator_id == adjudicator_id,
                                                          ProblemReport.answer.is_not(None))
                              .order_by(ProblemReport.answered_at.desc()).limit(5)).all()


def problem_of(t, pid) -> ProblemReport:
    p = db.session.get(ProblemReport, pid)
    if p is None or p.tournament_id != t.id:
        raise Refused(404, "unknown_problem")
    return p


def answer(p: ProblemReport, user, text: str, resolve: bool = True) -> None:
    text = " ".join((text or "").split())
    if not text:
        raise Refused(422, "required")
    if len(text) > ANSWER_MAX:
        raise Refused(422, "too_long", {"max": ANSWER_MAX})
    p.answer, p.answered_at, p.answered_by_id = text, datetime.now(timezone.utc), user.id
    p.resolved = p.resolved or resolve
    audit(p.tournament_id, "problem_answered", p, user=user, adjudicator_id=p.adjudicator_id, answer=text)


def resolve(p: ProblemReport, user) -> None:
    p.resolved = True
    audit(p.tournament_id, "problem_resolved", p, user=user, adjudicator_id=p.adjudicator_id)
