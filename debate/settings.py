"""Tournament settings: every key declared once, here.

Each Setting says its key, default (or a default that depends on the stage), type, label, a
one-line help text, its choices (each with a label) or its bounds, and its unit. Everything
else is derived from SETTINGS: the checks (``clean``: coerce, then check, giving message codes
that debate/text/messages.py words), the director's form (templates/director/tournament_form.html
draws one control per setting from its ``widget``), the API's description (``json_schema``,
used by debate/api/openapi.py) and the values a tournament runs with (``effective``).

A tournament stores only the keys it changes; everything else is the default. Values reach
``clean`` from two sources, coerced differently: ``"json"`` (the API: a boolean must be a JSON
boolean, a number a JSON number) and ``"form"`` (the director's page: everything arrives as
text, "on"/"" for a checkbox, "27,5" for 27.5, an empty box for "back to the default").

The choices of the draw and the standings come from the tab logic's own constants, so a rule
the tab logic does not know can never be stored.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .tab import bracket as tab_bracket
from .tab import draw as tab_draw
from .tab import standings as tab_standings
from .text.i18n import METRIC_NAMES, PLACING_NAMES

# Final placings, best first, and the default diploma degree of each (award_degrees).
PLACINGS = tuple(PLACING_NAMES)
DEFAULT_DEGREES = {"champion": 1, "finalist": 2, "semifinalist": 3}
# Time zones offered first in the form (any IANA name is accepted).
KAZAKHSTAN_TIMEZONES = ("Asia/Almaty", "Asia/Qostanay", "Asia/Qyzylorda", "Asia/Aqtobe", "Asia/Aqtau",
                        "Asia/Atyrau", "Asia/Oral")


@dataclass(frozen=True)
class Choice:
    value: Any
    label: Any  # a lazy string, shown in the user's language


@dataclass(frozen=True)
class Setting:
    key: str
    type: type  # of the value a tournament runs with: bool, int, float, str or list
    default: Any  # a value, or a function of the stage
    label: Any
    help: Any
    group: str
    choices: tuple = ()  # Choice(...) each; for "order", the items that may be listed
    minimum: float | None = None
    maximum: float | None = None
    unit: Any = None
    check: Callable | None = None  # value -> None or (code, params), after coercion
    nullable: bool = False  # None (or an empty box) means "back to the default"
    widget: str = ""  # the form control; derived from the type when empty
    choice_code: str = "choice"  # the message code for a value outside the choices
    minimum_code: str = "out_of_range"

    def default_for(self, stage: str):
        value = self.default(stage) if callable(self.default) else self.default
        return list(value) if isinstance(value, list) else value

    @property
    def control(self) -> str:
        if self.widget:
            return self.widget
        if self.type is bool:
            return "checkbox"
        if self.choices:
            return "select"
        return "number" if self.type in (int, float) else "text"


# ----------------------------------------------------------------- checks (value -> code or None)

def parse_degree_map(raw) -> dict:
    """"champion:1,finalist:2,semifinalist:3" → {"champion": 1, ...} (None: the default; an
    empty string: no diploma by placing). Unknown placings, degrees outside 1–3 and a placing
    named twice raise ValueError."""
    if raw is None:
        return dict(DEFAULT_DEGREES)
    out = {}
    for part in str(raw).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        placing, _sep, degree = part.partition(":")
        placing = placing.strip().casefold()
        if placing not in PLACINGS or placing in out:
            raise ValueError(placing)
        degree = int(degree.strip())
        if degree not in (1, 2, 3):
            raise ValueError(degree)
        out[placing] = degree
    return out


def format_degree_map(degrees: dict) -> str:
    return ",".join(f"{p}:{degrees[p]}" for p in PLACINGS if degrees.get(p))


def _check_degrees(value):
    try:
        degrees = parse_degree_map(value)
    except ValueError:
        return ("bad_degrees", {})
    # A better placing never gets a lower diploma (I is the highest), nor none when a worse one has one.
    worst = 1
    for p in PLACINGS:
        d = degrees.get(p)
        if d is None:
            worst = 4
        elif d < worst:
            return ("degree_order", {})
        else:
            worst = d
    return None


def _check_timezone(value):
    """An IANA zone name: Area/Location (or UTC), not an abbreviation such as EST."""
    try:
        if not value or value.startswith(("/", ".")) or ".." in value or ("/" not in value and value != "UTC"):
            raise ValueError(value)
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        return ("unknown_timezone", {"value": value})
    return None


def _check_url(value):
    """A whole http(s) address that phones can open: a host, no query or fragment."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return ("bad_url", {})
    if (parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment
            or any(c.isspace() for c in value)):
        return ("bad_url", {})
    return None


