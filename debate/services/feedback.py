"""Feedback on adjudicators: who may give it, storing it (idempotent, every version kept) and
what the tab room reads from it.

Who rates whom, in a debate of a released draw (only the debate's own teams and panel):
  - each team rates the chair, or every adjudicator of the panel when the tournament setting
    `team_feedback_on` is "panel";
  - each panellist rates the chair; the chair rates every panellist.
A score is an integer from 1 to 5 with an optional comment. The same client_id again stores
nothing and answers the stored feedback; a new client_id from the same giver on the same
adjudicator and debate is the next version. Reading uses each giver's newest version.

Feedback is never public: only the tournament's directors read it (the pages in
views/feedback.py and GET /api/v1/adjudicators/<aid>/feedback); nothing here is announced as a
live event or written to a public page, and an adjudicator never sees who rated them.

Suggested rating (documented formula, the prior blended with feedback as it accumulates):
    scaled = RATING_MIN + (mean - 1) / 4 * (RATING_MAX - RATING_MIN)   # 1–5 onto the 0–10 scale
    suggested = (K * prior + n * scaled) / (K + n)                     # K = PRIOR_WEIGHT = 3
where mean is the average of the adjudicator's n latest feedback scores (every source) and
prior the rating typed in before any was applied (Adjudicator.prior_rating, else .rating).
With no feedback the suggestion is the prior. Applying stores the suggestion in
Adjudicator.rating (what the allocation reads) and keeps the prior in prior_rating.

Outlier flag "chair_below_panel": as a chair, the adjudicator's average from teams is at
least OUTLIER_GAP (1.5) below their average from their panellists, with at least
OUTLIER_MIN (2) feedback of each.
"""
import hmac
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Adjudicator, Debate, DebateAdjudicator, Feedback, Round, RoundLeague, Team, Tournament
from ..settings import get_setting
from .audit import audit
from .errors import Refused

SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 1000
RATING_MIN, RATING_MAX = 0.0, 10.0  # the adjudicator rating scale (services.participants)
PRIOR_WEIGHT = 3                    # K: the prior counts as this many pieces of feedback
OUTLIER_GAP, OUTLIER_MIN = 1.5, 2


@dataclass
class Source:
    """Who gives feedback: a team or an adjudicator, known by their private key."""
    team: Team | None = None
    adjudicator: Adjudicator | None = None

    @property
    def tournament_id(self) -> int:
        return (self.team or self.adjudicator).tournament_id

    @property
    def key(self) -> str:
        return f"team:{self.team.id}" if self.team is not None else f"adj:{self.adjudicator.id}"


def _by_key(model, key):
    if not key or len(key) > 64:
        return None
    row = db.session.scalar(select(model).where(model.private_key == key))
    # Found by an indexed unique column; compared again in constant time.
    return row if row is not None and hmac.compare_digest(row.private_key, key) else None


def team_by_key(key) -> Team | None:
    return _by_key(Team, key)


def adjudicator_by_key(key) -> Adjudicator | None:
    return _by_key(Adjudicator, key)


def source_from_keys(team_key=None, adjudicator_key=None) -> Source:
    """The giver named by X-Team-Key or X-Adjudicator-Key; Refused(401) when neither is valid."""
    if team_key:
        team = team_by_key(team_key)
        if team is not None:
            return Source(team=team)
    elif adjudicator_key:
        adj = adjudicator_by_key(adjudicator_key)
        if adj is not None:
            return Source(adjudicator=adj)
    raise Refused(401, "bad_private_key")


# ----- who rates whom -----

def seat_of(debate: Debate, source: Source) -> str | None:
    """'team', 'chair' or 'panellist' when the source took part in the debate, else None."""
    if source.team is not None:
        return "team" if source.team.id in (debate.gov_team_id, debate.opp_team_id) else None
    for p in debate.panel:
        if p.adjudicator_id == source.adjudicator.id:
            return "chair" if p.role == "chair" else "panellist"
    return None


def targets(debate: Debate, source: Source, tournament: Tournament) -> list[DebateAdjudicator]:
    """The seats of the panel this source rates in this debate (empty if it took no part)."""
    seat = seat_of(debate, source)
    if seat == "team":
        if get_setting(tournament, "team_feedback_on") == "panel":
            return list(debate.panel)
        return [p for p in debate.panel if p.role == "chair"]
    if seat == "panellist":
        return [p for p in debate.panel if p.role == "chair"]
    if seat == "chair":
        return [p for p in debate.panel if p.role != "chair"]
    return []


def feedback_debates(source: Source) -> list[tuple[Debate, Round]]:
    """The source's debates in released draws, newest round first."""
    q = (select(Debate, Round).join(Round, Round.id == Debate.round_id)
         .join(RoundLeague, (RoundLeague.round_id == Round.id) & (RoundLeague.league_id == Debate.league_id))
         .where(RoundLeague.draw_released.is_(True)))
    if source.team is not None:
        q = q.where(or_(Debate.gov_team_id == source.team.id, Debate.opp_team_id == source.team.id))
    else:
        q = q.join(DebateAdjudicator, DebateAdjudicator.debate_id == Debate.id).where(
            DebateAdjudicator.adjudicator_id == source.adjudicator.id)
    return db.session.execute(q.order_by(Round.seq.desc())).all()


