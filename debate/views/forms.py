"""Turning submitted forms into the dicts the services take, and errors back into text."""
from .. import settings as settings_mod
from ..text.messages import field_errors_text


def team_item(form) -> dict:
    return {
        "league_id": form.get("league_id"), "name": form.get("name"),
        "school": {"name": form.get("school"), "region": form.get("region") or None,
                   "rural": bool(form.get("rural"))},
        "coach": {"name": form.get("coach"), "contact": form.get("coach_contact")},
        "speakers": [{"name": form.get(f"speaker{n}"), "grade": form.get(f"speaker{n}_grade"),
                      "gender": form.get(f"speaker{n}_gender")} for n in (1, 2)],
        "reserve": {"name": form.get("reserve")},
        "seed_rank": form.get("seed_rank"), "needs_access": bool(form.get("needs_access")),
    }


def adjudicator_item(form) -> dict:
    return {
        "name": form.get("name"), "region": form.get("region") or None, "school": form.get("school"),
        "languages": form.getlist("languages"), "rating": form.get("rating"), "contact": form.get("contact"),
        "needs_access": bool(form.get("needs_access")),
        "conflicts": {"team_ids": [int(x) for x in form.getlist("conflict_team_ids") if x.isdigit()],
                      "schools": form.get("conflict_schools")},
        **_availability(form),
    }


def _availability(form) -> dict:
    """{"available": bool} when the form carries the box (marked by available_present, so an
    unticked box still says "no"); else {} and availability stays as it is. The edit form has no
    box: withdrawal is its own audited action (the Withdraw button)."""
    if "available_present" not in form:
        return {}
    return {"available": any(v for v in form.getlist("available"))}


def room_item(form) -> dict:
    return {"name": form.get("name"), "accessible": bool(form.get("accessible")),
            "priority": form.get("priority"), **_availability(form)}


def errors_for_form(errors: dict) -> dict:
    """ValidationFailed.errors for one item → {field: text} (field names with dots flattened)."""
    return field_errors_text(errors.get(0, {}))


# ----- tournament settings: the form's fields are drawn from debate/settings.py

def settings_from_form(form) -> dict:
    """The settings fields of the tournament form → raw values as typed (strings; lists for
    the ordered and split fields), for settings.clean(..., source="form"). A setting whose
    fields are not in the form is left out (unchanged)."""
    raw = {}
    for key, s in settings_mod.SETTINGS.items():
        name = f"setting_{key}"
        control = s.control
        if control == "checkbox":
            if f"{name}_present" in form:
                raw[key] = form.get(name, "")
        elif control in ("order", "split"):
            if name in form:
                raw[key] = form.getlist(name)
        elif control == "degrees":
            fields = {p: f"{name}_{p}" for p in settings_mod.PLACINGS}
            if any(f in form for f in fields.values()):
                raw[key] = ",".join(f"{p}:{form.get(f)}" for p, f in fields.items() if form.get(f))
        elif name in form:
            raw[key] = form.get(name)
    return raw


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def settings_shown(values: dict) -> dict:
    """Values (in force, or as typed) → what each control shows: a string, or for the ordered
    list one string per place, for the degrees {placing: "1".."3" or ""}, for the split three."""
    out = {}
    for key, s in settings_mod.SETTINGS.items():
        v = values.get(key)
        if s.control == "order":
            items = v.split(",") if isinstance(v, str) else list(v or [])
            items = [_text(x).strip() for x in items][:len(s.choices)]
            out[key] = items + [""] * (len(s.choices) - len(items))
        elif s.control == "degrees":
            degrees = {}
            for part in str(v or "").split(","):
                placing, _sep, degree = part.partition(":")
                degrees.setdefault(placing.strip(), degree.strip())
            out[key] = {p: degrees.get(p, "") for p in settings_mod.PLACINGS}
        elif s.control == "split":
            items = [_text(x) for x in (v if isinstance(v, list) else [])][:3]
            out[key] = items + [""] * (3 - len(items))
        else:
            out[key] = _text(v)
    return out


def setting_text(value) -> str:
    """A choice's value as the form sends it."""
    return _text(value)