def _check_split(value):
    if len(value) != 3:
        return ("three_numbers", {})
    if any(v < 0 or v > 100 for v in value):
        return ("out_of_range", {"min": 0, "max": 100})
    if sum(value) != 100:
        return ("split_sum", {"total": sum(value)})
    return None


def _public_base_url(_stage=None) -> str:
    if has_app_context():
        return current_app.config.get("PUBLIC_BASE_URL") or ""
    return os.environ.get("PUBLIC_BASE_URL", "")


def precedence_metrics(raw) -> tuple:
    """The team precedence as metric names, from a stored comma string or list; names the
    tab logic does not know (written before they were checked) are left out."""
    items = raw.split(",") if isinstance(raw, str) else (raw or ())
    metrics = tuple(m.strip() for m in items if isinstance(m, str) and m.strip() in tab_standings.METRICS)
    return metrics or tab_standings.DEFAULT_PRECEDENCE


# ----------------------------------------------------------------- the declaration

GROUPS = {
    "marks": _l("Marks and ballots"),
    "draw": _l("Draw"),
    "panels": _l("Adjudicators"),
    "standings": _l("Standings and break"),
    "schedule": _l("Time"),
    "awards": _l("Diplomas"),
    "public": _l("Public pages"),
}

def _choices(values, labels: dict) -> tuple:
    """Choices for the values the tab logic knows, each with its label (a KeyError at import
    when the tab logic gains a value that has no words yet)."""
    return tuple(Choice(v, labels[v]) for v in values)


_YES_NO_STAGE = (Choice(True, _l("On")), Choice(False, _l("Off")))
_PANEL_SIZES = tuple(Choice(n, str(n)) for n in (1, 3, 5, 7))
_MINUTES, _HOURS, _PERCENT = _l("minutes"), _l("hours"), _l("%")

