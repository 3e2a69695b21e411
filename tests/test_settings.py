"""Tournament settings: declared once (debate/settings.py), checked the same way from the API and
from the director's form, documented in the OpenAPI description, shown as real controls."""
import re

import pytest

from debate import settings as settings_mod
from debate.core.extensions import db
from debate.models import Tournament
from debate.tab import draw as tab_draw
from debate.tab import standings as tab_standings
from tests.conftest import csrf_token


def _fields(r):
    assert r.status_code == 422, r.get_json()
    return r.get_json()["error"]["fields"]


# ----------------------------------------------------------------- the API


def test_misspelt_precedence_metric_is_refused_with_the_bad_value(api, tournament):
    r = api.patch(f"/tournaments/{tournament['id']}",
                  {"settings": {"team_precedence": "wins,speker_points,draw_strength"}})
    fields = _fields(r)
    assert "speker_points" in fields["settings.team_precedence"]
    # nothing was stored
    again = api.get(f"/tournaments/{tournament['id']}").get_json()
    assert again["settings"]["team_precedence"] == "wins,speaker_points,draw_strength"


def test_precedence_as_a_list_or_a_comma_string(app, api, tournament):
    tid = tournament["id"]
    r = api.patch(f"/tournaments/{tid}", {"settings": {"team_precedence": ["wins", "margin", "speaker_points"]}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["settings"]["team_precedence"] == "wins,margin,speaker_points"
    r = api.patch(f"/tournaments/{tid}", {"settings": {"team_precedence": "wins, ballots_won"}})
    assert r.get_json()["settings"]["team_precedence"] == "wins,ballots_won"
    for bad in (["wins", "wins"], [], "", ["wins", 3], {"a": 1}):
        assert "settings.team_precedence" in _fields(
            api.patch(f"/tournaments/{tid}", {"settings": {"team_precedence": bad}})), bad


def test_stored_comma_string_still_ranks(app, api, tournament):
    from debate.services.standings import precedence
    with app.app_context():
        t = db.session.get(Tournament, tournament["id"])
        t.settings = {"team_precedence": "wins, margin ,nonsense"}  # written by an older version
        assert precedence(t) == ("wins", "margin")
        t.settings = {"team_precedence": ["speaker_points", "wins"]}
        assert precedence(t) == ("speaker_points", "wins")
        db.session.rollback()


def test_api_types_are_strict_json(api, tournament):
    tid = tournament["id"]
    for key, bad in (("hide_panels_public", "true"), ("hide_panels_public", 1), ("panel_size", "3"),
                     ("panel_size", True), ("panel_size", 2.5), ("speaker_score_step", "0,5"),
                     ("draw_method", 1), ("confirm_own_entries", "yes"), ("diploma_split", "20,30,50")):
        fields = _fields(api.patch(f"/tournaments/{tid}", {"settings": {key: bad}}))
        assert f"settings.{key}" in fields, (key, bad)
    r = api.patch(f"/tournaments/{tid}", {"settings": {"hide_panels_public": True, "panel_size": 5.0,
                                                       "speaker_score_step": 1}})
    assert r.status_code == 200, r.get_json()
    s = r.get_json()["settings"]
    assert s["hide_panels_public"] is True and s["panel_size"] == 5 and s["speaker_score_step"] == 1.0


def test_new_settings_have_their_defaults_and_checks(app, api, tournament):
    s = tournament["settings"]
    assert s["timezone"] == "Asia/Almaty"
    assert s["diploma_rule"] == "placing" and s["diploma_share"] == 45 and s["diploma_split"] == [20, 30, 50]
    assert s["confirm_own_entries"] is False and s["allow_iron_person"] is False
    assert s["forfeit_points"] == "none" and s["team_feedback_on"] == "chair"
    assert s["public_url"] == (app.config.get("PUBLIC_BASE_URL") or "")
    tid = tournament["id"]
    for key, bad in (("timezone", "Asia/Nowhere"), ("timezone", "../etc/passwd"), ("public_url", "ftp://x.kz"),
                     ("public_url", "tab.kz"), ("diploma_rule", "all"), ("diploma_share", 0),
                     ("diploma_share", 101), ("diploma_split", [20, 30, 40]), ("diploma_split", [50, 50]),
                     ("diploma_split", [-10, 60, 50]), ("forfeit_points", "max"), ("team_feedback_on", "wing")):
        assert f"settings.{key}" in _fields(api.patch(f"/tournaments/{tid}", {"settings": {key: bad}})), (key, bad)
    good = {"timezone": "Asia/Aqtobe", "public_url": "https://tab.example.kz", "diploma_rule": "share",
            "diploma_share": 50, "diploma_split": [10, 40, 50], "confirm_own_entries": True,
            "forfeit_points": "average", "allow_iron_person": True, "team_feedback_on": "panel"}
    r = api.patch(f"/tournaments/{tid}", {"settings": good})
    assert r.status_code == 200, r.get_json()
    assert {k: r.get_json()["settings"][k] for k in good} == good
    with app.app_context():
        t = db.session.get(Tournament, tid)
        assert settings_mod.get_setting(t, "diploma_split") == [10, 40, 50]
        assert t.setting("timezone") == "Asia/Aqtobe"
    # an empty public_url goes back to the configured address
    r = api.patch(f"/tournaments/{tid}", {"settings": {"public_url": ""}})
    assert r.get_json()["settings"]["public_url"] == (app.config.get("PUBLIC_BASE_URL") or "")


def test_award_degrees_are_checked_strictly(api, tournament):
    tid = tournament["id"]
    for bad in ("champion:4", "champion:1,winner:2", "champion:1,champion:2", "champion:one",
                "champion:2,finalist:1", "finalist:1", 3):
        assert "settings.award_degrees" in _fields(
            api.patch(f"/tournaments/{tid}", {"settings": {"award_degrees": bad}})), bad
    r = api.patch(f"/tournaments/{tid}", {"settings": {"award_degrees": "champion:1, finalist:1,semifinalist:2"}})
    assert r.status_code == 200
    assert r.get_json()["settings"]["award_degrees"] == "champion:1,finalist:1,semifinalist:2"


def test_stage_defaults_can_be_restored_with_null(api, tournament):
    tid = tournament["id"]
    r = api.patch(f"/tournaments/{tid}", {"settings": {"region_conflict": False, "appeal_window_hours": 1.5}})
    assert r.get_json()["settings"]["region_conflict"] is False
    r = api.patch(f"/tournaments/{tid}", {"settings": {"region_conflict": None, "appeal_window_hours": None}})
    s = r.get_json()["settings"]
    assert s["region_conflict"] is True and s["appeal_window_hours"] == 3.0  # republican stage


def test_openapi_documents_every_setting(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for name in ("Tournament", "TournamentIn"):
        props = spec["components"]["schemas"][name]["properties"]["settings"]["properties"]
        assert set(props) == set(settings_mod.SETTINGS)
        for key, schema in props.items():
            assert schema.get("description"), key
    props = spec["components"]["schemas"]["Tournament"]["properties"]["settings"]["properties"]
    assert props["pullup_rule"]["enum"] == list(tab_draw.PULLUP_RULES)
    assert props["draw_method"]["enum"] == list(tab_draw.DRAW_METHODS)
    assert props["draw_method"]["default"] == "fold"
    assert props["hide_panels_public"]["type"] == "boolean"
    assert props["panel_size"]["type"] == "integer" and props["panel_size"]["enum"] == [1, 3, 5, 7]
    assert props["prep_minutes"]["type"] == "integer" and "minutes" in props["prep_minutes"]["description"]
    assert props["diploma_split"]["type"] == "array" and props["diploma_split"]["default"] == [20, 30, 50]
    assert set(tab_standings.METRICS) <= set(re.findall(r"\w+", props["team_precedence"]["pattern"]))


# ----------------------------------------------------------------- one declaration


def test_every_setting_is_declared_once_with_words():
    for key, s in settings_mod.SETTINGS.items():
        assert s.key == key and str(s.label) and str(s.help), key
        for c in s.choices:
            assert str(c.label), (key, c.value)
    assert [c.value for c in settings_mod.SETTINGS["pullup_rule"].choices] == list(tab_draw.PULLUP_RULES)
    assert [c.value for c in settings_mod.SETTINGS["team_precedence"].choices] == list(tab_standings.METRICS)


def test_form_and_json_coercion_differ_by_source():
    clean = settings_mod.clean
    values, errors = clean({"hide_panels_public": "on", "panel_size": "5", "speaker_score_step": "0,5"}, source="form")
    assert not errors and values == {"hide_panels_public": True, "panel_size": 5, "speaker_score_step": 0.5}
    values, errors = clean({"hide_panels_public": "on", "panel_size": "5", "speaker_score_step": "0,5"}, source="json")
    assert set(errors) == {"hide_panels_public", "panel_size", "speaker_score_step"}
    values, errors = clean({"nope": 1}, source="json")
    assert errors == {"nope": ("unknown_setting", {})}


# ----------------------------------------------------------------- the director's form


def _new_tournament(client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Cup", "stage": "republican",
                                    "league_kk": "1", "league_ru": "1"})
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").split("/")[-1]), token


def _input_value(html, name):
    m = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % re.escape(name), html)
    assert m, name
    return m.group(1)


def test_invalid_entry_keeps_what_was_typed(client, login):
    tid, token = _new_tournament(client, login)
    r = client.post(f"/t/{tid}/edit", data={"csrf_token": token, "name": "Cup", "stage": "republican",
                                            "league_kk": "1", "league_ru": "1",
                                            "setting_break_size": "1", "setting_speaker_score_step": "half",
                                            "setting_prep_minutes": "20"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert _input_value(html, "setting_break_size") == "1"
    assert _input_value(html, "setting_speaker_score_step") == "half"
    assert _input_value(html, "setting_prep_minutes") == "20"
    assert "At least two teams must break." in html and "Enter a number" in html
    with client.application.app_context():
        t = db.session.get(Tournament, tid)
        assert t.setting("break_size") == 8 and t.setting("prep_minutes") == 15  # nothing stored


def test_form_controls_save_choices_flags_order_and_degrees(client, login):
    tid, token = _new_tournament(client, login)
    data = {"csrf_token": token, "name": "Cup", "stage": "republican", "league_kk": "1", "league_ru": "1",
            "setting_pullup_rule": "highest", "setting_hide_panels_public_present": "1",
            "setting_hide_panels_public": "1",
            "setting_team_precedence": ["wins", "margin", "", "speaker_points"],
            "setting_award_degrees_champion": "1", "setting_award_degrees_finalist": "1",
            "setting_award_degrees_semifinalist": "2", "setting_award_degrees_quarterfinalist": "3",
            "setting_award_degrees_octofinalist": "",
            "setting_diploma_split": ["10", "40", "50"], "setting_region_conflict": "",
            "setting_timezone": "Asia/Oral"}
    r = client.post(f"/t/{tid}/edit", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    with client.application.app_context():
        t = db.session.get(Tournament, tid)
        assert t.setting("pullup_rule") == "highest" and t.setting("hide_panels_public") is True
        assert t.setting("team_precedence") == "wins,margin,speaker_points"
        assert t.setting("award_degrees") == "champion:1,finalist:1,semifinalist:2,quarterfinalist:3"
        assert t.setting("diploma_split") == [10, 40, 50]
        assert t.setting("region_conflict") is True and "region_conflict" not in t.settings
        assert t.setting("timezone") == "Asia/Oral"
    html = client.get(f"/t/{tid}/edit").get_data(as_text=True)
    assert re.search(r'<option value="highest" selected', html)


def test_form_keeps_a_bad_order_and_says_why(client, login):
    tid, token = _new_tournament(client, login)
    r = client.post(f"/t/{tid}/edit", data={"csrf_token": token, "name": "Cup", "stage": "republican",
                                            "league_kk": "1", "league_ru": "1",
                                            "setting_team_precedence": ["margin", "wins", "margin"],
                                            "setting_diploma_split": ["10", "20", "30"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    selected = re.findall(r'name="setting_team_precedence"[^>]*>.*?<option value="(\w*)" selected', html, re.S)
    assert selected[:3] == ["margin", "wins", "margin"]
    assert re.findall(r'name="setting_diploma_split"[^>]*value="(\d*)"', html) == ["10", "20", "30"]
    assert "100" in html


def test_choices_are_shown_in_the_users_language(client, login):
    tid, _token = _new_tournament(client, login)
    html = client.get(f"/t/{tid}/edit?lang=kk").get_data(as_text=True)
    with client.application.test_request_context("/?lang=kk"):
        from flask_babel import force_locale
        with force_locale("kk"):
            fold = str(next(c.label for c in settings_mod.SETTINGS["draw_method"].choices if c.value == "fold"))
            label = str(settings_mod.SETTINGS["draw_method"].label)
    assert fold != "Fold" and fold in html and label in html


def test_a_change_is_audited_and_only_changes_are_stored(client, login):
    from sqlalchemy import select
    from debate.models import AuditEntry
    tid, token = _new_tournament(client, login)
    html = client.get(f"/t/{tid}/edit").get_data(as_text=True)
    # the whole form as shown, with one setting changed
    form = {"csrf_token": token, "name": "Cup", "stage": "republican", "league_kk": "1", "league_ru": "1"}
    multi = {}
    for name, value in re.findall(r'<input type="(?:text|hidden)" name="(setting_\w+)"[^>]*value="([^"]*)"', html):
        multi.setdefault(name, []).append(value)
    for name, body in re.findall(r'<select name="(setting_\w+)"[^>]*>(.*?)</select>', html, re.S):
        m = re.search(r'<option value="([^"]*)" selected', body)
        multi.setdefault(name, []).append(m.group(1) if m else "")
    for name in re.findall(r'<input type="checkbox" name="(setting_\w+)" value="1" checked', html):
        multi.setdefault(name, []).append("1")
    multi["setting_prep_minutes"] = ["20"]
    r = client.post(f"/t/{tid}/edit", data={**form, **multi})
    assert r.status_code == 302, r.get_data(as_text=True)
    with client.application.app_context():
        t = db.session.get(Tournament, tid)
        assert t.settings == {"prep_minutes": 20}
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings_changed")).all()
        assert [e.details["changes"] for e in entries] == [{"prep_minutes": [15, 20]}]
