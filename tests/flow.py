"""Helpers to run a tournament through the API in tests."""
import random
import uuid

REGION_CODES = ["abai", "akmola", "aktobe", "almaty_region", "atyrau", "east_kazakhstan", "jambyl", "jetisu",
                "karaganda", "kostanay", "kyzylorda", "mangystau", "north_kazakhstan", "pavlodar", "turkistan",
                "ulytau", "west_kazakhstan", "astana", "almaty", "shymkent"]


def setup_tournament(api, teams_per_league=8, adjudicators=30, rooms=15, settings=None, leagues=("kk", "ru", "en")):
    t = api.post("/tournaments", {"name": "Flow cup", "stage": "republican",
                                  "leagues": [{"language": lang} for lang in leagues],
                                  "settings": settings or {}}).get_json()
    tid = t["id"]
    teams = []
    for lg in t["leagues"]:
        for i in range(teams_per_league):
            region = REGION_CODES[i % len(REGION_CODES)]
            teams.append({"league_id": lg["id"], "name": f"{lg['language']}-{i}",
                          "school": {"name": f"School {lg['language']}{i}", "region": region},
                          "coach": {"name": f"Coach {lg['language']}{i}"},
                          "speakers": [{"name": f"S{lg['language']}{i}a"}, {"name": f"S{lg['language']}{i}b"}]})
    r = api.post(f"/tournaments/{tid}/teams", teams)
    assert r.status_code == 201, r.get_json()
    rng = random.Random(7)
    adjs = [{"name": f"Adj {i}", "languages": list(leagues), "rating": rng.choice([4, 5, 6, 7, 8, 9]),
             "region": None} for i in range(adjudicators)]
    r = api.post(f"/tournaments/{tid}/adjudicators", adjs)
    assert r.status_code == 201, r.get_json()
    keys = {a["id"]: a["private_key"] for a in r.get_json()}
    api.post(f"/tournaments/{tid}/rooms", [{"name": f"R{i}"} for i in range(rooms)])
    return t, keys


def submit_panel(client, debate, keys, rng, winner=None, team_speakers=None):
    """Every panellist submits a ballot; returns the ballot ids."""
    ids = []
    winner = winner or rng.choice(["gov", "opp"])
    for adj in debate["adjudicators"]:
        w = winner if rng.random() < 0.85 else ("opp" if winner == "gov" else "gov")
        hi, lo = rng.choice([27, 27.5, 28]), rng.choice([25, 25.5, 26])
        scores = {"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if w == "gov" else \
            {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5}
        r = client.post("/api/v1/ballots", json={"debate_id": debate["id"], "client_id": str(uuid.uuid4()),
                                                  "winner": w, "scores": scores},
                        headers={"X-Adjudicator-Key": keys[adj["id"]]})
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    return ids


def run_prelim_round(api, client, t, keys, rng, kind="prelim"):
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": kind}).get_json()
    r = api.post(f"/rounds/{rnd['id']}/draw")
    assert r.status_code == 201, r.get_json()
    draw = r.get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            c = api.post(f"/ballots/{bid}/confirm")
            assert c.status_code == 200, c.get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    return rnd, draw
