"""A whole tournament through the API: four power-matched rounds in three leagues, ballots
from every panellist, standings that agree with the ballots, the break and the playoffs."""
import random
from collections import Counter

import pytest

from tests.flow import run_prelim_round, setup_tournament, submit_panel


def test_four_rounds_break_and_playoffs(api, client):
    rng = random.Random(1)
    t, keys = setup_tournament(api, teams_per_league=8, adjudicators=40, rooms=12)
    league_ids = [lg["id"] for lg in t["leagues"]]
    draws = []
    for _ in range(4):
        _rnd, draw = run_prelim_round(api, client, t, keys, rng)
        draws.append(draw)
        # every team in exactly one debate per round; panels full; rooms distinct
        for lid in league_ids:
            teams = [x for d in draw["debates"] if d["league_id"] == lid for x in (d["gov"]["team_id"], d["opp"]["team_id"])]
            assert len(teams) == len(set(teams)) == 8
        assert all(len(d["adjudicators"]) == 3 for d in draw["debates"])
        assert sum(1 for d in draw["debates"] for a in d["adjudicators"] if a["role"] == "chair") == len(draw["debates"])
        seats = [a["id"] for d in draw["debates"] for a in d["adjudicators"]]
        assert len(seats) == len(set(seats))
        rooms = [d["room"]["id"] for d in draw["debates"]]
        assert len(rooms) == len(set(rooms))
        assert draw["unfilled"] == []
    # no rematches, sides as balanced as the brackets allow
    for lid in league_ids:
        met, gov = Counter(), Counter()
        for draw in draws:
            for d in draw["debates"]:
                if d["league_id"] != lid:
                    continue
                met[frozenset((d["gov"]["team_id"], d["opp"]["team_id"]))] += 1
                gov[d["gov"]["team_id"]] += 1
        assert max(met.values()) == 1
        # Bracket integrity outranks side balance, so 2/2 is not always possible; never worse than 1/3.
        assert set(gov.values()) <= {1, 2, 3}
    # standings agree with the results: wins sum to the number of debates, ranks ordered
    for lid in league_ids:
        rows = api.get(f"/leagues/{lid}/standings/teams").get_json()
        assert len(rows) == 8
        assert sum(r["wins"] for r in rows) == 4 * 4
        keys_ = [(r["wins"], r["speaker_points"], r["draw_strength"]) for r in rows]
        assert keys_ == sorted(keys_, reverse=True)
        speakers = api.get(f"/leagues/{lid}/standings/speakers").get_json()
        assert len(speakers) == 16 and all(s["speeches"] == 4 for s in speakers)
    # break of 4 in each league (ties at the cut are resolved by choosing the tied teams in order)
    for lid in league_ids:
        r = api.post(f"/leagues/{lid}/break", {"size": 4})
        if r.status_code == 409:
            details = r.get_json()["error"]["details"]
            r = api.post(f"/leagues/{lid}/break", {"size": 4, "include": details["team_ids"][:details["places_left"]]})
        assert r.status_code == 201, r.get_json()
        assert [s["seed"] for s in r.get_json()] == [1, 2, 3, 4]
    # semifinals then the final
    for kind in ("semifinal", "final"):
        rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": kind}).get_json()
        draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
        assert len(draw["debates"]) == (6 if kind == "semifinal" else 3)
        api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
        for d in draw["debates"]:
            for bid in submit_panel(client, d, keys, rng, winner="gov"):
                api.post(f"/ballots/{bid}/confirm")
        if kind == "semifinal":
            for lid in league_ids:
                seeds = {s["seed"]: s["team_id"] for s in api.get(f"/leagues/{lid}/bracket").get_json()["seeds"]}
                pairs = [{d["gov"]["team_id"], d["opp"]["team_id"]} for d in draw["debates"] if d["league_id"] == lid]
                assert {seeds[1], seeds[4]} in pairs and {seeds[2], seeds[3]} in pairs
    for lid in league_ids:
        bracket = api.get(f"/leagues/{lid}/bracket").get_json()
        assert [r["kind"] for r in bracket["rounds"]] == ["semifinal", "final"]
        final = bracket["rounds"][1]["debates"][0]
        semis = bracket["rounds"][0]["debates"]
        semi_winners = {d[d["winner"]]["team_id"] for d in semis}
        assert {final["gov"]["team_id"], final["opp"]["team_id"]} == semi_winners
        assert final["winner"] == "gov"


