"""The season: promotion of a finished tournament's teams into the next stage, and the flag
on adjudicators who judged the same teams at an earlier stage (issue 9, item 5)."""
from sqlalchemy import or_, select

from debate.core.extensions import db
from debate.models import (
    Adjudicator,
    BreakSeed,
    Debate,
    DebateAdjudicator,
    Promotion,
    Team,
    Tournament,
    TournamentMember,
    User,
)
from debate.services import season as season_svc
from debate.services import standings as standings_svc
from debate.services.errors import Refused
from tests.test_awards import post, run_tournament


def _season(app, api, client):
    """A finished regional tournament (source) qualifying into a republican one (target) that
    has the same leagues and one adjudicator who judged at the regional stage."""
    src, _keys = run_tournament(api, client)
    tgt = api.post("/tournaments", {"name": "Republic cup", "stage": "republican",
                                    "leagues": [{"language": "kk"}, {"language": "ru"}]}).get_json()
    with app.app_context():
        s = db.session.get(Tournament, src["id"])
        s.stage = "regional"
        # personal fields the flow helpers leave empty
        for i, team in enumerate(db.session.scalars(select(Team).where(Team.tournament_id == s.id).order_by(Team.id))):
            team.school.rural = i % 2 == 0
            team.coach.contact = f"+7 700 000 00 {i:02d}"
            for j, sp in enumerate(team.speakers):
                sp.grade = 8 + (i + j) % 4
                sp.gender = "f" if (i + j) % 2 else "m"
        s.qualifies_for_id = tgt["id"]
        db.session.commit()
    return src["id"], tgt["id"]


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def _snapshot(team):
    return {"name": team.name, "language": team.league.language,
            "school": (team.school.name, team.school.region_code, team.school.rural),
            "coach": (team.coach.name, team.coach.contact),
            "speakers": [(s.name, s.grade, s.gender) for s in team.speakers]}


def test_promote_breaking_teams_carries_people(app, api, client):
    sid, tid = _season(app, api, client)
    with app.app_context():
        src, tgt = db.session.get(Tournament, sid), db.session.get(Tournament, tid)
        expected = set(db.session.scalars(select(BreakSeed.team_id).join(Team).where(Team.tournament_id == sid)))
        assert len(expected) == 8  # a break of four in each of two leagues
        result = season_svc.promote(src, tgt, _user("apiuser"), how="break")
        db.session.commit()
        assert {s.id for s, _n in result["promoted"]} == expected
        assert result["collisions"] == result["no_league"] == result["already"] == []
        target_teams = db.session.scalars(select(Team).where(Team.tournament_id == tid)).all()
        assert len(target_teams) == 8
        links = {p.source_team_id: p.target_team_id
                 for p in db.session.scalars(select(Promotion).where(Promotion.target_tournament_id == tid))}
        assert set(links) == expected
        for src_id, tgt_id in links.items():
            a, b = db.session.get(Team, src_id), db.session.get(Team, tgt_id)
            assert b.tournament_id == tid and b.league.tournament_id == tid
            assert _snapshot(a) == _snapshot(b)
            assert b.school.tournament_id == tid and b.coach.tournament_id == tid  # new rows, not shared
        # both grades/genders/rural values were really carried, not just defaults
        carried = [_snapshot(t) for t in target_teams]
        assert {c["school"][2] for c in carried} == {True, False}
        assert {g for c in carried for _n, _g, g in c["speakers"]} == {"f", "m"}
        # promoting again carries nothing new
        again = season_svc.promote(src, tgt, _user("apiuser"), how="break")
        assert again["promoted"] == [] and {t.id for t in again["already"]} == expected


def test_promote_top_n_per_league(app, api, client):
    sid, tid = _season(app, api, client)
    with app.app_context():
        src, tgt = db.session.get(Tournament, sid), db.session.get(Tournament, tid)
        expected = set()
        for lg in src.leagues:
            rows = standings_svc.team_tab(lg)
            expected |= {team.id for r, team in rows if r.rank is not None and r.rank <= 2}
            assert len([1 for r, _t in rows if r.rank is not None and r.rank <= 2]) >= 2
        result = season_svc.promote(src, tgt, _user("apiuser"), how="top", n=2)
        db.session.commit()
        assert {s.id for s, _n in result["promoted"]} == expected
        names = set(db.session.scalars(select(Team.name).where(Team.tournament_id == tid)))
        assert names == {db.session.get(Team, i).name for i in expected}
        for bad in (0, None):
            try:
                season_svc.promote(src, tgt, None, how="top", n=bad)
                raise AssertionError("accepted n=%r" % bad)
            except Refused as e:
                assert e.code == "promote_how"


def test_promote_refused_into_a_tournament_not_qualified_for(app, api, client):
    sid, tid = _season(app, api, client)
    with app.app_context():
        src, tgt = db.session.get(Tournament, sid), db.session.get(Tournament, tid)
        src.qualifies_for_id = None
        try:
            season_svc.promote(src, tgt, None)
            raise AssertionError("promoted into a tournament it does not qualify for")
        except Refused as e:
            assert (e.status, e.code) == (409, "not_qualifying_target")
        # and a cycle is refused
        src.qualifies_for_id = tid
        try:
            season_svc.set_qualifies_for(tgt, src, None)
            raise AssertionError("cycle accepted")
        except Refused as e:
            assert e.code == "season_cycle"


