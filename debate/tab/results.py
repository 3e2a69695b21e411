"""Ballot validation and the result of one debate (APF: Government vs Opposition).

Pure Python. Errors are codes (snake_case strings) with parameters in dicts; the web layer
translates them into Kazakh, Russian and English.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

ROLES = ("PM", "MG", "LO", "MO")  # PM, MG gov; LO, MO opp
GOV_ROLES = ("PM", "MG")
OPP_ROLES = ("LO", "MO")
SIDES = ("gov", "opp")
_ROLE_SIDES = tuple((role, "gov" if role in GOV_ROLES else "opp") for role in ROLES)

_EPS = 1e-9


@dataclass(frozen=True)
class ScoreRules:
    min: float = 15
    max: float = 30
    step: float = 0.5
    allow_low_point_win: bool = False  # also allows equal totals (the winner is declared)
    scores_required: bool = True  # False for elimination rounds: scores may be omitted


def parse_mark(text) -> float | None:
    """27.5, "27.5", "27,5", " 27 " -> float; None if not a (finite) number."""
    kind = type(text)
    if kind is float:  # the common case (JSON from the database): no isinstance chain
        return text if text - text == 0.0 else None  # nan - nan and inf - inf are nan
    if kind is int:
        return float(text)
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    elif isinstance(text, str):
        s = text.strip().replace(",", ".")
        if not s:
            return None
        try:
            value = float(s)
        except ValueError:
            return None
    else:
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_id(value):
    """Speaker ids arrive as ints (JSON) or digit strings (forms)."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def default_speakers(gov_speaker_ids, opp_speaker_ids) -> dict:
    """Team's first listed speaker is PM/LO, the second MG/MO (missing -> absent)."""
    out = {}
    gov, opp = tuple(gov_speaker_ids or ()), tuple(opp_speaker_ids or ())
    for roles, ids in ((GOV_ROLES, gov), (OPP_ROLES, opp)):
        for i, role in enumerate(roles):
            if i < len(ids):
                out[role] = ids[i]
    return out


def validate_ballot(winner, scores, speakers, gov_speaker_ids, opp_speaker_ids,
                    rules: ScoreRules = ScoreRules(), *, allow_iron_person: bool = False,
                    substitutes: dict | None = None, other_school=()) -> dict[str, tuple[str, dict]]:
    """Return {field: (error_code, params)}; empty dict means the ballot is valid.

    Fields: "winner", "scores.<ROLE>", "speakers.<ROLE>", "speakers", "total".

    substitutes: {"gov": ids, "opp": ids}, the registered reserves who may replace a speaker of
    that side for this debate (same school). other_school: speaker ids known to be of another
    school (refused as substitutes with their own code). allow_iron_person: one speaker may
    hold both roles of their own team (never a role of each team).
    """
    errors: dict[str, tuple[str, dict]] = {}

    # winner
    if _blank(winner):
        errors["winner"] = ("required", {})
    elif winner not in SIDES:
        errors["winner"] = ("invalid_winner", {})

    # speakers
    gov_ids = tuple(_as_id(s) for s in (gov_speaker_ids or ()))
    opp_ids = tuple(_as_id(s) for s in (opp_speaker_ids or ()))
    if not speakers:
        chosen = default_speakers(gov_ids, opp_ids)
    else:
        chosen = {role: _as_id(speakers.get(role)) for role in ROLES}
    subs = substitutes or {}
    gov_subs = tuple(_as_id(s) for s in subs.get("gov", ()))
    opp_subs = tuple(_as_id(s) for s in subs.get("opp", ()))
    resolved = {}
    for role in ROLES:
        sid = chosen.get(role)
        if _blank(sid):
            errors[f"speakers.{role}"] = ("required", {})
            continue
        gov_role = role in GOV_ROLES
        team = gov_ids if gov_role else opp_ids
        if sid not in team and sid not in (gov_subs if gov_role else opp_subs):
            code = "substitute_other_school" if sid in other_school else "not_in_team"
            errors[f"speakers.{role}"] = (code, {"speaker_id": sid})
            continue
        resolved[role] = sid
    seen: dict = {}
    for role, sid in resolved.items():
        seen.setdefault(sid, []).append(role)
    dups = {sid: roles for sid, roles in seen.items() if len(roles) > 1}
    if allow_iron_person:
        # An iron person: both roles of one team (PM+MG or LO+MO), never more.
        dups = {sid: roles for sid, roles in dups.items()
                if not (len(roles) == 2 and (set(roles) == set(GOV_ROLES) or set(roles) == set(OPP_ROLES)))}
    if dups:
        sid, roles = next(iter(dups.items()))
        errors["speakers"] = ("duplicate_speaker", {"speaker_id": sid, "roles": roles})

    # scores
    scores = scores or {}
    given = any(not _blank(scores.get(role)) for role in ROLES)
    if not given and not rules.scores_required:
        return errors
    marks = {}
    for role in ROLES:
        raw = scores.get(role)
        key = f"scores.{role}"
        if _blank(raw):
            errors[key] = ("required", {})
            continue
        value = parse_mark(raw)
        if value is None:
            errors[key] = ("not_a_number", {})
            continue
        if value < rules.min - _EPS or value > rules.max + _EPS:
            errors[key] = ("out_of_range", {"min": rules.min, "max": rules.max})
            continue
        if rules.step:
            k = (value - rules.min) / rules.step
            if abs(k - round(k)) > 1e-6:
                errors[key] = ("off_step", {"step": rules.step})
                continue
        marks[role] = value

    # totals: only when every mark and the winner are valid
    if len(marks) == 4 and "winner" not in errors:
        gov = marks["PM"] + marks["MG"]
        opp = marks["LO"] + marks["MO"]
        params = {"gov": gov, "opp": opp}
        if not rules.allow_low_point_win:
            if abs(gov - opp) < _EPS:
                errors["total"] = ("tie", params)
            elif (gov < opp) == (winner == "gov"):
                errors["total"] = ("low_point_win", params)
    return errors


