"""The record is sacred: every change to who takes part, every undone forfeit and every
correction of a forfeited debate goes through one audited service, with a reason and a preview
where the result changes."""
import ast
import pathlib
import uuid

import pytest
from sqlalchemy import select

import debate
from debate.core.extensions import db
from debate.models import Adjudicator, AuditEntry, Team
from tests.conftest import csrf_token
from tests.flow import setup_tournament


def _web_login(client):
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302


def _actions(app, *names):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(names))
                                  .order_by(AuditEntry.id)).all()


# ----- 1. availability and withdrawal: one audited path -----

def _adj_form(adj, **over):
    data = {"name": adj["name"], "region": "", "school": "", "languages": ["kk"], "rating": "5",
            "contact": "", "conflict_schools": ""}
    data.update(over)
    return data


def test_adjudicator_edit_form_keeps_availability_unless_changed_and_audits_a_change(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _web_login(client)
    adj = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()[0]
    page = f"/t/{t['id']}/adjudicators/{adj['id']}/edit"
    html = client.get(page).get_data(as_text=True)
    # The edit form has no availability box (it sent a hidden "" before the box, so saving any
    # edit withdrew the adjudicator, unaudited): the Withdraw button is the one control.
    assert 'name="available"' not in html and 'name="available_present"' not in html
    assert "Withdraw for the rest of the tournament" in html
    # Saving the form as the browser sent it before (hidden "" then the ticked box) changes nothing.
    fields = {"csrf_token": csrf_token(client, page), **_adj_form(adj, name="Renamed judge"),
              "available": ["", "1"]}
    r = client.post(page, data=fields)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Adjudicator, adj["id"])
        assert a.name == "Renamed judge" and a.available is True
    assert _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated") == []
    # A form that does say "not available" withdraws them through the audited service.
    r = client.post(page, data={"csrf_token": csrf_token(client, page), **_adj_form(adj, name="Renamed judge"),
                                "available_present": "1"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Adjudicator, adj["id"]).available is False
    entries = _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated")
    assert [e.action for e in entries] == ["adjudicator_withdrawn"]
    assert entries[0].object_id == adj["id"] and entries[0].user_id is not None
    # ... and back, audited again; the same state again stores no second entry.
    for _ in range(2):
        r = client.post(page, data={"csrf_token": csrf_token(client, page),
                                    **_adj_form(adj, name="Renamed judge"), "available_present": "1",
                                    "available": "1"})
        assert r.status_code == 302
    assert [e.action for e in _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated")] == \
        ["adjudicator_withdrawn", "adjudicator_reinstated"]


def test_withdrawn_adjudicator_edit_page_says_so_in_every_language(api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    adj = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()[0]
    assert api.patch(f"/adjudicators/{adj['id']}", {"available": False}).status_code == 200
    page = f"/t/{t['id']}/adjudicators/{adj['id']}/edit"
    assert 'id="withdrawn-note"' in client.get(page + "?lang=en").get_data(as_text=True)
    for lang, word in (("kk", "Қайтару"), ("ru", "Вернуть")):
        html = client.get(f"{page}?lang={lang}").get_data(as_text=True)
        assert 'id="withdrawn-note"' in html and word in html


def test_room_availability_change_is_audited(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    room = api.get(f"/tournaments/{t['id']}/rooms").get_json()[0]
    page = f"/t/{t['id']}/rooms/{room['id']}/edit"
    base = {"csrf_token": csrf_token(client, page), "name": room["name"], "priority": "0", "available_present": "1"}
    assert client.post(page, data={**base, "available": "1"}).status_code == 302
    assert _actions(app, "room_unavailable", "room_available") == []
    assert client.post(page, data=base).status_code == 302
    assert [e.action for e in _actions(app, "room_unavailable", "room_available")] == ["room_unavailable"]


ALLOWED_SETTERS = {("services/participants.py", "set_team_active", "active"),
                   ("services/participants.py", "set_adjudicator_available", "available"),
                   ("services/participants.py", "set_room_available", "available")}


def test_nothing_else_assigns_availability_or_withdrawal():
    """The flags that say who takes part are assigned in the three audited setters only, so no
    form, import or API route can change them without an audit entry."""
    root = pathlib.Path(debate.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if "/tab/" in str(path):  # the pure tab logic works on its own frozen copies
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                for tgt in targets:
                    for el in (tgt.elts if isinstance(tgt, ast.Tuple) else [tgt]):
                        if isinstance(el, ast.Attribute) and el.attr in ("active", "available"):
                            found.add((str(path.relative_to(root)), fn.name, el.attr))
    assert found == ALLOWED_SETTERS


def test_team_edit_form_cannot_withdraw_a_team(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _web_login(client)
    team = api.get(f"/tournaments/{t['id']}/teams").get_json()[0]
    page = f"/t/{t['id']}/teams/{team['id']}/edit"
    data = {"csrf_token": csrf_token(client, page), "league_id": str(t["leagues"][0]["id"]), "name": team["name"],
            "school": team["school"]["name"], "region": team["school"]["region"] or "", "coach": "Coach",
            "speaker1": "A one", "speaker2": "B two", "active": "", "active_present": "1"}
    r = client.post(page, data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, team["id"]).active is True
    # The withdraw button is the way, and it is audited.
    r = client.post(f"/t/{t['id']}/teams/{team['id']}/withdraw",
                    data={"csrf_token": csrf_token(client, page), "value": "0"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Team, team["id"]).active is False
    assert [e.action for e in _actions(app, "team_withdrawn")] == ["team_withdrawn"]


def test_new_adjudicator_form_can_start_unavailable(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    page = f"/t/{t['id']}/adjudicators/new"
    html = client.get(page).get_data(as_text=True)
    assert 'name="available"' in html
    r = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Late judge", "languages": "kk",
                                "rating": "5", "available_present": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)
    r = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Ready judge", "languages": "kk",
                                "rating": "5", "available_present": "1", "available": "1"})
    assert r.status_code == 302
    with app.app_context():
        got = dict(db.session.execute(select(Adjudicator.name, Adjudicator.available)).all())
        assert got["Late judge"] is False and got["Ready judge"] is True
