"""The paper fallback: what a round's printed pack holds (ballots per adjudicator, door sheets,
motion slips), and finding a debate's seat by room name for staff typing paper ballots in.
Plain data out; debate/documents/pdf.py draws it."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.web import public_link
from ..models import Debate, DebateAdjudicator, League, Motion, Team
from ..settings import get_setting
from ..tab.results import ROLES, parse_mark
from ..text.sorting import sort_key
from .errors import Refused


@dataclass
class PaperTeam:
    name: str
    speakers: list           # names in speaking order
    reserve: str | None = None


@dataclass
class PaperSeat:
    name: str
    chair: bool
    url: str                 # the adjudicator's private link (QR on the ballot)


@dataclass
class PaperDebate:
    id: int
    room: str
    gov: PaperTeam
    opp: PaperTeam
    panel: list              # [PaperSeat]
    forfeit: str | None = None


@dataclass
class PaperLeague:
    name: str
    language: str
    motion: str | None       # on the ballots: only once released
    slip_motion: str | None  # on the motion slips: only when asked for and entered
    debates: list = field(default_factory=list)


@dataclass
class PaperRound:
    tournament: str
    round: object
    score_min: float
    score_max: float
    score_step: float
    leagues: list            # [PaperLeague]


def _team(tm: Team) -> PaperTeam:
    regular = [s.name for s in tm.speakers if not s.reserve]
    reserve = next((s.name for s in tm.speakers if s.reserve), None)
    return PaperTeam(tm.name, regular, reserve)


def round_pack(t, rnd, include_motions=False) -> PaperRound:
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id).options(
        selectinload(Debate.gov).selectinload(Team.speakers), selectinload(Debate.opp).selectinload(Team.speakers),
        selectinload(Debate.room), selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator))).all()
    motions = {m.league_id: m.text for m in db.session.scalars(select(Motion).where(Motion.round_id == rnd.id))}
    leagues = {lg.id: lg for lg in db.session.scalars(select(League).where(League.tournament_id == t.id))}
    out = {}
    for rl in sorted(rnd.leagues, key=lambda x: x.league_id):
        lg = leagues[rl.league_id]
        text = motions.get(lg.id) or None
        out[lg.id] = PaperLeague(lg.name, lg.language, text if rnd.motion_released else None,
                                 text if include_motions else None)
    for d in sorted(debates, key=lambda d: (d.league_id, d.room is None, sort_key(d.room.name if d.room else ""), d.id)):
        panel = [PaperSeat(p.adjudicator.name, p.role == "chair",
                           public_link(t, "judge.home", key=p.adjudicator.private_key))
                 for p in sorted(d.panel, key=lambda p: (p.role != "chair", p.position))]
        pack = out.get(d.league_id)
        if pack is None:
            continue
        pack.debates.append(PaperDebate(d.id, d.room.name if d.room else "—", _team(d.gov), _team(d.opp), panel,
                                        d.forfeit))
    return PaperRound(t.name, rnd, float(get_setting(t, "speaker_score_min")), float(get_setting(t, "speaker_score_max")),
                      float(get_setting(t, "speaker_score_step")), list(out.values()))


def entry_choices(rnd) -> list[dict]:
    """Every seat of a round that can take a paper ballot, for the staff entry form: one row
    per (debate, adjudicator), labelled by room first (the paper names the room)."""
    rows = []
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id).options(
        selectinload(Debate.gov).selectinload(Team.speakers), selectinload(Debate.opp).selectinload(Team.speakers),
        selectinload(Debate.room), selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator))).all()
    for d in sorted(debates, key=lambda d: (d.room is None, sort_key(d.room.name if d.room else ""), d.id)):
        if d.forfeit:
            continue
        for p in d.panel:
            rows.append({"debate": d, "adjudicator": p.adjudicator, "chair": p.role == "chair",
                         "room": d.room.name if d.room else "—"})
    return rows


def seat_label(room: str, adjudicator_name: str) -> str:
    """How staff name a paper ballot: the room, then the adjudicator (unique within a round)."""
    return f"{room} · {adjudicator_name}"


def find_seat(rnd, label):
    """The (debate, adjudicator) a paper ballot's label names, or a field refusal."""
    wanted = " ".join(str(label or "").split()).casefold()
    for row in entry_choices(rnd):
        if seat_label(row["room"], row["adjudicator"].name).casefold() == wanted:
            return row["debate"], row["adjudicator"]
    raise Refused(422, "validation_failed", fields={"seat": ("unknown_seat", {})})


def paper_ballot_data(debate, form) -> dict:
    """A paper ballot as typed into the staff form, as submit_ballot takes it. A winner left
    blank is the side with the higher total (as written on paper); the service checks all."""
    scores = {role: form.get(f"score_{role}") for role in ROLES}
    winner = form.get("winner") or None
    if winner is None:
        marks = {role: parse_mark(v) for role, v in scores.items()}
        if all(m is not None for m in marks.values()):
            gov, opp = marks["PM"] + marks["MG"], marks["LO"] + marks["MO"]
            winner = "gov" if gov > opp else "opp" if opp > gov else None
    return {"debate_id": debate.id, "client_id": form.get("client_id") or None, "winner": winner,
            "scores": scores}
