"""Withdrawn teams and adjudicators are shown as such on every public page where they appear
(issue 20 item 2): the draw (teams, panels, byes), the results, the speaker standings and the
bracket, as the team standings already do."""
import random

from .flow import run_prelim_round, setup_tournament


def _page(client, t, lid, part):
    return client.get(f"/p/{t['id']}/l/{lid}/{part}?lang=en").get_data(as_text=True)


def _row_with(page, name):
    """The HTML of the smallest list item or table row holding name."""
    i = page.index(name)
    start = max(page.rfind("<li", 0, i), page.rfind("<tr", 0, i))
    end = min(x for x in (page.find("</li>", i), page.find("</tr>", i)) if x != -1)
    return page[start:end]


def test_withdrawn_people_are_marked_on_every_public_page(api, client):
    t, keys = setup_tournament(api, teams_per_league=5, adjudicators=6, rooms=3, leagues=("en",),
                               settings={"panel_size": 1})
    lid = t["leagues"][0]["id"]
    rnd, draw = run_prelim_round(api, client, t, keys, random.Random(2))
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True,
                                                  "bracket": True})
    d = draw["debates"][0]
    team, adj = d["gov"], d["adjudicators"][0]
    stays = d["opp"]
    bye = draw["bye"][0]
    for page in ("draw", "results", "speakers"):
        assert "withdrawn" not in _page(client, t, lid, page), page
    assert api.patch(f"/teams/{team['team_id']}", {"active": False}).status_code == 200
    assert api.patch(f"/teams/{bye['team_id']}", {"active": False}).status_code == 200
    assert api.patch(f"/adjudicators/{adj['id']}", {"available": False}).status_code == 200

    draw_page = _page(client, t, lid, "draw")
    assert "withdrawn" in _row_with(draw_page, team["name"])
    assert "withdrawn" not in _row_with(draw_page, stays["name"]).split(stays["name"])[1].split("</div>")[0]
    assert "withdrawn" in draw_page.split(adj["name"])[1].split("</span>")[0] + "</span>" + \
        draw_page.split(adj["name"])[1].split("</span>")[1]
    assert "withdrawn" in draw_page.split('class="byes"')[1].split("</p>")[0]
    results = _page(client, t, lid, "results")
    assert "withdrawn" in results.split(team["name"])[1].split("</span>")[0] + "</span>"
    speakers = _page(client, t, lid, "speakers")
    assert "withdrawn" in _row_with(speakers, f">{team['name']}")
    assert "withdrawn" in _page(client, t, lid, "standings")


def test_withdrawn_seed_is_marked_in_the_bracket(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=2, leagues=("en",),
                               settings={"panel_size": 1})
    lid = t["leagues"][0]["id"]
    rng = random.Random(5)
    run_prelim_round(api, client, t, keys, rng)
    r = api.post(f"/leagues/{lid}/break", {"size": 2})
    if r.status_code == 409:
        det = r.get_json()["error"]["details"]
        r = api.post(f"/leagues/{lid}/break", {"size": 2, "include": det["team_ids"][:det["places_left"]]})
    seeds = r.get_json()
    final = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "final"}).get_json()
    assert api.post(f"/rounds/{final['id']}/draw").status_code == 201
    api.post(f"/rounds/{final['id']}/release", {"draw": True})
    api.post(f"/tournaments/{t['id']}/release", {"bracket": True})
    assert "withdrawn" not in _page(client, t, lid, "bracket")
    api.patch(f"/teams/{seeds[0]['team_id']}", {"active": False})
    page = _page(client, t, lid, "bracket")
    names = {tm["id"]: tm["name"] for tm in api.get(f"/tournaments/{t['id']}/teams").get_json()}
    name = names[seeds[0]["team_id"]]
    seed_list = page.split('class="seeds"')[1].split("</ol>")[0]
    assert "withdrawn" in _row_with(seed_list, name) and seed_list.count("withdrawn") == 1
    match = page.split('class="bracket-match"')[1].split("</li>")[0]
    assert "withdrawn" in match.split(name)[1].split("</div>")[0]
