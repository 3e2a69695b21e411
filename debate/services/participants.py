"""Adding teams, adjudicators and rooms to a tournament, one or many, all-or-nothing.

The API, the CSV/XLSX import and the director's forms all come through here, so the rules
are checked in one place: every item is validated before anything is stored, and a bad item
rejects the whole batch with every problem listed.
"""
import re

from sqlalchemy import exists, or_, select

from ..core.extensions import db
from ..models import (
    Adjudicator,
    AdjudicatorSchoolConflict,
    AdjudicatorTeamConflict,
    Appeal,
    Award,
    Ballot,
    BreakSeed,
    Bye,
    Coach,
    Debate,
    DebateAdjudicator,
    League,
    Room,
    School,
    Speaker,
    Team,
)
from ..models.participants import normalise_name
from ..models.tournament import LANGUAGES
from ..text.regions import REGION_CODES
from .audit import audit
from .errors import Refused
from .values import json_bool

NAME_MAX = 200


class ValidationFailed(Exception):
    """errors: {item index: {field: (code, params)}}"""

    def __init__(self, errors: dict):
        super().__init__("validation failed")
        self.errors = errors


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _text(value) -> str:
    """Text with whitespace collapsed, control characters and lone surrogates dropped (they break
    workbooks and UTF-8). Lists and objects are not text: "" (callers say "required"/"not text")."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return " ".join(_CONTROL.sub("", str(value)).split())


def _opt_text(errors, field, value, max_len=NAME_MAX):
    """Optional text of at most max_len characters (the column's size): None when empty."""
    if isinstance(value, (list, dict)):
        errors[field] = ("wrong_type", {})
        return None
    text = _text(value)
    if len(text) > max_len:
        errors[field] = ("too_long", {"max": max_len})
    return text or None


def _obj(errors, field, value):
    """A nested object given as an object or as its name; anything else is an error."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, dict):
        return value
    errors[field] = ("wrong_type", {})
    return {}


def _bool(value):
    """A JSON boolean (None = not given = False); "yes"/"no" words are the import's to translate."""
    return bool(json_bool(value))


def _small_int(value, lo, hi):
    """An integer within [lo, hi]; ValueError otherwise (so 10**30 is a clear error, not a 500)."""
    n = int(str(value).strip())
    if not lo <= n <= hi:
        raise ValueError(value)
    return n


def _name(errors, field, value, max_len=NAME_MAX):
    text = _text(value)
    if isinstance(value, (list, dict)):
        errors[field] = ("wrong_type", {})
    elif not text:
        errors[field] = ("required", {})
    elif len(text) > max_len:
        errors[field] = ("too_long", {"max": max_len})
    return text


def _region(errors, field, value):
    if isinstance(value, (list, dict)):
        errors[field] = ("unknown_region", {"value": ""})
        return None
    code = _text(value).casefold() or None
    if code is not None and code not in REGION_CODES:
        errors[field] = ("unknown_region", {"value": _text(value)})
    return code


def _league_lookup(tournament):
    leagues = {lg.id: lg for lg in tournament.leagues}
    by_key = {}
    for lg in tournament.leagues:
        by_key.setdefault(lg.language, lg)
        by_key[normalise_name(lg.name)] = lg
    return leagues, by_key


def _resolve_league(item, leagues, by_key):
    if item.get("league_id") is not None:
        try:
            return leagues.get(_small_int(item["league_id"], 1, 2**31 - 1))
        except (TypeError, ValueError):
            return None
    key = item.get("league")
    return by_key.get(normalise_name(str(key))) if key is not None else None


def _existing_names(model, tournament_id):
    rows = db.session.scalars(select(model.name).where(model.tournament_id == tournament_id))
    return {normalise_name(n) for n in rows}


def _check_unique(errors, name, seen, existing, field="name"):
    key = normalise_name(name)
    if not key:
        return
    if key in existing:
        errors[field] = ("duplicate_name", {"value": name})
    elif key in seen:
        errors[field] = ("duplicate_in_file", {"value": name})
    seen.add(key)


# ----- teams -----

def _validate_team(item, leagues, by_key):
    errors, clean = {}, {}
    if not isinstance(item, dict):
        return {"": ("required", {})}, None
    league = _resolve_league(item, leagues, by_key)
    if league is None:
        errors["league_id"] = ("unknown_league", {})
    clean["league"] = league
    clean["name"] = _name(errors, "name", item.get("name"), 120)
    school = _obj(errors, "school", item.get("school"))
    clean["school_name"] = _opt_text(errors, "school.name", school.get("name"))
    clean["region"] = _region(errors, "school.region", school.get("region"))
    try:
        clean["rural"] = _bool(school.get("rural"))
    except ValueError:
        errors["school.rural"] = ("not_a_bool", {})
    coach = _obj(errors, "coach", item.get("coach"))
    clean["coach_name"] = _opt_text(errors, "coach.name", coach.get("name"))
    clean["coach_contact"] = _opt_text(errors, "coach.contact", coach.get("contact"))
    speakers = item.get("speakers")
    if not isinstance(speakers, list) or len(speakers) != 2:
        errors["speakers"] = ("two_speakers", {})
        speakers = []
    clean["speakers"] = []
    for i, sp in enumerate(speakers):
        sp = _obj(errors, f"speakers.{i}", sp)
        name = _name(errors, f"speakers.{i}.name", sp.get("name"))
        grade = sp.get("grade")
        try:
            grade = _small_int(grade, 1, 12) if grade not in (None, "") else None
        except (TypeError, ValueError):
            errors[f"speakers.{i}.grade"] = ("out_of_range", {"min": 1, "max": 12})
            grade = None
        gender = _text(sp.get("gender")).casefold()[:1] or None
        clean["speakers"].append({"name": name, "grade": grade, "gender": gender})
    reserve = item.get("reserve")
    reserve = {"name": reserve} if isinstance(reserve, str) else (reserve or {})
    clean["reserve"] = None
    if isinstance(reserve, dict) and _text(reserve.get("name")):
        clean["reserve"] = {"name": _name(errors, "reserve.name", reserve.get("name"))}
    try:
        clean["needs_access"] = _bool(item.get("needs_access"))
    except ValueError:
        errors["needs_access"] = ("not_a_bool", {})
    seed = item.get("seed_rank")
    try:
        clean["seed_rank"] = _small_int(seed, 1, 100000) if seed not in (None, "") else None
    except (TypeError, ValueError):
        errors["seed_rank"] = ("not_a_number", {})
    return errors, clean


def _school(tournament, name, region, rural, cache):
    if not name:
        return None
    key = (normalise_name(name), region)
    if key not in cache:
        found = db.session.scalars(select(School).where(School.tournament_id == tournament.id,
                                                        School.region_code == region)).all()
        for s in found:
            cache.setdefault((normalise_name(s.name), s.region_code), s)
    if key not in cache:
        s = School(tournament_id=tournament.id, name=name, region_code=region, rural=rural)
        db.session.add(s)
        cache[key] = s
    return cache[key]


def _validate_all(items: list, validate, model, tournament_id) -> list[dict]:
    """Every item checked (validate(item) -> (errors, clean)) and names unique within the
    batch and the tournament; ValidationFailed lists every bad item, so nothing is stored
    unless everything is good."""
    existing, seen = _existing_names(model, tournament_id), set()
    all_errors, cleaned = {}, []
    for i, item in enumerate(items):
        errors, clean = validate(item)
        if clean:
            _check_unique(errors, clean["name"], seen, existing)
        if errors:
            all_errors[i] = errors
        cleaned.append(clean)
    if all_errors:
        raise ValidationFailed(all_errors)
    return cleaned


def add_teams(tournament, items: list, check_only: bool = False) -> list[Team]:
    leagues, by_key = _league_lookup(tournament)
    cleaned = _validate_all(items, lambda item: _validate_team(item, leagues, by_key), Team, tournament.id)
    if check_only:  # validation only (an import's read phase)
        return []
    schools, coaches, teams = {}, {}, []
    for c in cleaned:
        school = _school(tournament, c["school_name"], c["region"], c["rural"], schools)
        coach = None
        if c["coach_name"]:
            ckey = normalise_name(c["coach_name"])
            coach = coaches.get(ckey)
            if coach is None:
                coach = coaches[ckey] = Coach(tournament_id=tournament.id, name=c["coach_name"],
                                              contact=c["coach_contact"])
                db.session.add(coach)
        team = Team(tournament_id=tournament.id, league=c["league"], name=c["name"], school=school,
                    coach=coach, seed_rank=c["seed_rank"], needs_access=c.get("needs_access", False))
        team.speakers = [Speaker(position=n + 1, **sp) for n, sp in enumerate(c["speakers"])]
        if c.get("reserve"):
            team.speakers.append(Speaker(position=3, reserve=True, name=c["reserve"]["name"]))
        db.session.add(team)
        teams.append(team)
    db.session.flush()
    return teams


# ----- adjudicators -----

def _languages(errors, value):
    if isinstance(value, str):
        value = value.replace(",", " ").replace(";", " ").split()
    if value is not None and not isinstance(value, list):
        errors["languages"] = ("unknown_language", {"value": _text(value)})
        return []
    langs = []
    for v in value or []:
        code = _text(v).casefold()
        if code not in LANGUAGES:
            errors["languages"] = ("unknown_language", {"value": _text(v)})
        elif code not in langs:
            langs.append(code)
    if not langs and "languages" not in errors:
        errors["languages"] = ("no_languages", {})
    return langs


def _split_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return list(value) if isinstance(value, list) else [value]


def _validate_adjudicator(item, team_ids, team_by_name):
    errors, clean = {}, {}
    if not isinstance(item, dict):
        return {"": ("required", {})}, None
    clean["name"] = _name(errors, "name", item.get("name"))
    clean["region"] = _region(errors, "region", item.get("region"))
    clean["school"] = _opt_text(errors, "school", item.get("school"))
    clean["languages"] = _languages(errors, item.get("languages"))
    rating = item.get("rating", 5)
    try:
        rating = float(str(rating).replace(",", ".")) if rating not in (None, "") else 5.0
        if not 0 <= rating <= 10:
            errors["rating"] = ("out_of_range", {"min": 0, "max": 10})
    except ValueError:
        errors["rating"] = ("not_a_number", {})
        rating = 5.0
    clean["rating"] = rating
    clean["contact"] = _opt_text(errors, "contact", item.get("contact"))
    try:
        clean["needs_access"] = _bool(item.get("needs_access"))
    except ValueError:
        errors["needs_access"] = ("not_a_bool", {})
    _check_available(errors, item)
    conflicts = item.get("conflicts") or {}
    if not isinstance(conflicts, dict):
        errors["conflicts"] = ("wrong_type", {})
        conflicts = {}
    ids = []
    team_id_list = conflicts.get("team_ids") or []
    if not isinstance(team_id_list, list):
        errors["conflicts.team_ids"] = ("wrong_type", {})
        team_id_list = []
    for tid in team_id_list:
        if not isinstance(tid, int) or tid not in team_ids:
            errors["conflicts.team_ids"] = ("unknown_team", {"value": tid})
        else:
            ids.append(tid)
    for tname in _split_list(conflicts.get("team_names")):
        tname = _text(tname)
        tid = team_by_name.get(normalise_name(tname))
        if tid is None:
            errors["conflicts.team_names"] = ("unknown_team", {"value": tname})
        else:
            ids.append(tid)
    clean["team_conflicts"] = sorted(set(ids))
    clean["school_conflicts"] = sorted({_opt_text(errors, "conflicts.schools", s)
                                        for s in _split_list(conflicts.get("schools")) if _text(s)})
    return errors, clean


def _check_available(errors, item):
    """A new adjudicator's or room's "available": a JSON boolean or null (not given: yes)."""
    try:
        json_bool(item.get("available"))
    except ValueError:
        errors["available"] = ("not_a_bool", {})


def item_available(item) -> bool:
    """Whether a new adjudicator or room starts available (the new form's box; default yes)."""
    return not isinstance(item, dict) or item.get("available", True) is not False


def add_adjudicators(tournament, items: list, check_only: bool = False) -> list[Adjudicator]:
    teams = db.session.execute(select(Team.id, Team.name).where(Team.tournament_id == tournament.id)).all()
    team_ids = {t.id for t in teams}
    team_by_name = {normalise_name(t.name): t.id for t in teams}
    cleaned = _validate_all(items, lambda item: _validate_adjudicator(item, team_ids, team_by_name),
                            Adjudicator, tournament.id)
    if check_only:  # validation only (an import's read phase)
        return []
    out = []
    for c, item in zip(cleaned, items):
        adj = Adjudicator(tournament_id=tournament.id, name=c["name"], region_code=c["region"],
                          school=c["school"], languages=c["languages"], rating=c["rating"], contact=c["contact"],
                          needs_access=c.get("needs_access", False),
                          available=item_available(item))
        adj.team_conflicts = [AdjudicatorTeamConflict(team_id=t) for t in c["team_conflicts"]]
        adj.school_conflicts = [AdjudicatorSchoolConflict(school_name=s) for s in c["school_conflicts"]]
        db.session.add(adj)
        out.append(adj)
    db.session.flush()
    return out


# ----- rooms -----

def _validate_room(item):
    errors = {}
    if not isinstance(item, dict):
        return {"": ("required", {})}, None
    name = _name(errors, "name", item.get("name"), 80)
    try:
        accessible = _bool(item.get("accessible"))
    except ValueError:
        errors["accessible"] = ("not_a_bool", {})
        accessible = False
    try:
        priority = _small_int(item.get("priority") or 0, -1000, 1000)
    except (TypeError, ValueError):
        errors["priority"] = ("not_a_number", {})
        priority = 0
    _check_available(errors, item)
    return errors, {"name": name, "accessible": accessible, "priority": priority}


def add_rooms(tournament, items: list, check_only: bool = False) -> list[Room]:
    cleaned = _validate_all(items, _validate_room, Room, tournament.id)
    if check_only:  # validation only (an import's read phase)
        return []
    rooms = [Room(tournament_id=tournament.id, available=item_available(item), **c)
             for c, item in zip(cleaned, items)]
    db.session.add_all(rooms)
    db.session.flush()
    return rooms


def league_by_language(tournament, language) -> League | None:
    return next((lg for lg in tournament.leagues if lg.language == language), None)


# ----- edits (the director's forms) -----

def _others(model, tournament_id, exclude_id):
    rows = db.session.execute(select(model.id, model.name).where(model.tournament_id == tournament_id))
    return {normalise_name(r.name) for r in rows if r.id != exclude_id}


# Availability and withdrawal are never set here: a change goes through set_team_active,
# set_adjudicator_available or set_room_available, which audit it (tests/test_record_sacred.py
# checks that nothing else in the package assigns those flags).

def update_team(tournament, team: Team, item: dict, user=None) -> Team:
    leagues, by_key = _league_lookup(tournament)
    errors, c = _validate_team(item, leagues, by_key)
    if c:
        _check_unique(errors, c["name"], set(), _others(Team, tournament.id, team.id))
    if errors:
        raise ValidationFailed({0: errors})
    team.league, team.name, team.seed_rank = c["league"], c["name"], c["seed_rank"]
    team.needs_access = c.get("needs_access", False)
    team.school = _school(tournament, c["school_name"], c["region"], c["rural"], {})
    if team.school is not None:
        team.school.rural = c["rural"]
    if c["coach_name"]:
        if team.coach is None or normalise_name(team.coach.name) != normalise_name(c["coach_name"]):
            team.coach = Coach(tournament_id=tournament.id, name=c["coach_name"])
        team.coach.contact = c["coach_contact"]
    else:
        team.coach = None
    regular = [sp for sp in team.speakers if not sp.reserve]
    for sp, new in zip(regular, c["speakers"]):
        sp.name, sp.grade, sp.gender = new["name"], new["grade"], new["gender"]
    reserve = next((sp for sp in team.speakers if sp.reserve), None)
    if c.get("reserve"):
        if reserve is None:
            team.speakers.append(Speaker(position=3, reserve=True, name=c["reserve"]["name"]))
        else:
            reserve.name = c["reserve"]["name"]
    # A reserve once registered stays (they may be named on a ballot); only renamed here.
    db.session.flush()
    return team


def update_adjudicator(tournament, adj: Adjudicator, item: dict, user=None) -> Adjudicator:
    teams = db.session.execute(select(Team.id, Team.name).where(Team.tournament_id == tournament.id)).all()
    errors, c = _validate_adjudicator(item, {t.id for t in teams}, {normalise_name(t.name): t.id for t in teams})
    if c:
        _check_unique(errors, c["name"], set(), _others(Adjudicator, tournament.id, adj.id))
    if errors:
        raise ValidationFailed({0: errors})
    adj.name, adj.region_code, adj.school = c["name"], c["region"], c["school"]
    adj.languages, adj.rating, adj.contact = c["languages"], c["rating"], c["contact"]
    if "available" in item:
        set_adjudicator_available(adj, bool(item["available"]), user=user)
    adj.needs_access = c.get("needs_access", False)
    adj.team_conflicts = [AdjudicatorTeamConflict(team_id=t) for t in c["team_conflicts"]]
    adj.school_conflicts = [AdjudicatorSchoolConflict(school_name=s) for s in c["school_conflicts"]]
    db.session.flush()
    return adj


def update_room(tournament, room: Room, item: dict, user=None) -> Room:
    errors, c = _validate_room(item)
    if c:
        _check_unique(errors, c["name"], set(), _others(Room, tournament.id, room.id))
    if errors:
        raise ValidationFailed({0: errors})
    room.name, room.priority, room.accessible = c["name"], c["priority"], c["accessible"]
    if "available" in item:
        set_room_available(room, bool(item["available"]), user=user)
    db.session.flush()
    return room


# ----- deletion and withdrawal -----
# A person who appears in the record (a draw, a panel, a bye, the break, a ballot, an appeal, an
# issued document) is never deleted: the deletion is refused (409 in_use) and withdrawal offered
# instead, so every result stays. The database backs this up: no foreign key from the record to
# a team or an adjudicator deletes anything (models/rounds.py, models/ballots.py).

def _any(*conditions) -> bool:
    return any(db.session.scalar(select(exists().where(c))) for c in conditions)


def team_in_use(team: Team) -> bool:
    speakers = select(Speaker.id).where(Speaker.team_id == team.id)
    return _any(or_(Debate.gov_team_id == team.id, Debate.opp_team_id == team.id), Bye.team_id == team.id,
                BreakSeed.team_id == team.id, Appeal.team_id == team.id,
                or_(Award.team_id == team.id, Award.speaker_id.in_(speakers)))


def adjudicator_in_use(adj: Adjudicator) -> bool:
    return _any(DebateAdjudicator.adjudicator_id == adj.id, Ballot.adjudicator_id == adj.id)


def room_in_use(room: Room) -> bool:
    return _any(Debate.room_id == room.id)


def _delete(obj, kind: str, in_use, user, **details) -> None:
    """Delete a team, adjudicator or room that nothing refers to (else 409 in_use), audited."""
    if in_use(obj):
        raise Refused(409, "in_use", {"kind": kind, "name": obj.name})
    audit(obj.tournament_id, f"{kind}_deleted", obj, user=user, name=obj.name, **details)
    db.session.delete(obj)
    db.session.flush()


def delete_team(team: Team, user=None) -> None:
    _delete(team, "team", team_in_use, user, league_id=team.league_id)


def delete_adjudicator(adj: Adjudicator, user=None) -> None:
    _delete(adj, "adjudicator", adjudicator_in_use, user)


def delete_room(room: Room, user=None) -> None:
    _delete(room, "room", room_in_use, user)


DELETERS = {Team: delete_team, Adjudicator: delete_adjudicator, Room: delete_room}


def delete_participant(obj, user=None) -> None:
    DELETERS[type(obj)](obj, user=user)


def set_team_active(team: Team, active: bool, user=None) -> Team:
    """Withdraw a team for the rest of the tournament (active=False) or bring it back. A
    withdrawn team is in no later draw or break; its results stay in every standing, so its
    opponents keep their wins and draw strength."""
    if not isinstance(active, bool):
        raise Refused(422, "validation_failed", fields={"active": "not_a_bool"})
    if team.active != active:
        team.active = active
        audit(team.tournament_id, "team_reinstated" if active else "team_withdrawn", team, user=user,
              name=team.name)
        db.session.flush()
    return team


def set_adjudicator_available(adj: Adjudicator, available: bool, user=None) -> Adjudicator:
    """Withdraw an adjudicator (available=False: on no later panel) or bring them back. Panels
    already drawn and ballots already given stay as they are."""
    if not isinstance(available, bool):
        raise Refused(422, "validation_failed", fields={"available": "not_a_bool"})
    if adj.available != available:
        adj.available = available
        audit(adj.tournament_id, "adjudicator_reinstated" if available else "adjudicator_withdrawn", adj,
              user=user, name=adj.name)
        db.session.flush()
    return adj


def set_room_available(room: Room, available: bool, user=None) -> Room:
    """A room out of use (available=False: no later draw puts a debate in it) or back in use.
    Debates already in it stay there."""
    if not isinstance(available, bool):
        raise Refused(422, "validation_failed", fields={"available": "not_a_bool"})
    if room.available != available:
        room.available = available
        audit(room.tournament_id, "room_available" if available else "room_unavailable", room, user=user,
              name=room.name)
        db.session.flush()
    return room
