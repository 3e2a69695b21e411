"""Teams' private keys are secrets like adjudicators' (issue 17 item 1, issue 21 item 1): the
tournament's directors see them in the API, tab staff do not."""
from debate.core.extensions import db
from debate.models import TournamentMember

from .flow import setup_tournament


def test_staff_do_not_get_team_keys(app, api, client, make_user):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    uid = make_user("helper", "helper-password-1", "staff")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="staff"))
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": "helper", "password": "helper-password-1"}
                        ).get_json()["token"]
    staff = client.get(f"/api/v1/tournaments/{t['id']}/teams", headers={"Authorization": f"Bearer {token}"})
    assert staff.status_code == 200
    assert all("private_key" not in x and "private_url" not in x for x in staff.get_json())
    director = api.get(f"/tournaments/{t['id']}/teams").get_json()
    assert all(x["private_key"] and "/team/" in x["private_url"] for x in director)
