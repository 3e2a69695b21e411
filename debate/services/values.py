"""Typed values of request bodies, checked in one place for the API, the forms and the imports.

Booleans are JSON booleans: `{"draw": "no"}` is not false and not true, it is a 422 that changes
nothing (issue 17 item 10). Spreadsheet imports turn their yes/no words into booleans before they
get here (services/imports.py); the director's forms send real booleans."""
from .errors import Refused


def json_bool(value):
    """True, False, or None (not given); anything else (a string, 0, 1, a list) is ValueError."""
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(value)


def require_bools(data: dict, keys, prefix: str = "") -> None:
    """Refuse (422 validation_failed, every bad field named) when any of keys present in data is
    not a JSON boolean or null."""
    bad = {}
    for key in keys:
        if key in data:
            try:
                json_bool(data[key])
            except ValueError:
                bad[prefix + key] = "not_a_bool"
    if bad:
        raise Refused(422, "validation_failed", fields=bad)
