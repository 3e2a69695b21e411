"""Tournament settings: every key, its default and what it means.

A tournament stores only the keys it changes; everything else is the default here.
"""
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

# key: (default, type, description shown to directors)
SETTINGS = {
    "speaker_score_min": (15.0, float, _l("Lowest speaker mark")),
    "speaker_score_max": (30.0, float, _l("Highest speaker mark")),
    "speaker_score_step": (0.5, float, _l("Step between speaker marks")),
    "allow_low_point_win": (False, bool, _l("Allow a team with fewer points to win")),
    "panel_size": (3, int, _l("Adjudicators per preliminary debate (odd)")),
    "elimination_panel_size": (3, int, _l("Adjudicators per elimination debate (odd)")),
    "break_size": (8, int, _l("Teams breaking per league")),
    "draw_method": ("fold", str, _l("Pairing inside a bracket: fold or slide")),
    "pullup_rule": ("least_then_lowest", str, _l("Which team an odd bracket pulls up")),
    "round1_method": ("random", str, _l("Round 1: random or seeded")),
    "avoid_same_region_draw": (True, bool, _l("Keep teams of the same region apart in the draw")),
    "region_conflict": (None, bool, _l("Adjudicators never judge teams of their own region "
                                       "(default: on at the republican stage)")),
    "team_precedence": ("wins,speaker_points,draw_strength", str,
                        _l("Team standings precedence, comma-separated")),
    "speaker_max_missed": (1, int, _l("Rounds a speaker may miss and still be ranked")),
    "forfeit_points": ("none", str, _l("A forfeit win in speaker points: none, or average (each speaker's own average)")),
    "allow_iron_person": (False, bool, _l("One speaker may give both speeches of their team (iron person)")),
    "bye_counts_as_win": (True, bool, _l("A bye counts as a win with the team's average marks")),
    "elimination_sides": ("coin_toss", str, _l("Elimination sides: coin_toss or higher_seed_choice")),
    "prep_minutes": (15, int, _l("Preparation time after the motion is released (minutes)")),
    "public_url": ("", str, _l("The address printed in private links, QR sheets, diplomas and appeal sheets "
                               "(default: PUBLIC_BASE_URL or the address you opened)")),
    "timezone": ("Asia/Almaty", str, _l("Time zone of every time shown, exported and printed (IANA name)")),
    "hide_panels_public": (False, bool, _l("Hide adjudicator panels on public pages")),
    "appeal_window_hours": (None, float, _l("Hours to file an appeal after results "
                                            "(default: 3 at the republican stage, 24 before)")),
    "best_speakers_awarded": (3, int, _l("Best speakers receiving diplomas")),
    "award_degrees": ("champion:1,finalist:2,semifinalist:3", str,
                      _l("Diploma degree by final placing (champion, finalist, semifinalist, "
                         "quarterfinalist, octofinalist: 1, 2 or 3)")),
}


def defaults() -> dict:
    return {k: v[0] for k, v in SETTINGS.items()}


def _stage_default(stage: str, key: str):
    if key == "region_conflict":
        return stage == "republican"
    if key == "appeal_window_hours":
        return 3.0 if stage == "republican" else 24.0
    return SETTINGS[key][0]


def get_setting(tournament, key: str):
    stored = (tournament.settings or {}).get(key)
    if stored is not None:
        return stored
    return _stage_default(tournament.stage, key)


def effective(tournament) -> dict:
    return {k: get_setting(tournament, k) for k in SETTINGS}


def coerce(key: str, value):
    """Convert an incoming value to the setting's type; raise ValueError when it does not fit."""
    if key not in SETTINGS:
        raise KeyError(key)
    kind = SETTINGS[key][1]
    if value is None:
        return None
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "on", "yes"):
            return True
        if str(value).lower() in ("0", "false", "off", "no", ""):
            return False
        raise ValueError(value)
    if kind is float:
        return float(str(value).replace(",", "."))
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(value)
        f = float(str(value).replace(",", "."))
        if f != int(f):
            raise ValueError(value)
        return int(f)
    return str(value)


def _is_http_url(value) -> bool:
    parts = urlsplit(str(value))
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment


def _is_zone(name) -> bool:
    try:
        ZoneInfo(str(name))
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return "/" in str(name) or str(name) == "UTC"


def validate(settings: dict) -> dict:
    """Check a whole settings dict; return {key: error code}."""
    errors = {}
    merged = {**defaults(), **{k: v for k, v in settings.items() if v is not None}}
    for key in ("panel_size", "elimination_panel_size"):
        if merged[key] not in (1, 3, 5, 7):
            errors[key] = "odd_panel"
    if merged["speaker_score_min"] >= merged["speaker_score_max"]:
        errors["speaker_score_min"] = "min_not_below_max"
    if merged["speaker_score_step"] <= 0:
        errors["speaker_score_step"] = "positive"
    if merged["break_size"] < 2:
        errors["break_size"] = "break_too_small"
    if merged["draw_method"] not in ("fold", "slide"):
        errors["draw_method"] = "choice"
    if merged["round1_method"] not in ("random", "seeded"):
        errors["round1_method"] = "choice"
    if merged["pullup_rule"] not in ("least_then_lowest", "lowest", "highest"):
        errors["pullup_rule"] = "choice"
    if merged["elimination_sides"] not in ("coin_toss", "higher_seed_choice"):
        errors["elimination_sides"] = "choice"
    if merged["forfeit_points"] not in ("none", "average"):
        errors["forfeit_points"] = "choice"
    if merged["public_url"] and not _is_http_url(merged["public_url"]):
        errors["public_url"] = "bad_url"
    if not _is_zone(merged["timezone"]):
        errors["timezone"] = "unknown_timezone"
    return errors
