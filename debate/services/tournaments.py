"""Creating and editing tournaments and their leagues."""
from datetime import date

from ..extensions import db
from ..models import League, Tournament, TournamentMember
from ..models.people import may_create_tournaments
from ..models.tournament import LANGUAGES, STAGES
from .. import settings as settings_mod
from .errors import Refused
from .participants import ValidationFailed, _text


def _date(errors, field, value):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = ("bad_date", {})
        return None


def clean_settings(errors, raw) -> dict:
    out = {}
    for key, value in (raw or {}).items():
        try:
            out[key] = settings_mod.coerce(key, value)
        except KeyError:
            errors[f"settings.{key}"] = ("unknown_setting", {})
        except (TypeError, ValueError):
            errors[f"settings.{key}"] = ("not_a_number", {})
    for key, code in settings_mod.validate(out).items():
        errors.setdefault(f"settings.{key}", (code, {}))
    return out


def validate_tournament(data: dict, partial: bool = False) -> tuple[dict, dict]:
    errors, clean = {}, {}
    if not partial or "name" in data:
        clean["name"] = _text(data.get("name"))
        if not clean["name"]:
            errors["name"] = ("required", {})
        elif len(clean["name"]) > 200:
            errors["name"] = ("too_long", {"max": 200})
    if not partial or "stage" in data:
        clean["stage"] = data.get("stage") or "republican"
        if clean["stage"] not in STAGES:
            errors["stage"] = ("unknown_stage", {})
    for f in ("start_date", "end_date"):
        if f in data:
            clean[f] = _date(errors, f, data.get(f))
    if "venue" in data:
        clean["venue"] = _text(data.get("venue")) or None
    if "settings" in data:
        clean["settings"] = clean_settings(errors, data.get("settings"))
    if not partial or "leagues" in data:
        leagues = data.get("leagues")
        if leagues is None and not partial:
            leagues = [{"language": lang} for lang in LANGUAGES]
        clean["leagues"] = []
        seen_names = set()
        for i, lg in enumerate(leagues or []):
            lang = (lg or {}).get("language")
            if lang not in LANGUAGES:
                errors[f"leagues.{i}.language"] = ("unknown_language", {"value": str(lang)})
                continue
            name = _text(lg.get("name")) or default_league_name(lang)
            if name.casefold() in seen_names:
                errors[f"leagues.{i}.name"] = ("duplicate_name", {"value": name})
            seen_names.add(name.casefold())
            clean["leagues"].append({"language": lang, "name": name})
        if not clean["leagues"] and "leagues" not in errors:
            errors["leagues"] = ("required", {})
    return errors, clean


def default_league_name(lang: str) -> str:
    # League names are data, shown as entered; these are the usual names in each league's language.
    return {"kk": "Қазақ лигасы", "ru": "Русская лига", "en": "English league"}[lang]


def create_tournament(user, data: dict) -> Tournament:
    if not may_create_tournaments(user):
        raise Refused(403, "cannot_create_tournament")
    errors, clean = validate_tournament(data)
    if errors:
        raise ValidationFailed({0: errors})
    t = Tournament(name=clean["name"], stage=clean["stage"], start_date=clean.get("start_date"),
                   end_date=clean.get("end_date"), venue=clean.get("venue"),
                   settings=clean.get("settings") or {})
    t.leagues = [League(**lg) for lg in clean["leagues"]]
    db.session.add(t)
    db.session.flush()
    db.session.add(TournamentMember(user_id=user.id, tournament_id=t.id, role="director"))
    db.session.flush()
    return t


def update_tournament(t: Tournament, data: dict) -> Tournament:
    errors, clean = validate_tournament(data, partial=True)
    if errors:
        raise ValidationFailed({0: errors})
    for f in ("name", "stage", "start_date", "end_date", "venue"):
        if f in clean:
            setattr(t, f, clean[f])
    if "settings" in clean:
        t.settings = {**(t.settings or {}), **clean["settings"]}
    if "leagues" in clean:
        have = {lg.language: lg for lg in t.leagues}
        for lg in clean["leagues"]:
            if lg["language"] in have:
                have[lg["language"]].name = lg["name"]
            else:
                t.leagues.append(League(**lg))
    db.session.flush()
    return t