def given(source: Source, debate_id: int) -> dict:
    """{adjudicator id: newest feedback this source gave them in the debate}."""
    out = {}
    for f in db.session.scalars(select(Feedback).where(Feedback.debate_id == debate_id,
                                                       Feedback.source_key == source.key).order_by(Feedback.version)):
        out[f.adjudicator_id] = f
    return out


# ----- storing -----

def _int(value):
    """An integer from JSON (not a bool or a float) or from a form field of digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def _by_client_id(client_id):
    return db.session.scalar(select(Feedback).where(Feedback.client_id == client_id))


def _same_source(existing: Feedback, source: Source) -> Feedback:
    if existing.source_key != source.key:
        raise Refused(409, "client_id_used")
    return existing


def submit(source: Source, data) -> tuple[Feedback, bool]:
    """Store one piece of feedback; returns (feedback, created). Raises Refused and then stores
    nothing. The caller commits."""
    if not isinstance(data, dict):
        raise Refused(422, "validation_failed", fields={"": ("required", {})})
    client_id = str(data.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64:
        raise Refused(422, "validation_failed", fields={"client_id": ("required", {})})
    existing = _by_client_id(client_id)
    if existing is not None:  # a retry: the stored feedback, whatever the body says now
        return _same_source(existing, source), False
    debate_id = _int(data.get("debate_id"))
    if debate_id is None or debate_id > 2**31 - 1:
        raise Refused(422, "validation_failed", fields={"debate_id": ("required", {})})
    debate = db.session.get(Debate, debate_id)
    if debate is None:
        raise Refused(404, "feedback_unknown_debate")
    rnd = debate.round
    if rnd.tournament_id != source.tournament_id:
        raise Refused(403, "feedback_other_tournament")
    if not rnd.draw_public(debate.league_id):
        raise Refused(403, "not_released")
    if seat_of(debate, source) is None:
        raise Refused(403, "feedback_not_in_debate")
    target_id = _int(data.get("adjudicator_id"))
    if target_id is None:
        raise Refused(422, "validation_failed", fields={"adjudicator_id": ("required", {})})
    seats = {p.adjudicator_id: p for p in targets(debate, source, rnd.tournament)}
    if target_id not in seats:
        raise Refused(403, "feedback_not_your_target")
    errors = {}
    score = data.get("score")  # an integer, not "4" or 4.0 (the phone form converts its field)
    if isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
        errors["score"] = ("feedback_score", {"min": SCORE_MIN, "max": SCORE_MAX})
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = ("required", {})
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > COMMENT_MAX:
        errors["comment"] = ("too_long", {"max": COMMENT_MAX})
    if errors:
        raise Refused(422, "validation_failed", fields=errors)
    kind = seat_of(debate, source)
    for _attempt in range(5):
        version = (db.session.scalar(select(func.max(Feedback.version)).where(
            Feedback.debate_id == debate.id, Feedback.adjudicator_id == target_id,
            Feedback.source_key == source.key)) or 0) + 1
        fb = Feedback(tournament_id=rnd.tournament_id, round_id=rnd.id, debate_id=debate.id, adjudicator_id=target_id,
                      source_kind=kind, source_team_id=source.team.id if source.team else None,
                      source_adjudicator_id=source.adjudicator.id if source.adjudicator else None,
                      source_key=source.key, client_id=client_id, version=version, score=score,
                      comment=comment or None)
        try:
            with db.session.begin_nested():
                db.session.add(fb)
        except IntegrityError:
            # The same client_id sent twice at once, or two versions at the same moment.
            existing = _by_client_id(client_id)
            if existing is not None:
                return _same_source(existing, source), False
            continue
        return fb, True
    raise Refused(409, "busy")


# ----- what the tab room reads -----

def latest(tournament_id: int, adjudicator_id: int | None = None) -> list[Feedback]:
    """Every giver's newest version, per (debate, adjudicator rated, giver)."""
    q = select(Feedback).where(Feedback.tournament_id == tournament_id).options(
        selectinload(Feedback.round), selectinload(Feedback.source_team), selectinload(Feedback.source_adjudicator),
        selectinload(Feedback.debate).selectinload(Debate.panel))
    if adjudicator_id is not None:
        q = q.where(Feedback.adjudicator_id == adjudicator_id)
    newest = {}
    for f in db.session.scalars(q.order_by(Feedback.version)):
        newest[(f.debate_id, f.adjudicator_id, f.source_key)] = f
    return sorted(newest.values(), key=lambda f: (f.round.seq, f.debate_id, f.id))


def _mean(values):
    return sum(values) / len(values) if values else None


