"""Who may judge (issue 19 item 5): at the republican stage (or when the setting says so) a teacher
whose pupils compete and a juror of an earlier stage are kept off every panel, and the round page
says why; at lower stages only the per-team conflicts apply."""
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Adjudicator, DebateAdjudicator

from .conftest import csrf_token

COACH = "Айгүл Серікқызы"


def _tournament(api, stage, settings=None):
    t = api.post("/tournaments", {"name": f"Jury {stage}", "stage": stage, "leagues": [{"language": "kk"}],
                                  "settings": {"panel_size": 1, **(settings or {})}}).get_json()
    lid = t["leagues"][0]["id"]
    teams = [{"league_id": lid, "name": f"T{i}", "school": {"name": f"Мектеп {i}", "region": "astana"},
              "coach": {"name": COACH if i == 0 else f"Coach {i}"}, "speakers": [{"name": f"A{i}"}, {"name": f"B{i}"}]}
             for i in range(4)]
    assert api.post(f"/tournaments/{t['id']}/teams", teams).status_code == 201
    adjs = [{"name": COACH, "languages": ["kk"], "rating": 9},                     # coaches team T0
            {"name": "From school", "school": "Мектеп 2", "languages": ["kk"], "rating": 9},  # teacher at T2's school
            {"name": "Neutral 1", "languages": ["kk"], "rating": 5},
            {"name": "Neutral 2", "languages": ["kk"], "rating": 5}]
    assert api.post(f"/tournaments/{t['id']}/adjudicators", adjs).status_code == 201
    api.post(f"/tournaments/{t['id']}/rooms", [{"name": "101"}, {"name": "102"}])
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{rnd['id']}/draw").status_code == 201
    return t, rnd


def _seated(app, t):
    with app.app_context():
        return set(db.session.scalars(select(Adjudicator.name).join(DebateAdjudicator)
                                      .where(Adjudicator.tournament_id == t["id"])))


def test_republican_stage_keeps_teachers_off_every_panel(app, api, client):
    t, rnd = _tournament(api, "republican")
    assert _seated(app, t) == {"Neutral 1", "Neutral 2"}
    token = csrf_token(client)
    assert client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                       "csrf_token": token}).status_code == 302
    page = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/?lang=en").get_data(as_text=True)
    assert "Kept off the jury" in page
    assert f"{COACH} may not judge at this tournament: a teacher whose pupils compete." in page
    assert "From school may not judge at this tournament" in page


def test_lower_stage_uses_only_per_team_conflicts(app, api):
    t, _rnd = _tournament(api, "city")
    seated = _seated(app, t)
    assert len(seated) == 2 and seated & {COACH, "From school"}  # the strongest two chair: allowed here


def test_setting_turns_the_rule_on_at_any_stage(app, api):
    t, _rnd = _tournament(api, "regional", settings={"jury_exclusions": True})
    assert _seated(app, t) == {"Neutral 1", "Neutral 2"}
