"""Through the pages: the season: a finished tournament promotes its top teams into the tournament it qualifies
for, carrying school, region, coach and speakers; colliding names are reported; adjudicators
who judged the same teams at the earlier stage are flagged."""
import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import (Adjudicator, Debate, DebateAdjudicator, Promotion, Round, Team, Tournament,
                           TournamentMember)
from debate.services import season as svc
from debate.services import standings
from tests.conftest import csrf_token
from tests.test_awards import run_tournament


def _direct(app, uid, *tids):
    with app.app_context():
        for tid in tids:
            db.session.add(TournamentMember(user_id=uid, tournament_id=tid, role="director"))
        db.session.commit()


@pytest.fixture
def stages(app, api, client, login):
    src, _keys = run_tournament(api, client)
    with app.app_context():
        s = db.session.get(Tournament, src["id"])
        s.stage = "regional"
        # personal fields and rural schools, to be carried
        for i, team in enumerate(db.session.scalars(select(Team).where(Team.tournament_id == s.id).order_by(Team.id))):
            team.school.rural = i % 2 == 0
            team.coach.contact = f"+7 700 000 00 {i:02d}"
            for sp in team.speakers:
                sp.grade, sp.gender = 8 + i % 4, "fm"[sp.position - 1]
        db.session.commit()
    tgt = api.post("/tournaments", {"name": "Republican", "stage": "republican",
                                    "leagues": [{"language": "kk"}, {"language": "ru"}]}).get_json()
    uid = login("boss", "boss-password-1")
    _direct(app, uid, src["id"], tgt["id"])
    return src["id"], tgt["id"], uid


def _post(client, tid, path, data):
    return client.post(f"/t/{tid}/season{path}", data={**data, "csrf_token": csrf_token(client, f"/t/{tid}/season")})


def test_promotion_carries_exactly_the_top_teams(app, api, client, stages):
    sid, tid, _uid = stages
    # a team named like one of the source's top teams is already in the target: reported, not carried
    with app.app_context():
        s = db.session.get(Tournament, sid)
        expected = {}
        for lg in s.leagues:
            expected[lg.language] = [team for r, team in standings.team_tab(lg) if r.rank <= 2]
        clash = expected["ru"][0]
        clash_name = clash.name
        target = db.session.get(Tournament, tid)
        ru_target = next(lg for lg in target.leagues if lg.language == "ru")
    r = api.post(f"/tournaments/{tid}/teams", [{"league_id": ru_target.id, "name": clash_name.upper(),
                                                "speakers": [{"name": "X"}, {"name": "Y"}]}])
    assert r.status_code == 201
    assert _post(client, sid, "/qualifies", {"target_id": tid}).status_code == 302
    r = _post(client, sid, "/promote", {"how": "top", "n": 2})
    assert r.status_code == 302
    flashes = client.get(f"/t/{sid}/season").get_data(as_text=True)
    assert clash_name in flashes and "already used" in flashes
    with app.app_context():
        s = db.session.get(Tournament, sid)
        target = db.session.get(Tournament, tid)
        got = db.session.scalars(select(Team).where(Team.tournament_id == tid)).all()
        promoted = {p.source_team_id: db.session.get(Team, p.target_team_id)
                    for p in db.session.scalars(select(Promotion))}
        want = [tm for lang in ("kk", "ru") for tm in expected[lang] if tm.name != clash_name]
        assert sorted(promoted) == sorted(tm.id for tm in want)
        assert len(got) == len(want) + 1  # plus the clashing team entered by hand
        for src_id, new in promoted.items():
            old = db.session.get(Team, src_id)
            assert new.name == old.name and new.league.language == old.league.language
            assert new.league.tournament_id == tid
            assert (new.school.name, new.school.region_code, new.school.rural) == \
                (old.school.name, old.school.region_code, old.school.rural)
            assert new.school.tournament_id == tid and new.coach.tournament_id == tid
            assert (new.coach.name, new.coach.contact) == (old.coach.name, old.coach.contact)
            assert [(x.name, x.grade, x.gender, x.position) for x in new.speakers] == \
                [(x.name, x.grade, x.gender, x.position) for x in old.speakers]
        # promoting again carries nobody twice
    _post(client, sid, "/promote", {"how": "top", "n": 2})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Promotion)) == len(want)


def test_breaking_teams_promoted(app, client, stages):
    sid, tid, _uid = stages
    _post(client, sid, "/qualifies", {"target_id": tid})
    _post(client, sid, "/promote", {"how": "break"})
    with app.app_context():
        s = db.session.get(Tournament, sid)
        seeds = {b.team.name for lg in s.leagues for b in standings.break_of(lg)}
        assert {tm.name for tm in db.session.scalars(select(Team).where(Team.tournament_id == tid))} == seeds


def test_promotion_needs_the_target_director_and_a_finished_tournament(app, api, client, login, stages):
    sid, tid, uid = stages
    _post(client, sid, "/qualifies", {"target_id": tid})
    with app.app_context():
        db.session.execute(TournamentMember.__table__.delete().where(TournamentMember.user_id == uid,
                                                                     TournamentMember.tournament_id == tid))
        db.session.commit()
    assert _post(client, sid, "/promote", {"how": "break"}).status_code == 403
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=tid, role="director"))
        d = db.session.scalars(select(Debate).join(Round).where(Round.tournament_id == sid)).first()
        d.confirmed_at = None
        db.session.commit()
        assert not svc.is_finished(db.session.get(Tournament, sid))
    _post(client, sid, "/promote", {"how": "break"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Promotion)) == 0
    # no cycles
    _post(client, tid, "/qualifies", {"target_id": sid})
    with app.app_context():
        assert db.session.get(Tournament, tid).qualifies_for_id is None


def test_adjudicator_who_judged_the_same_teams_is_flagged(app, api, client, stages):
    sid, tid, _uid = stages
    _post(client, sid, "/qualifies", {"target_id": tid})
    _post(client, sid, "/promote", {"how": "break"})
    with app.app_context():
        promoted = {p.source_team_id: p.target_team_id for p in db.session.scalars(select(Promotion))}
        judged = {}
        for name, gov, opp in db.session.execute(
                select(Adjudicator.name, Debate.gov_team_id, Debate.opp_team_id).select_from(DebateAdjudicator)
                .join(Adjudicator).join(Debate).join(Round, Debate.round_id == Round.id)
                .where(Round.tournament_id == sid)):
            judged.setdefault(name, set()).update({gov, opp})
        judge = next(n for n, teams in judged.items() if teams & set(promoted))
        never = "Nobody Judged-Before"
    r = api.post(f"/tournaments/{tid}/adjudicators", [{"name": "  " + judge.upper().replace(" ", "  ") + " ",
                                                       "languages": ["kk"]}, {"name": never, "languages": ["kk"]}])
    assert r.status_code == 201, r.get_json()
    ids = {a["name"]: a["id"] for a in r.get_json()}
    with app.app_context():
        t = db.session.get(Tournament, tid)
        flags = svc.earlier_stage_conflicts(t)
        flagged_id = next(i for n, i in ids.items() if n != never)
        assert set(flags) == {flagged_id}
        assert set(flags[flagged_id]) == {promoted[x] for x in judged[judge] if x in promoted}
        assert flagged_id in svc.judged_earlier(t) and ids[never] not in svc.judged_earlier(t)
    page = client.get(f"/t/{tid}/season").get_data(as_text=True)
    assert "judged these teams before" in page