def test_promote_refused_when_not_director_of_target(app, api, client, login):
    sid, tid = _season(app, api, client)
    uid = login("boss", "boss-password-1")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=sid, role="director"))
        db.session.commit()
    r = post(client, f"/t/{sid}/season/promote", {"how": "break"}, page=f"/t/{sid}/season")
    assert r.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Team).where(Team.tournament_id == tid)).all() == []
        assert db.session.scalars(select(Promotion)).all() == []
    # once they direct the target too, the page promotes
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=tid, role="director"))
        db.session.commit()
    r = post(client, f"/t/{sid}/season/promote", {"how": "break"}, page=f"/t/{sid}/season")
    assert r.status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(Team).where(Team.tournament_id == tid)).all()) == 8


def test_adjudicator_who_judged_promoted_teams_is_flagged(app, api, client):
    sid, tid = _season(app, api, client)
    with app.app_context():
        src, tgt = db.session.get(Tournament, sid), db.session.get(Tournament, tid)
        season_svc.promote(src, tgt, None, how="break")
        db.session.commit()
    # "Adj 0" (spelled differently) judged at the regional stage; "Fresh Judge" did not
    r = api.post(f"/tournaments/{tid}/adjudicators", [{"name": "  adj   0 ", "languages": ["kk", "ru"]},
                                                      {"name": "Fresh Judge", "languages": ["kk", "ru"]}])
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        tgt = db.session.get(Tournament, tid)
        veteran = db.session.scalar(select(Adjudicator).where(Adjudicator.tournament_id == tid,
                                                              Adjudicator.name != "Fresh Judge"))
        fresh = db.session.scalar(select(Adjudicator).where(Adjudicator.name == "Fresh Judge"))
        old = db.session.scalar(select(Adjudicator).where(Adjudicator.tournament_id == sid, Adjudicator.name == "Adj 0"))
        links = {p.source_team_id: p.target_team_id for p in db.session.scalars(select(Promotion))}
        judged = db.session.execute(select(Debate.gov_team_id, Debate.opp_team_id).join(
            DebateAdjudicator, DebateAdjudicator.debate_id == Debate.id).where(
            DebateAdjudicator.adjudicator_id == old.id)).all()
        assert judged, "Adj 0 judged nothing at the regional stage"
        expected = {links[x] for row in judged for x in row if x in links}
        assert expected, "Adj 0 judged none of the promoted teams"
        conflicts = season_svc.earlier_stage_conflicts(tgt)
        assert set(conflicts) == {veteran.id}
        assert set(conflicts[veteran.id]) == expected
        for entries in conflicts[veteran.id].values():
            assert all(t.id == sid for t, _name in entries)
        assert fresh.id not in conflicts
        assert set(season_svc.judged_earlier(tgt)) == {veteran.id}
        # the source itself has no earlier stage
        assert season_svc.earlier_stage_conflicts(db.session.get(Tournament, sid)) == {}
        # the chain
        assert [t.id for t in season_svc.season_of(tgt)] == [sid, tid]
    # The allocation treats those teams as the veteran's conflicts; the round page flags them.
    api.post(f"/tournaments/{tid}/rooms", [{"name": f"R{i}"} for i in range(8)])
    rnd = api.post(f"/tournaments/{tid}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    for d in draw["debates"]:
        if veteran.id in {a["id"] for a in d["adjudicators"]}:
            assert not {d["gov"]["team_id"], d["opp"]["team_id"]} & expected
    with app.app_context():
        from debate.models import Round
        from debate.services.rounds import _adj_infos
        infos, _adjs = _adj_infos(db.session.get(Tournament, tid), db.session.get(Round, rnd["id"]))
        assert {a.id: a.earlier_team_ids for a in infos}[veteran.id] == frozenset(expected)


def test_same_team_entered_by_hand_is_matched_by_name_and_school(app, api, client):
    sid, tid = _season(app, api, client)
    with app.app_context():
        src_team = db.session.scalars(select(Team).where(Team.tournament_id == sid).order_by(Team.id)).first()
        name, school, region, lang = src_team.name, src_team.school.name, src_team.school.region_code, \
            src_team.league.language
        judges = set(db.session.scalars(select(Adjudicator.name).join(
            DebateAdjudicator, DebateAdjudicator.adjudicator_id == Adjudicator.id).join(
            Debate, DebateAdjudicator.debate_id == Debate.id).where(
            or_(Debate.gov_team_id == src_team.id, Debate.opp_team_id == src_team.id))))
        league_id = next(lg.id for lg in db.session.get(Tournament, tid).leagues if lg.language == lang)
    assert judges
    r = api.post(f"/tournaments/{tid}/teams", [{"league_id": league_id, "name": name.upper(),
                                                "school": {"name": school, "region": region},
                                                "speakers": [{"name": "A B"}, {"name": "C D"}]}])
    assert r.status_code == 201, r.get_json()
    judge, other = sorted(judges)[0], "Never Judged"
    r = api.post(f"/tournaments/{tid}/adjudicators", [{"name": judge, "languages": ["kk", "ru"]},
                                                      {"name": other, "languages": ["kk", "ru"]}])
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        tgt = db.session.get(Tournament, tid)
        new_team = db.session.scalar(select(Team).where(Team.tournament_id == tid))
        ids = {a.name: a.id for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == tid))}
        conflicts = season_svc.earlier_stage_conflicts(tgt)
        assert set(conflicts) == {ids[judge]}
        assert set(conflicts[ids[judge]]) == {new_team.id}
        assert set(season_svc.judged_earlier(tgt)) == {ids[judge]}
