"""Creating and editing tournaments and their leagues."""
from datetime import date

from .. import settings as settings_mod
from ..core.extensions import db
from ..models import League, Tournament, TournamentMember
from ..models.people import may_create_tournaments
from ..models.tournament import LANGUAGES, STAGES
from .audit import audit
from .errors import Refused
from .participants import ValidationFailed, _opt_text, _text


def _date(errors, field, value):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = ("bad_date", {})
        return None


def clean_settings(errors, raw, source="json", current=None) -> dict:
    """The settings of a request, checked as debate/settings.py declares them; errors are
    added under "settings.<key>". source: "json" (the API) or "form" (the director's page)."""
    if not isinstance(raw, dict):
        errors["settings"] = ("not_an_object", {})
        return {}
    values, problems = settings_mod.clean(raw, source, current)
    for key, err in problems.items():
        errors[f"settings.{key}"] = err
    return values


def validate_tournament(data: dict, partial: bool = False, source: str = "json",
                        current: dict | None = None) -> tuple[dict, dict]:
    """current: the settings in force (an edit), against which changed settings are checked."""
    errors, clean = {}, {}
    if not partial or "name" in data:
        clean["name"] = _text(data.get("name"))
        if isinstance(data.get("name"), (list, dict)):
            errors["name"] = ("wrong_type", {})
        elif not clean["name"]:
            errors["name"] = ("required", {})
        elif len(clean["name"]) > 200:
            errors["name"] = ("too_long", {"max": 200})
    if not partial or "stage" in data:
        clean["stage"] = data.get("stage") or "republican"
        if not isinstance(clean["stage"], str) or clean["stage"] not in STAGES:
            errors["stage"] = ("unknown_stage", {})
    for f in ("start_date", "end_date"):
        if f in data:
            clean[f] = _date(errors, f, data.get(f))
    if "names" in data:
        clean["names"] = _per_language(errors, "names", data.get("names"))
    if "venue" in data:
        clean["venue"] = _opt_text(errors, "venue", data.get("venue"))
    if "venues" in data and source == "form":  # the API contract has the one `venue` only
        clean["venues"] = _per_language(errors, "venues", data.get("venues"))
    if "settings" in data:
        stage = clean.get("stage") or "republican"
        clean["settings"] = clean_settings(errors, data.get("settings"), source,
                                           current if current is not None else settings_mod.defaults(stage))
    if not partial or "leagues" in data:
        leagues = data.get("leagues")
        if leagues is None and not partial:
            leagues = [{"language": lang} for lang in LANGUAGES]
        clean["leagues"] = []
        seen_names = set()
        if not isinstance(leagues, (list, type(None))):
            errors["leagues"] = ("wrong_type", {})
            leagues = []
        for i, lg in enumerate(leagues or []):
            if not isinstance(lg, dict):
                errors[f"leagues.{i}"] = ("wrong_type", {})
                continue
            lang = lg.get("language")
            if not isinstance(lang, str) or lang not in LANGUAGES:
                errors[f"leagues.{i}.language"] = ("unknown_language", {"value": str(lang)})
                continue
            name = _opt_text(errors, f"leagues.{i}.name", lg.get("name"), 120) or default_league_name(lang)
            if name.casefold() in seen_names:
                errors[f"leagues.{i}.name"] = ("duplicate_name", {"value": name})
            seen_names.add(name.casefold())
            clean["leagues"].append({"language": lang, "name": name})
        if not clean["leagues"] and "leagues" not in errors:
            errors["leagues"] = ("required", {})
    return errors, clean


def _per_language(errors, field, raw) -> dict:
    """{"kk": .., "ru": .., "en": ..}: the tournament's name (field "names") or venue ("venues")
    in each language (any may be left out)."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors[field] = ("choice", {})
        return {}
    out = {}
    for lang, value in raw.items():
        if lang not in LANGUAGES:
            errors[f"{field}.{lang}"] = ("unknown_language", {"value": str(lang)})
        elif value not in (None, "") and not isinstance(value, str):
            errors[f"{field}.{lang}"] = ("choice", {})
        elif value:
            text = _text(value)
            if len(text) > 200:
                errors[f"{field}.{lang}"] = ("too_long", {"max": 200})
            elif text:
                out[lang] = text
    return out


def default_league_name(lang: str) -> str:
    # League names are data, shown as entered; these are the usual names in each league's language.
    return {"kk": "Қазақ лигасы", "ru": "Русская лига", "en": "English league"}[lang]


def _changed_from_defaults(values: dict, stage: str) -> dict:
    """Only what differs from the defaults is stored (the form sends every setting); a setting
    whose default depends on the stage is stored whenever it is given."""
    defaults = settings_mod.defaults(stage)
    return {k: v for k, v in values.items()
            if v is not None and (v != defaults[k] or callable(settings_mod.SETTINGS[k].default))}


def create_tournament(user, data: dict, source: str = "json") -> Tournament:
    if not may_create_tournaments(user):
        raise Refused(403, "cannot_create_tournament")
    errors, clean = validate_tournament(data, source=source)
    if errors:
        raise ValidationFailed({0: errors})
    t = Tournament(name=clean["name"], stage=clean["stage"], start_date=clean.get("start_date"),
                   end_date=clean.get("end_date"), venue=clean.get("venue"), names=clean.get("names") or {},
                   venues=clean.get("venues") or {},
                   settings=_changed_from_defaults(clean.get("settings") or {}, clean["stage"]))
    t.leagues = [League(**lg) for lg in clean["leagues"]]
    db.session.add(t)
    db.session.flush()
    db.session.add(TournamentMember(user_id=user.id, tournament_id=t.id, role="director"))
    db.session.flush()
    return t


def update_tournament(t: Tournament, data: dict, source: str = "json", user=None) -> Tournament:
    errors, clean = validate_tournament(data, partial=True, source=source, current=settings_mod.effective(t))
    if errors:
        raise ValidationFailed({0: errors})
    before = settings_mod.effective(t)
    for f in ("name", "names", "stage", "start_date", "end_date", "venue", "venues"):
        if f in clean:
            setattr(t, f, clean[f])
    if "settings" in clean:
        stored = dict(t.settings or {})
        defaults = settings_mod.defaults(t.stage)
        for key, value in clean["settings"].items():
            if value is None:
                stored.pop(key, None)  # back to the default
            elif key in stored or value != defaults[key] or callable(settings_mod.SETTINGS[key].default):
                stored[key] = value
        t.settings = stored
    after = settings_mod.effective(t)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:  # a setting, or a stage-dependent default when the stage changed
        audit(t.id, "settings_changed", t, user=user, changes=changed)
    if "leagues" in clean:
        have = {lg.language: lg for lg in t.leagues}
        for lg in clean["leagues"]:
            if lg["language"] in have:
                have[lg["language"]].name = lg["name"]
            else:
                t.leagues.append(League(**lg))
    db.session.flush()
    return t