_LIST = (
    Setting("speaker_score_min", float, 15.0, _l("Lowest speaker mark"),
            _l("The lowest mark an adjudicator may give one speech."), "marks", minimum=0, maximum=100),
    Setting("speaker_score_max", float, 30.0, _l("Highest speaker mark"),
            _l("The highest mark an adjudicator may give one speech."), "marks", minimum=0, maximum=100),
    Setting("speaker_score_step", float, 0.5, _l("Step between marks"),
            _l("Marks must be multiples of this, for example 0.5 allows 27.5."), "marks",
            minimum=0.01, maximum=10, minimum_code="positive"),
    Setting("allow_low_point_win", bool, False, _l("Low-point wins"),
            _l("Allow the team with the lower total to win a debate."), "marks"),
    Setting("confirm_own_entries", bool, False, _l("Confirm own entries"),
            _l("The person who typed in a paper ballot may also confirm it."), "marks"),
    Setting("forfeit_points", str, "none", _l("Marks for a forfeit win"),
            _l("What a team that wins by forfeit gets as speaker marks."), "marks",
            choices=(Choice("none", _l("No marks")), Choice("average", _l("The team's average marks")))),
    Setting("allow_iron_person", bool, False, _l("One speaker for two"),
            _l("Allow one speaker to give both speeches of a team when the partner is absent."), "marks"),

    Setting("draw_method", str, "fold", _l("Pairing inside a bracket"),
            _l("How teams with the same number of wins are paired."), "draw",
            choices=_choices(tab_draw.DRAW_METHODS, {"fold": _l("Fold: top against bottom"),
                                                     "slide": _l("Slide: top half against bottom half")})),
    Setting("pullup_rule", str, "least_then_lowest", _l("Pull-up"),
            _l("Which team an odd bracket takes from the bracket below."), "draw",
            choices=_choices(tab_draw.PULLUP_RULES, {
                "least_then_lowest": _l("Pulled up least often, then the lowest ranked"),
                "lowest": _l("The lowest ranked"), "highest": _l("The highest ranked")})),
    Setting("round1_method", str, "random", _l("First round"),
            _l("How the first round is paired, before any results."), "draw",
            choices=_choices(tab_draw.ROUND1_METHODS, {"random": _l("At random"), "seeded": _l("By seed")})),
    Setting("avoid_same_region_draw", bool, True, _l("Keep regions apart"),
            _l("Avoid pairing teams of the same region when the draw allows it."), "draw"),

    Setting("panel_size", int, 3, _l("Panel in preliminary rounds"),
            _l("Adjudicators per preliminary debate: an odd number."), "panels",
            choices=_PANEL_SIZES, choice_code="odd_panel"),
    Setting("elimination_panel_size", int, 3, _l("Panel in elimination rounds"),
            _l("Adjudicators per elimination debate: an odd number."), "panels",
            choices=_PANEL_SIZES, choice_code="odd_panel"),
    Setting("region_conflict", bool, lambda stage: stage == "republican", _l("Own-region conflict"),
            _l("Adjudicators never judge teams of their own region; by default on at the republican stage."),
            "panels", choices=_YES_NO_STAGE, nullable=True, widget="select"),
    Setting("jury_exclusions", bool, lambda stage: stage == "republican", _l("Who may judge (Order No. 99)"),
            _l("Keep off the jury every teacher whose pupils compete and every juror of an earlier stage; "
               "by default on at the republican stage."),
            "panels", choices=_YES_NO_STAGE, nullable=True, widget="select"),
    Setting("team_feedback_on", str, "chair", _l("Teams give feedback on"),
            _l("Which adjudicators the teams rate after a debate."), "panels",
            choices=(Choice("chair", _l("The chair")), Choice("panel", _l("Every adjudicator of the panel")))),

    Setting("team_precedence", str, "wins,speaker_points,draw_strength", _l("Team standings order"),
            _l("Teams are ranked by the first measure, ties broken by the next, and so on."), "standings",
            choices=_choices(tab_standings.METRICS, METRIC_NAMES), widget="order"),
    Setting("speaker_max_missed", int, 1, _l("Speeches a ranked speaker may miss"),
            _l("A speaker who missed more rounds than this is listed without a rank."), "standings",
            minimum=0, maximum=100),
    Setting("bye_counts_as_win", bool, True, _l("A bye counts as a win"),
            _l("A team with a bye gets a win and its own average marks."), "standings"),
    Setting("break_size", int, 8, _l("Teams breaking"),
            _l("How many teams of each league go on to the elimination rounds."), "standings",
            minimum=2, maximum=1024, minimum_code="break_too_small"),
    Setting("elimination_sides", str, "coin_toss", _l("Sides in elimination rounds"),
            _l("How sides are decided in the elimination debates."), "standings",
            choices=_choices(tab_bracket.ELIMINATION_SIDE_METHODS, {
                "coin_toss": _l("Coin toss"), "higher_seed_choice": _l("The higher seed chooses")})),

    Setting("prep_minutes", int, 15, _l("Preparation time"),
            _l("Time between the release of the motion and the start of the debates."), "schedule",
            minimum=0, maximum=240, unit=_MINUTES),
    Setting("appeal_window_hours", float, lambda stage: 3.0 if stage == "republican" else 24.0,
            _l("Time for appeals"),
            _l("How long after the results an appeal may be filed; empty: 3 hours at the republican "
               "stage, 24 before."), "schedule", minimum=0, maximum=720, unit=_HOURS, nullable=True),
    Setting("timezone", str, "Asia/Almaty", _l("Time zone"),
            _l("Every time shown, exported or printed is in this zone, for example Asia/Almaty."), "schedule",
            check=_check_timezone, widget="timezone"),

    Setting("diploma_rule", str, "placing", _l("Who gets diplomas"),
            _l("By the place reached in the playoffs, or a share of each league's teams."), "awards",
            choices=(Choice("placing", _l("By placing: champion I, finalist II, semifinalists III")),
                     Choice("share", _l("A share of the teams")))),
    Setting("award_degrees", str, "champion:1,finalist:2,semifinalist:3", _l("Diploma by placing"),
            _l("The diploma degree for each final placing (when diplomas go by placing)."), "awards",
            check=_check_degrees, widget="degrees"),
    Setting("diploma_share", int, 45, _l("Share of teams with diplomas"),
            _l("The percentage of each league's teams that get diplomas (when diplomas go by share)."),
            "awards", minimum=1, maximum=100, unit=_PERCENT),
    Setting("diploma_split", list, [20, 30, 50], _l("Diplomas I, II and III"),
            _l("How the teams with diplomas are split between degrees I, II and III, in percent."),
            "awards", check=_check_split, unit=_PERCENT, widget="split"),
    Setting("gratitude_all_coaches", bool, False, _l("Letters to every coach"),
            _l("Every coach receives a letter of gratitude, not only the coaches of awarded teams."), "awards"),
    Setting("best_speakers_awarded", int, 3, _l("Best speakers awarded"),
            _l("How many of the best speakers of each league receive a diploma."), "awards",
            minimum=0, maximum=100),

    Setting("hide_panels_public", bool, False, _l("Hide panels"),
            _l("Public pages show the draw without the adjudicators."), "public"),
    Setting("public_url", str, _public_base_url, _l("Public address"),
            _l("The address printed in private links, QR sheets, diplomas and appeal codes; "
               "empty: the server's own."), "public", check=_check_url, nullable=True, widget="url"),
)

