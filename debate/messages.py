"""Human text for error codes, in the user's language. The tab logic and the services return
codes; pages and the API turn them into words here."""
from flask_babel import gettext as _

ERRORS = {
    "required": lambda p: _("This field is required."),
    "not_a_number": lambda p: _("Enter a number, for example 27.5 or 27,5."),
    "out_of_range": lambda p: _("Must be between %(min)s and %(max)s.", min=p.get("min"), max=p.get("max")),
    "off_step": lambda p: _("Must be a multiple of %(step)s.", step=p.get("step")),
    "not_in_team": lambda p: _("This speaker is not in this team."),
    "duplicate_speaker": lambda p: _("The same speaker cannot give two speeches."),
    "invalid_winner": lambda p: _("Choose the winning team."),
    "tie": lambda p: _("The totals are equal: a debate cannot end in a tie."),
    "low_point_win": lambda p: _("The winning team must have the higher total."),
    "unknown_region": lambda p: _("Unknown region: %(value)s.", value=p.get("value", "")),
    "unknown_league": lambda p: _("Unknown league."),
    "unknown_language": lambda p: _("Unknown language: %(value)s (use kk, ru or en).", value=p.get("value", "")),
    "two_speakers": lambda p: _("A team has exactly two speakers."),
    "duplicate_name": lambda p: _("The name %(value)s is already used in this tournament.", value=p.get("value", "")),
    "duplicate_in_file": lambda p: _("The name %(value)s appears twice in this file.", value=p.get("value", "")),
    "no_languages": lambda p: _("An adjudicator needs at least one language."),
    "too_long": lambda p: _("Too long (at most %(max)s characters).", max=p.get("max")),
    "not_a_bool": lambda p: _("Enter yes or no."),
    "unknown_team": lambda p: _("Unknown team: %(value)s.", value=p.get("value", "")),
    "choice": lambda p: _("Not one of the allowed values."),
    "odd_panel": lambda p: _("A panel must have an odd number of adjudicators (1, 3, 5 or 7)."),
    "min_not_below_max": lambda p: _("The lowest mark must be below the highest."),
    "positive": lambda p: _("Must be greater than zero."),
    "break_too_small": lambda p: _("At least two teams must break."),
    "unknown_setting": lambda p: _("Unknown setting."),
    "bad_date": lambda p: _("Enter a date as YYYY-MM-DD."),
    "unknown_stage": lambda p: _("Unknown stage."),
    "bad_file": lambda p: _("The file could not be read as CSV or XLSX."),
    "missing_columns": lambda p: _("Missing columns: %(value)s.", value=p.get("value", "")),
    "empty_file": lambda p: _("The file has no rows."),
}


def error_text(code: str, params: dict | None = None) -> str:
    maker = ERRORS.get(code)
    return maker(params or {}) if maker else code


def field_errors_text(errors: dict) -> dict:
    """{field: (code, params)} or {field: code} → {field: text}."""
    out = {}
    for field, err in errors.items():
        code, params = (err if isinstance(err, tuple) else (err, {}))
        out[field] = error_text(code, params)
    return out
