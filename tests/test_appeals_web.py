"""Through the pages: appeals: filed with the team's name and code inside the window only (checked just before
and just after its end, with `now` passed in), decided by the director, corrected through
ballot versions, logged and exported."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Appeal, AuditEntry, Ballot, Debate, Round, Team, Tournament, TournamentMember
from debate.services import appeals as svc
from debate.services.awards import team_code
from debate.services.ballots import confirm_ballot
from debate.services.errors import Refused
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament


@pytest.fixture
def one_round(app, api, client):
    rng = random.Random(5)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=2, leagues=("kk",))
    rnd, draw = run_prelim_round(api, client, t, keys, rng)
    return t, rnd, draw


def _team_and_code(app, tid, team_id):
    with app.app_context():
        team = db.session.get(Team, team_id)
        code = team_code(team)
        db.session.commit()
        return team.name, code


def test_window_enforced_on_both_sides_of_its_end(app, one_round):
    t, rnd, draw = one_round
    team_id = draw["debates"][0]["gov"]["team_id"]
    name, code = _team_and_code(app, t["id"], team_id)
    with app.app_context():
        tour = db.session.get(Tournament, t["id"])
        r = db.session.get(Round, rnd["id"])
        opens, closes = svc.window(r)
        assert closes - opens == timedelta(hours=3)  # republican stage default
        with pytest.raises(Refused) as e:
            svc.file_appeal(tour, name, code, r.id, "The chair did not hear the rebuttal.", closes)
        assert e.value.code == "appeal_window_closed"
        with pytest.raises(Refused) as e:
            svc.file_appeal(tour, name, code, r.id, "The chair did not hear the rebuttal.",
                            closes + timedelta(seconds=1))
        assert e.value.code == "appeal_window_closed"
        with pytest.raises(Refused) as e:
            svc.file_appeal(tour, name, code, r.id, "The chair did not hear the rebuttal.",
                            opens - timedelta(seconds=1))
        assert e.value.code == "appeal_not_open"
        a = svc.file_appeal(tour, name.upper() + " ", code.lower(), r.id, "The chair did not hear the rebuttal.",
                            closes - timedelta(seconds=1))
        db.session.commit()
        assert a.team_id == team_id and a.debate_id == draw["debates"][0]["id"] and a.status == "pending"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "appeal_filed")) is not None
        # the window follows the setting, and the earlier stages default to a day
        tour.stage = "regional"
        assert svc.window(r)[1] - opens == timedelta(hours=24)
        tour.settings = {"appeal_window_hours": 1.5}
        assert svc.window(r)[1] - opens == timedelta(hours=1.5)
        db.session.rollback()


def test_wrong_codes_are_refused_and_limited(app, one_round):
    t, rnd, draw = one_round
    team_id = draw["debates"][0]["opp"]["team_id"]
    name, code = _team_and_code(app, t["id"], team_id)
    with app.app_context():
        tour = db.session.get(Tournament, t["id"])
        r = db.session.get(Round, rnd["id"])
        now = svc.window(r)[0] + timedelta(minutes=5)
        for _ in range(svc.APPEAL_MAX_FAILURES):
            with pytest.raises(Refused) as e:
                svc.file_appeal(tour, name, "WRONGCOD", r.id, "Some long enough text.", now)
            assert e.value.code == "appeal_bad_team_or_code"
            db.session.commit()
        with pytest.raises(Refused) as e:
            svc.file_appeal(tour, name, code, r.id, "Some long enough text.", now)
        assert e.value.code == "appeal_too_many_attempts"
        # an hour later the right code works again
        a = svc.file_appeal(tour, name, code, r.id, "Some long enough text.", now + timedelta(seconds=3601))
        assert a.id
        with pytest.raises(Refused) as e:
            svc.file_appeal(tour, "No such team", code, r.id, "Some long enough text.", now)
        assert e.value.code == "appeal_bad_team_or_code"


def test_public_form_decision_correction_and_export(app, client, login, one_round):
    t, rnd, draw = one_round
    d = draw["debates"][0]
    name, code = _team_and_code(app, t["id"], d["opp"]["team_id"])
    anon = app.test_client()
    anon.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = anon.get(f"/appeal/{t['id']}")
    assert page.status_code == 200 and "Round 1" in page.get_data(as_text=True)
    token = csrf_token(anon, f"/appeal/{t['id']}")
    r = anon.post(f"/appeal/{t['id']}", data={"csrf_token": token, "team": name, "code": "BADBADBA",
                                              "round_id": rnd["id"], "text": "We think the result is wrong."})
    assert r.status_code == 422 and "appeal code is not right" in r.get_data(as_text=True)
    r = anon.post(f"/appeal/{t['id']}", data={"csrf_token": token, "team": name, "code": code, "filed_by": "coach",
                                              "round_id": rnd["id"], "text": "The chair's ballot swapped the teams."})
    assert r.status_code == 200 and "has been received" in r.get_data(as_text=True)
    # the director
    uid = login("boss", "boss-password-1")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
        appeal = db.session.scalars(select(Appeal)).one()
        aid, debate_id = appeal.id, appeal.debate_id
        assert appeal.filed_by == "coach"
        before = db.session.get(Debate, debate_id).winner
    listing = client.get(f"/t/{t['id']}/appeals")
    assert listing.status_code == 200 and "swapped the teams" in listing.get_data(as_text=True)
    tok = csrf_token(client, f"/t/{t['id']}/appeals")
    new_winner = "opp" if before == "gov" else "gov"
    scores = {"PM": 25, "MG": 25, "LO": 28, "MO": 27.5} if new_winner == "opp" else \
        {"PM": 28, "MG": 27.5, "LO": 25, "MO": 25}
    for adj in d["adjudicators"]:
        r = client.post(f"/t/{t['id']}/appeals/{aid}/correction",
                        data={"csrf_token": tok, "adjudicator_id": adj["id"], "winner": new_winner,
                              **{f"score_{k}": v for k, v in scores.items()}})
        assert r.status_code == 302
    r = client.post(f"/t/{t['id']}/appeals/{aid}/decide",
                    data={"csrf_token": tok, "decision": "upheld", "text": "The ballots were entered the wrong way round."})
    assert r.status_code == 302
    with app.app_context():
        appeal = db.session.get(Appeal, aid)
        assert appeal.status == "upheld" and len(appeal.correction_ballot_ids) == len(d["adjudicators"])
        ballots = [db.session.get(Ballot, b) for b in appeal.correction_ballot_ids]
        assert all(b.version == 2 and b.entered_by_id == uid and b.status == "submitted" for b in ballots)
        # another member of the tab staff confirms (the director cannot confirm their own entry)
        from debate.services.accounts import create_user
        checker = create_user("checker", "checker-password-1", "staff")
        db.session.flush()
        for b in ballots:
            confirm_ballot(b, checker)
        db.session.commit()
        assert db.session.get(Debate, debate_id).winner == new_winner
        actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.tournament_id == t["id"])))
        assert {"appeal_filed", "appeal_correction_entered", "appeal_decided", "ballot_entered_for_adjudicator"} <= actions
    csv = client.get(f"/t/{t['id']}/appeals.csv")
    text = csv.get_data(as_text=True)
    assert csv.status_code == 200 and "swapped the teams" in text and "Upheld" in text and name in text
    assert client.get(f"/t/{t['id']}/appeals/codes.pdf").status_code == 200


def test_no_open_round_before_results(app, api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=2, leagues=("kk",))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    api.post(f"/rounds/{rnd['id']}/draw")
    with app.app_context():
        r = db.session.get(Round, rnd["id"])
        assert svc.window(r) is None and svc.results_announced_at(r) is None
    assert "No round is open" in client.get(f"/appeal/{t['id']}").get_data(as_text=True)