SETTINGS: dict[str, Setting] = {s.key: s for s in _LIST}


def grouped() -> list:
    """[(group label, [Setting, ...])] in the order of the form."""
    return [(label, [s for s in _LIST if s.group == g]) for g, label in GROUPS.items()]


# ----------------------------------------------------------------- reading

def defaults(stage: str = "republican") -> dict:
    return {k: s.default_for(stage) for k, s in SETTINGS.items()}


def get_setting(tournament, key: str):
    stored = (tournament.settings or {}).get(key)
    if stored is not None:
        return stored
    return SETTINGS[key].default_for(tournament.stage)


def effective(tournament) -> dict:
    return {k: get_setting(tournament, k) for k in SETTINGS}


def form_values(tournament) -> dict:
    """What the form shows before anything is typed: the values in force, except that a
    setting that may go back to its default shows empty while it is at the default."""
    stored = (tournament.settings or {}) if tournament is not None else {}
    stage = tournament.stage if tournament is not None else "republican"
    return {k: (stored.get(k) if s.nullable else
                (stored[k] if stored.get(k) is not None else s.default_for(stage)))
            for k, s in SETTINGS.items()}


# ----------------------------------------------------------------- writing

_TRUE, _FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")


class _Bad(Exception):
    def __init__(self, code, params=None):
        super().__init__(code)
        self.code, self.params = code, params or {}


def _number(value, source, integer):
    bad = _Bad("not_an_integer" if integer else "not_a_number")
    if source == "form":
        text = str(value).strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise bad from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if isinstance(value, float) and not math.isfinite(value):
        raise bad
    if integer:
        if value != int(value):
            raise _Bad("not_an_integer")
        return int(value)
    return float(value)


def _coerce(s: Setting, value, source):
    """One value in, the value to store out (None: back to the default); raises _Bad."""
    blank = isinstance(value, str) and value.strip() == ""
    if blank and s.nullable and (source == "form" or s.type is str):  # an empty address: the default one
        return None
    if blank and source == "form":
        if s.type is not bool and s.control != "degrees":
            raise _Bad("required")
    if value is None:  # the API's null: back to the default
        return None
    if s.type is bool:
        if isinstance(value, bool):
            return value
        if source == "form" and str(value).strip().lower() in _TRUE + _FALSE:
            return str(value).strip().lower() in _TRUE
        raise _Bad("not_a_bool")
    if s.type in (int, float):
        return _number(value, source, s.type is int)
    if s.control == "order":
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Bad("not_a_list")
        items = [v.strip() for v in value if v.strip()]
        allowed = {c.value for c in s.choices}
        for v in items:
            if v not in allowed:
                raise _Bad("choice", {"value": v})
        for i, v in enumerate(items):
            if v in items[:i]:
                raise _Bad("duplicate_choice", {"value": v})
        if not items:
            raise _Bad("required")
        return ",".join(items)
    if s.type is list:
        if not isinstance(value, list):
            raise _Bad("not_a_list")
        return [_number(v, source, True) for v in value]
    if not isinstance(value, str):
        raise _Bad("not_text")
    value = value.strip()
    if s.control == "degrees":
        try:
            return format_degree_map(parse_degree_map(value))
        except ValueError:
            raise _Bad("bad_degrees") from None
    return value


