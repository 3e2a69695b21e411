"""The round page's next step (#22), read from the round's state: draw → check → release →
motions → ballots → confirm → results (per-league release flags on RoundLeague)."""
import random

from debate.core.extensions import db
from debate.models import Round
from debate.services import rounds as svc
from debate.services.warnings import round_warnings
from tests.flow import setup_tournament, submit_panel
from tests.test_draw_edits import _sign_in


def _step(app, rid):
    with app.app_context():
        rnd = db.session.get(Round, rid)
        return svc.next_step(rnd, round_warnings(rnd) if rnd.debates else {})


def test_the_next_step_follows_the_round(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk", "ru"))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    rid = rnd["id"]
    assert _step(app, rid)["step"] == "draw"
    draw = api.post(f"/rounds/{rid}/draw").get_json()
    assert _step(app, rid)["step"] in ("check", "release")
    leagues = sorted({d["league_id"] for d in draw["debates"]})
    # Released in one league only: still the draw's release, for the other league.
    api.post(f"/rounds/{rid}/release", {"draw": True, "league_id": leagues[0]})
    step = _step(app, rid)
    assert step["step"] in ("check", "release") and len(step["leagues"]) == 1
    api.post(f"/rounds/{rid}/release", {"draw": True})
    assert _step(app, rid)["step"] == "motions"
    for lid in leagues:
        api.put(f"/rounds/{rid}/motions/{lid}", {"text": "This House would test"})
    api.post(f"/rounds/{rid}/release", {"motion": True})
    step = _step(app, rid)
    assert (step["step"], step["count"], step["total"]) == ("ballots", 0, len(draw["debates"]))
    rng = random.Random(5)
    ballots = [bid for d in draw["debates"] for bid in submit_panel(client, d, keys, rng)]
    step = _step(app, rid)
    assert (step["step"], step["count"]) == ("confirm", 0)
    for bid in ballots:
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    assert _step(app, rid)["step"] == "results"
    api.post(f"/rounds/{rid}/release", {"results": True})
    assert _step(app, rid)["step"] == "done"
    # The round page shows it at the top, in the user's language.
    _sign_in(client)
    page = client.get(f"/t/{t['id']}/rounds/{rid}/?lang=ru").get_data(as_text=True)
    assert 'id="next-step"' in page and "Этот раунд завершён." in page
    assert page.index('id="next-step"') < page.index('id="publish"')
