"""Diplomas by the regulations' share on a 20-team league (Order No. 99: 45 % of the teams, I 20 %,
II 30 %, III 50 % of them): ties at a cut are put to the director, who may choose or widen the
group; coaches' letters follow the awarded teams, or go to every coach."""
import random

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Award, AuditEntry, Team, Tournament, TournamentMember
from debate.services import awards as svc
from debate.services import standings as standings_svc
from debate.services.errors import Refused
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/t/" + path.split("/")[2] + "/awards")})


@pytest.fixture
def league20(app, api, client, login):
    """20 teams, two power-paired rounds ranked by wins only: 5 teams on 2 wins, 10 on 1, 5 on 0."""
    t, keys = setup_tournament(api, teams_per_league=20, adjudicators=30, rooms=10, leagues=("kk",),
                               settings={"diploma_rule": "share", "team_precedence": "wins"})
    rng = random.Random(5)
    for _ in range(2):
        run_prelim_round(api, client, t, keys, rng)
    uid = login("boss", "boss-password-1")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    return t


def _wins(app, tid):
    with app.app_context():
        lg = db.session.get(Tournament, tid).leagues[0]
        return {row.team_id: row.wins for row, _t in standings_svc.team_tab(lg)}


def test_share_rule_with_ties_at_the_cuts(app, client, league20):
    tid, lid = league20["id"], league20["leagues"][0]["id"]
    wins = _wins(app, tid)
    top = sorted(tid_ for tid_, w in wins.items() if w == 2)
    middle = sorted(tid_ for tid_, w in wins.items() if w == 1)
    assert len(top) == 5 and len(middle) == 10
    # five teams share the top across the cut of degree I (2 places): refused with the tied teams
    with app.app_context():
        t = db.session.get(Tournament, tid)
        with pytest.raises(Refused) as e:
            svc.sync_awards(t)
        assert e.value.status == 409 and e.value.code == "diploma_tie"
        assert e.value.params["team_ids"] == top and e.value.params["degree"] == 1 and e.value.params["places"] == 2
    r = post(client, f"/t/{tid}/awards/prepare", {})
    assert r.status_code == 302
    page = client.get(f"/t/{tid}/awards").get_data(as_text=True)
    assert "are tied at the cut of the diplomas of degree I" in page
    assert "Tie at the cut of the diplomas of degree I" in page and 'name="team_id"' in page
    # the director gives degree I to two of them; the other three fit in degree II
    r = post(client, f"/t/{tid}/awards/leagues/{lid}/diploma-tie", {"degree": "1", "team_id": [str(top[3]), str(top[1])]})
    assert r.status_code == 302
    # next: ten teams on one win across the cut of degree III (4 places); the director widens the group
    with app.app_context():
        tie = svc.diploma_tie(db.session.get(Tournament, tid).leagues[0])
        assert tie.degree == 3 and list(tie.team_ids) == middle and tie.places == 4
    # a decision on a tie that is not open is refused, not stored
    r = post(client, f"/t/{tid}/awards/leagues/{lid}/diploma-tie", {"degree": "2", "team_id": [str(top[0])]})
    assert r.status_code == 302
    assert "no longer open" in client.get(f"/t/{tid}/awards").get_data(as_text=True)
    post(client, f"/t/{tid}/awards/leagues/{lid}/diploma-tie", {"degree": "3", "team_id": [str(i) for i in middle]})
    r = post(client, f"/t/{tid}/awards/prepare", {})
    with app.app_context():
        awards = db.session.scalars(select(Award).where(Award.tournament_id == tid, Award.revoked.is_(False))).all()
        by_team = {}
        for a in awards:
            if a.kind == "degree":
                by_team.setdefault(a.team_id, set()).add(a.degree)
        assert {k: v.pop() for k, v in by_team.items()} == {
            **{top[1]: 1, top[3]: 1}, **{i: 2 for i in (top[0], top[2], top[4])}, **{i: 3 for i in middle}}
        # every speaker of an awarded team has the diploma; letters go to the awarded teams' coaches
        assert sum(1 for a in awards if a.kind == "degree") == 2 * 15
        letters = {a.team_name for a in awards if a.kind == "gratitude"}
        awarded_names = {db.session.get(Team, i).name for i in top + middle}
        assert awarded_names <= letters
        assert not {tm.name for tm in db.session.scalars(select(Team).where(Team.tournament_id == tid))
                    if wins[tm.id] == 0} & letters
        actions = [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.tournament_id == tid))]
        assert actions.count("diploma_tie_decided") == 2
        # a setting gives every coach a letter
        t = db.session.get(Tournament, tid)
        t.settings = {**t.settings, "gratitude_all_coaches": True}
        db.session.commit()
    post(client, f"/t/{tid}/awards/prepare", {})
    with app.app_context():
        n = db.session.scalar(select(db.func.count()).select_from(Award).where(
            Award.tournament_id == tid, Award.kind == "gratitude", Award.revoked.is_(False)))
        assert n == 20


def test_placing_rule_is_still_the_default(app, client, league20):
    tid = league20["id"]
    with app.app_context():
        t = db.session.get(Tournament, tid)
        t.settings = {**t.settings, "diploma_rule": "placing"}
        db.session.commit()
        svc.sync_awards(t)  # no playoffs yet: no diplomas, no tie to decide
        assert not db.session.scalars(select(Award).where(Award.kind == "degree")).all()