def _check(s: Setting, value):
    """None, or (code, params) for a coerced value that is not allowed."""
    if value is None:
        return None
    if s.choices and s.control != "order":
        if value not in [c.value for c in s.choices]:
            return (s.choice_code, {"value": str(value)})
    if s.minimum is not None and value < s.minimum:
        if s.minimum_code != "out_of_range":
            return (s.minimum_code, {"min": s.minimum})
        return ("out_of_range", {"min": s.minimum, "max": s.maximum})
    if s.maximum is not None and value > s.maximum:
        return ("out_of_range", {"min": s.minimum, "max": s.maximum})
    return s.check(value) if s.check else None


def validate(values: dict, current: dict | None = None) -> dict:
    """Checks across settings, over the values in force (current) changed by values."""
    errors = {}
    merged = {**(current or defaults()), **{k: v for k, v in values.items() if v is not None}}
    if merged["speaker_score_min"] >= merged["speaker_score_max"]:
        key = "speaker_score_min" if "speaker_score_min" in values else "speaker_score_max"
        errors[key] = ("min_not_below_max", {})
    return errors


def clean(raw: dict, source: str = "json", current: dict | None = None) -> tuple[dict, dict]:
    """raw settings from the API (source "json") or the director's form ("form") →
    (values to store, None meaning "back to the default"; {key: (code, params)})."""
    if source not in ("json", "form"):
        raise ValueError(source)
    values, errors = {}, {}
    for key, value in raw.items():
        s = SETTINGS.get(key)
        if s is None:
            errors[key] = ("unknown_setting", {})
            continue
        try:
            values[key] = _coerce(s, value, source)
        except _Bad as e:
            errors[key] = (e.code, e.params)
            continue
        problem = _check(s, values[key])
        if problem:
            errors[key] = problem
    if not errors:
        errors = validate(values, current)
    return values, errors


# ----------------------------------------------------------------- the API's description

_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}


def _english(text) -> str:
    if has_app_context():
        with force_locale("en"):
            return str(text)
    return str(text)


def json_schema() -> dict:
    """The OpenAPI (JSON Schema) description of a tournament's settings object."""
    props = {}
    for key, s in SETTINGS.items():
        schema = {"type": _JSON_TYPES[s.type]}
        if s.control == "order":
            names = "|".join(c.value for c in s.choices)
            schema = {"type": ["string", "array"], "items": {"enum": [c.value for c in s.choices]},
                      "pattern": rf"^\s*({names})\s*(,\s*({names})\s*)*$"}
        elif s.choices and s.type is not bool:
            schema["enum"] = [c.value for c in s.choices]
        elif s.control == "degrees":
            names = "|".join(PLACINGS)
            one = rf"\s*({names})\s*:\s*[123]\s*"
            schema["pattern"] = rf"^({one}(,{one})*)?$"
        elif s.control == "split":
            schema.update(items={"type": "integer", "minimum": 0, "maximum": 100}, minItems=3, maxItems=3)
        if s.minimum is not None:
            schema["minimum"] = s.minimum
        if s.maximum is not None:
            schema["maximum"] = s.maximum
        if not callable(s.default):
            schema["default"] = s.default
        words = f"{_english(s.label)}. {_english(s.help)}"
        if s.unit is not None:
            words += f" Unit: {_english(s.unit)}."
        if s.key == "public_url":
            words += " Default: the server's PUBLIC_BASE_URL."
        schema["description"] = words
        props[key] = schema
    return {"type": "object", "properties": props, "additionalProperties": False}