def test_draw_refused_while_previous_round_unconfirmed(api, client):
    rng = random.Random(2)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=15, rooms=6)
    r1 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{r1['id']}/draw").get_json()
    assert api.post(f"/rounds/{r1['id']}/draw").status_code == 409  # already drawn
    r2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    r = api.post(f"/rounds/{r2['id']}/draw")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "previous_round_unconfirmed"
    api.post(f"/rounds/{r1['id']}/release", {"draw": True})
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            api.post(f"/ballots/{bid}/confirm")
    assert api.post(f"/rounds/{r2['id']}/draw").status_code == 201


def test_unreleased_draw_and_motion_stay_private(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=15, rooms=6)
    lid = t["leagues"][0]["id"]
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim",
                                                      "motions": {str(lid): {"text": "Бұл палата мектеп формасын жояды"}}}).get_json()
    api.post(f"/rounds/{rnd['id']}/draw")
    r = client.get(f"/api/v1/rounds/{rnd['id']}/draw")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_released"
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    public = client.get(f"/api/v1/rounds/{rnd['id']}/draw").get_json()
    assert public["debates"] and public["motions"] == {}
    assert "мектеп формасын" not in client.get(f"/api/v1/rounds/{rnd['id']}/draw").get_data(as_text=True)
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})
    public = client.get(f"/api/v1/rounds/{rnd['id']}/draw").get_json()
    assert public["motions"][str(lid)]["text"] == "Бұл палата мектеп формасын жояды"
    assert "flags" not in public["debates"][0] and public["unfilled"] == []


def test_standings_private_until_released(api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=15, rooms=6)
    lid = t["leagues"][0]["id"]
    assert client.get(f"/api/v1/leagues/{lid}/standings/teams").status_code == 403
    assert api.get(f"/leagues/{lid}/standings/teams").status_code == 200
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True})
    assert client.get(f"/api/v1/leagues/{lid}/standings/teams").status_code == 200
    assert client.get(f"/api/v1/leagues/{lid}/standings/speakers").status_code == 403


def test_silent_round_hides_results_from_public_api(api, client):
    rng = random.Random(5)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=15, rooms=6, leagues=("kk",))
    lid = t["leagues"][0]["id"]
    r1, _ = run_prelim_round(api, client, t, keys, rng)
    r2, draw2 = run_prelim_round(api, client, t, keys, rng)
    api.post(f"/rounds/{r2['id']}/release", {"silent": True})
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True})
    public = client.get(f"/api/v1/leagues/{lid}/standings/teams").get_json()
    private = api.get(f"/leagues/{lid}/standings/teams").get_json()
    assert sum(r["wins"] for r in public) == 2  # only round 1 counts in public
    assert sum(r["wins"] for r in private) == 4
    did = draw2["debates"][0]["id"]
    assert client.get(f"/api/v1/debates/{did}/result").status_code == 403
    assert all(d.get("winner") is None for d in client.get(f"/api/v1/rounds/{r2['id']}/draw").get_json()["debates"])
    assert any(d.get("winner") for d in client.get(f"/api/v1/rounds/{r1['id']}/draw").get_json()["debates"])
    speakers = client.get(f"/api/v1/leagues/{lid}/standings/speakers").get_json()
    assert all(s["speeches"] <= 1 for s in speakers)
    api.post(f"/rounds/{r2['id']}/release", {"silent": False})
    assert sum(r["wins"] for r in client.get(f"/api/v1/leagues/{lid}/standings/teams").get_json()) == 4


def test_team_needing_access_gets_an_accessible_room(api, client):
    t = api.post("/tournaments", {"name": "Access cup", "leagues": [{"language": "kk"}]}).get_json()
    lid = t["leagues"][0]["id"]
    teams = [{"league_id": lid, "name": f"T{i}", "speakers": [{"name": f"A{i}"}, {"name": f"B{i}"}],
              "needs_access": i == 5} for i in range(8)]
    assert api.post(f"/tournaments/{t['id']}/teams", teams).status_code == 201
    api.post(f"/tournaments/{t['id']}/adjudicators", [{"name": f"J{i}", "languages": ["kk"]} for i in range(4)])
    rooms = api.post(f"/tournaments/{t['id']}/rooms", [{"name": f"R{i}", "accessible": i == 3, "priority": 5 - i}
                                                         for i in range(4)]).get_json()
    accessible = next(r["id"] for r in rooms if r["accessible"])
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    names = {d["room"]["id"]: {d["gov"]["name"], d["opp"]["name"]} for d in draw["debates"]}
    assert "T5" in names[accessible]
