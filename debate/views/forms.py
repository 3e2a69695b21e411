"""Turning submitted forms into the dicts the services take, and errors back into text."""
from ..messages import field_errors_text


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
        "available": bool(form.get("available")), "needs_access": bool(form.get("needs_access")),
        "conflicts": {"team_ids": [int(x) for x in form.getlist("conflict_team_ids") if x.isdigit()],
                      "schools": form.get("conflict_schools")},
    }


def room_item(form) -> dict:
    return {"name": form.get("name"), "accessible": bool(form.get("accessible")),
            "priority": form.get("priority"), "available": bool(form.get("available"))}


def errors_for_form(errors: dict) -> dict:
    """ValidationFailed.errors for one item → {field: text} (field names with dots flattened)."""
    return field_errors_text(errors.get(0, {}))