def suggested_rating(prior: float, scores: list[int]) -> float:
    """(K·prior + n·scaled_mean) / (K + n), rounded to 2 places; the prior without feedback."""
    if not scores:
        return round(float(prior), 2)
    scaled = RATING_MIN + (_mean(scores) - SCORE_MIN) / (SCORE_MAX - SCORE_MIN) * (RATING_MAX - RATING_MIN)
    n = len(scores)
    return round((PRIOR_WEIGHT * float(prior) + n * scaled) / (PRIOR_WEIGHT + n), 2)


def prior_of(adj: Adjudicator) -> float:
    return adj.prior_rating if adj.prior_rating is not None else adj.rating


def outlier_flags(items: list[Feedback]) -> list[str]:
    """Codes of the flags the adjudicator's feedback raises (see the module's docstring)."""
    teams = [f.score for f in items if f.source_kind == "team" and _rated_as_chair(f)]
    panel = [f.score for f in items if f.source_kind == "panellist"]  # a panellist always rates the chair
    flags = []
    if len(teams) >= OUTLIER_MIN and len(panel) >= OUTLIER_MIN and _mean(panel) - _mean(teams) >= OUTLIER_GAP:
        flags.append("chair_below_panel")
    return flags


def _rated_as_chair(f: Feedback) -> bool:
    return any(p.adjudicator_id == f.adjudicator_id and p.role == "chair" for p in f.debate.panel)


@dataclass
class Summary:
    adjudicator: Adjudicator
    items: list = field(default_factory=list)   # latest Feedback rows
    average: float | None = None
    by_kind: dict = field(default_factory=dict)  # kind -> (average, n)
    trend: list = field(default_factory=list)    # [(round, average, n)] in round order
    flags: list = field(default_factory=list)
    prior: float = 0.0
    suggested: float = 0.0

    @property
    def n(self) -> int:
        return len(self.items)


def summarise(adj: Adjudicator, items: list[Feedback]) -> Summary:
    scores = [f.score for f in items]
    by_kind = {}
    for kind in ("team", "chair", "panellist"):
        ks = [f.score for f in items if f.source_kind == kind]
        if ks:
            by_kind[kind] = (_mean(ks), len(ks))
    per_round = defaultdict(list)
    rounds = {}
    for f in items:
        per_round[f.round_id].append(f.score)
        rounds[f.round_id] = f.round
    trend = [(rounds[rid], _mean(s), len(s)) for rid, s in sorted(per_round.items(), key=lambda kv: rounds[kv[0]].seq)]
    prior = prior_of(adj)
    return Summary(adj, items, _mean(scores), by_kind, trend, outlier_flags(items), prior,
                   suggested_rating(prior, scores))


def adjudicator_summary(adj: Adjudicator) -> Summary:
    return summarise(adj, latest(adj.tournament_id, adj.id))


def overview(t: Tournament) -> list[Summary]:
    """Every adjudicator of the tournament with their feedback summary."""
    by_adj = defaultdict(list)
    for f in latest(t.id):
        by_adj[f.adjudicator_id].append(f)
    adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)).all()
    return [summarise(a, by_adj.get(a.id, [])) for a in adjs]


def apply_ratings(t: Tournament, user, adjudicator_ids=None) -> dict:
    """Set the suggested rating as the rating of the chosen adjudicators (all with feedback when
    adjudicator_ids is None), keeping each one's prior; one audit entry. Returns
    {adjudicator id: (old rating, new rating)} for those that changed."""
    wanted = None if adjudicator_ids is None else {int(i) for i in adjudicator_ids}
    changes = {}
    for s in overview(t):
        a = s.adjudicator
        if (wanted is not None and a.id not in wanted) or not s.n:
            continue
        if a.prior_rating is None:
            a.prior_rating = a.rating
        if a.rating != s.suggested:
            changes[a.id] = (a.rating, s.suggested)
            a.rating = s.suggested
    if changes:
        audit(t.id, "ratings_applied", t, user=user,
              changes={str(k): {"from": v[0], "to": v[1]} for k, v in changes.items()})
    return changes


@dataclass
class Missing:
    debate: Debate
    team: Team | None
    adjudicator: Adjudicator | None
    seat: str
    missing: list  # adjudicators not yet rated


def missing(t: Tournament, rnd: Round) -> list[Missing]:
    """Who has not given all their feedback for a round yet (teams, then panels, by debate)."""
    if not rnd.draw_released_any:
        return []
    done = defaultdict(set)  # source key -> {(debate, target)}
    for f in db.session.scalars(select(Feedback).where(Feedback.round_id == rnd.id)):
        done[f.source_key].add((f.debate_id, f.adjudicator_id))
    out = []
    for d in rnd.debates:
        givers = [Source(team=d.gov), Source(team=d.opp)] + [Source(adjudicator=p.adjudicator) for p in d.panel]
        for src in givers:
            todo = [p.adjudicator for p in targets(d, src, t) if (d.id, p.adjudicator_id) not in done[src.key]]
            if todo:
                out.append(Missing(d, src.team, src.adjudicator, seat_of(d, src), todo))
    return out