@dataclass(frozen=True)
class BallotInput:
    adjudicator_id: int
    winner: str
    scores: dict
    speakers: dict
    nominations: dict = field(default_factory=dict)  # {"orator": speaker_id, "analyst": speaker_id}


@dataclass
class DebateResult:
    winner: str | None
    votes: dict  # {"gov": n, "opp": m}
    speaker_marks: dict  # speaker_id -> mean mark across the ballots carrying scores
    team_points: dict  # "gov"/"opp" -> sum of the means of its speakers ({} if no scores)
    margin: float | None  # gov points - opp points (None if no ballot carries scores)
    speaker_sides: dict = field(default_factory=dict)  # speaker_id -> "gov"/"opp"


def debate_result(ballots: list[BallotInput], chair_id: int | None = None, *,
                  default_speakers: dict | None = None) -> DebateResult:
    """Majority of the ballots decides; on an even split the chair's ballot decides
    (winner None if the chair has no ballot among them). Each speaker's mark is the mean
    of the panel's marks for them, over the ballots that carry scores. A ballot without a
    `speakers` mapping uses `default_speakers` (role -> speaker id).

    An iron person (one speaker in both roles of a team) gets the mean of their two speeches
    as their mark for the round (one speech in the speaker tab), while their team's points
    count both speeches (the mark twice)."""
    gov_votes = opp_votes = 0
    for b in ballots:
        w = b.winner
        if w == "gov":
            gov_votes += 1
        elif w == "opp":
            opp_votes += 1
    votes = {"gov": gov_votes, "opp": opp_votes}
    if gov_votes > opp_votes:
        winner = "gov"
    elif opp_votes > gov_votes:
        winner = "opp"
    else:
        winner = None
        if gov_votes > 0 and chair_id is not None:
            for b in ballots:
                if b.adjudicator_id == chair_id and b.winner in votes:
                    winner = b.winner
                    break

    # Written for speed (a league's tab recomputes thousands of debates): a mark that is
    # already a finite float skips parse_mark, and speaker ids that are ints skip _as_id.
    sums: dict = {}      # speaker id -> sum of marks, in order of first appearance
    counts: dict = {}
    side_of: dict = {}
    iron: dict = {}      # speaker id -> 2 when they held both roles of their team on a ballot
    for b in ballots:
        scores = b.scores
        if not scores:
            continue
        mapping = b.speakers or default_speakers or {}
        pm, lo = mapping.get("PM"), mapping.get("LO")
        if pm is not None and pm == mapping.get("MG"):
            iron[_as_id(pm)] = 2
        if lo is not None and lo == mapping.get("MO"):
            iron[_as_id(lo)] = 2
        for role, side in _ROLE_SIDES:
            value = scores.get(role)
            if type(value) is not float or value - value != 0.0:
                value = parse_mark(value)
                if value is None:
                    continue
            sid = mapping.get(role)
            if sid is None:
                continue
            if type(sid) is not int:
                sid = _as_id(sid)
            if sid in sums:
                sums[sid] += value
                counts[sid] += 1
            else:
                sums[sid] = value
                counts[sid] = 1
            side_of[sid] = side
    speaker_marks = {sid: total / counts[sid] for sid, total in sums.items()}
    if speaker_marks:
        gov_points = opp_points = 0.0
        for sid, mark in speaker_marks.items():
            if sid in iron:
                mark = mark * 2
            if side_of[sid] == "gov":
                gov_points += mark
            else:
                opp_points += mark
        team_points = {"gov": gov_points, "opp": opp_points}
        margin = gov_points - opp_points
    else:
        team_points, margin = {}, None
    return DebateResult(winner=winner, votes=votes, speaker_marks=speaker_marks,
                        team_points=team_points, margin=margin, speaker_sides=side_of)
