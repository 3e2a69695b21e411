"""Undoing a step of the tournament while nothing depends on it yet: a round with no ballot and
no later round; a league's break before its first elimination draw. Both audited."""
from sqlalchemy import exists, func, select

from ..core.extensions import db
from ..models import Ballot, BreakSeed, Debate, Round, RoundLeague
from .audit import audit
from .errors import Refused
from .rounds import ELIM_KINDS


def delete_round(rnd: Round, user=None, confirmed: bool = True) -> None:
    """Delete a round (its draw, panels, byes and motions with it). Refused while any of its
    debates has a ballot or a confirmed result (409 round_has_ballots) or a later round exists
    (409 later_round_exists): later draws were made on this one. A page passes whether the
    director ticked the confirmation (422 confirm_delete otherwise)."""
    if not confirmed:
        raise Refused(422, "confirm_delete")
    debate_ids = select(Debate.id).where(Debate.round_id == rnd.id)
    if db.session.scalar(select(exists().where(Ballot.debate_id.in_(debate_ids)))) or \
            db.session.scalar(select(exists().where(Debate.round_id == rnd.id, Debate.confirmed_at.is_not(None)))):
        raise Refused(409, "round_has_ballots")
    if db.session.scalar(select(exists().where(Round.tournament_id == rnd.tournament_id, Round.seq > rnd.seq))):
        raise Refused(409, "later_round_exists")
    n_debates = db.session.scalar(select(func.count()).select_from(Debate).where(Debate.round_id == rnd.id))
    audit(rnd.tournament_id, "round_deleted", rnd, user=user, kind=rnd.kind, number=rnd.number, seq=rnd.seq,
          debates=n_debates, draw_released=rnd.draw_released)
    db.session.delete(rnd)
    db.session.flush()


def delete_break(league, user=None, confirmed: bool = True) -> None:
    """Undo a league's break. Refused once an elimination round of the league has a draw
    (409 elimination_drawn) or exists at all (409 elimination_round_exists: delete it first),
    and on a page whose confirmation box was not ticked (422 confirm_delete)."""
    if not confirmed:
        raise Refused(422, "confirm_delete")
    seeds = db.session.scalars(select(BreakSeed).where(BreakSeed.league_id == league.id)
                               .order_by(BreakSeed.seed)).all()
    if not seeds:
        raise Refused(404, "no_break_made")
    elim = select(Round.id).where(Round.tournament_id == league.tournament_id, Round.kind.in_(ELIM_KINDS))
    if db.session.scalar(select(exists().where(Debate.league_id == league.id, Debate.round_id.in_(elim)))):
        raise Refused(409, "elimination_drawn")
    if db.session.scalar(select(exists().where(RoundLeague.league_id == league.id, RoundLeague.round_id.in_(elim)))):
        raise Refused(409, "elimination_round_exists")
    audit(league.tournament_id, "break_deleted", league, user=user, seeds=[[s.seed, s.team_id] for s in seeds])
    for s in seeds:
        db.session.delete(s)
    db.session.flush()
