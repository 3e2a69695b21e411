"""The audit log: every change to the record is written here in the same transaction, and read
back for the director in words (which round, who, what)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Adjudicator, AuditEntry, Ballot, Debate, Round, Team, User

READ_AT_MOST = 3000   # newest entries looked at for one page of the log
SHOW_AT_MOST = 500


def audit(tournament_id, action, obj, user=None, adjudicator_id=None, **details):
    db.session.add(AuditEntry(tournament_id=tournament_id, user_id=user.id if user else None,
                              adjudicator_id=adjudicator_id, action=action, object_type=type(obj).__name__.lower(),
                              object_id=obj.id, details=details))


def _rounds_of_entries(t, entries) -> dict:
    """{entry id: Round} for entries about a round, a debate or a ballot (or naming a round)."""
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(Round.tournament_id == t.id))}
    debate_ids = {e.object_id for e in entries if e.object_type == "debate"} | \
        {e.details.get("debate_id") for e in entries if isinstance(e.details, dict) and e.details.get("debate_id")}
    ballot_ids = {e.object_id for e in entries if e.object_type == "ballot"}
    debate_round = dict(db.session.execute(select(Debate.id, Debate.round_id).where(Debate.id.in_(debate_ids))).all()) \
        if debate_ids else {}
    ballot_round = dict(db.session.execute(select(Ballot.id, Debate.round_id).join(Debate, Debate.id == Ballot.debate_id)
                                        .where(Ballot.id.in_(ballot_ids))).all()) \
        if ballot_ids else {}
    out = {}
    for e in entries:
        details = e.details if isinstance(e.details, dict) else {}
        rid = (e.object_id if e.object_type == "round" else debate_round.get(e.object_id) if e.object_type == "debate"
               else ballot_round.get(e.object_id) if e.object_type == "ballot" else None)
        rid = rid or details.get("round_id") or debate_round.get(details.get("debate_id"))
        if rid in rounds:
            out[e.id] = rounds[rid]
    return out


def entries_of(t, round_id=None, person="", kind=None):
    """The newest entries of a tournament, with their rounds; person is "u<user id>" or
    "a<adjudicator id>"."""
    q = select(AuditEntry).where(AuditEntry.tournament_id == t.id)
    if kind:
        q = q.where(AuditEntry.action == kind)
    if person[:1] == "u" and person[1:].isdigit():
        q = q.where(AuditEntry.user_id == int(person[1:]))
    elif person[:1] == "a" and person[1:].isdigit():
        q = q.where(AuditEntry.adjudicator_id == int(person[1:]))
    entries = db.session.scalars(q.options(selectinload(AuditEntry.user), selectinload(AuditEntry.adjudicator))
                                 .order_by(AuditEntry.id.desc()).limit(READ_AT_MOST)).all()
    rounds = _rounds_of_entries(t, entries)
    if round_id is not None:
        entries = [e for e in entries if e.id in rounds and rounds[e.id].id == round_id]
    return entries[:SHOW_AT_MOST], rounds


def people_of(t) -> list[tuple[str, str]]:
    """[(filter value, name)] of everyone who appears in the tournament's log."""
    users = db.session.execute(select(User.id, User.username).where(User.id.in_(
        select(AuditEntry.user_id).where(AuditEntry.tournament_id == t.id)))).all()
    adjs = db.session.execute(select(Adjudicator.id, Adjudicator.name).where(Adjudicator.id.in_(
        select(AuditEntry.adjudicator_id).where(AuditEntry.tournament_id == t.id)))).all()
    return sorted([(f"u{i}", n) for i, n in users]) + sorted([(f"a{i}", n) for i, n in adjs], key=lambda p: p[1])


def kinds_of(t) -> list[str]:
    return sorted(db.session.scalars(select(AuditEntry.action).where(AuditEntry.tournament_id == t.id).distinct()))


def names_for(entries) -> dict:
    """Names for the ids an entry's details mention: {("adjudicator", id): name, ("team", id): name}."""
    adj_ids, team_ids = set(), set()
    for e in entries:
        d = e.details if isinstance(e.details, dict) else {}
        for k in ("swap_with",):
            if isinstance(d.get(k), int):
                adj_ids.add(d[k])
        for k in ("team_a", "team_b", "team_id"):
            if isinstance(d.get(k), int):
                team_ids.add(d[k])
    out = {}
    if adj_ids:
        out.update({("adjudicator", i): n for i, n in db.session.execute(
            select(Adjudicator.id, Adjudicator.name).where(Adjudicator.id.in_(adj_ids)))})
    if team_ids:
        out.update({("team", i): n for i, n in db.session.execute(
            select(Team.id, Team.name).where(Team.id.in_(team_ids)))})
    return out
