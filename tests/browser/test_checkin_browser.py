"""The registration desk on a tablet (768x1024) in Chromium: search by name, one tap per person,
the counts per league follow, and the draw's list (the API's availability) with them."""
import pytest

from tests.browser.conftest import demo_director, expect, no_sideways_scroll, shot

TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def undrawn(server):
    tok = server.token()
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    assert status == 201, rnd
    return rnd, tok


def test_checkin_desk_on_a_tablet(server, browser, undrawn):
    rnd, tok = undrawn
    status, teams = server.api("GET", "/tournaments/1/teams", token=tok)
    team = teams[3]
    league_id = team["league_id"]
    in_league = sum(1 for tm in teams if tm["league_id"] == league_id)
    ctx, page = demo_director(browser, server, TABLET)
    page.goto(f"{server.url}/t/1/rounds/{rnd['id']}/checkin")
    count = page.locator(f'.desk-counts [data-league="{league_id}"] .desk-count')
    assert count.inner_text() == f"{in_league} of {in_league}"
    assert no_sideways_scroll(page)
    # search: only the matching names stay visible
    page.fill("#desk-q", team["name"][:-1].lower() if len(team["name"]) > 4 else team["name"])
    item = page.locator(f"#p-team-{team['id']}")
    expect(item).to_be_visible()
    visible = page.locator(".desk-item:visible").count()
    assert 1 <= visible < 10
    # big touch targets
    box = item.locator("button").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 200
    # one tap: absent, the count follows, nothing reloads
    item.locator("button").click()
    page.locator(f"#p-team-{team['id']}.absent").wait_for(timeout=15000)
    expect(item.locator("button")).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text(f"{in_league - 1} of {in_league}")
    status, avail = server.api("GET", f"/rounds/{rnd['id']}/availability", token=tok)
    assert team["id"] not in avail["teams"] and len(avail["teams"]) == len(teams) - 1
    shot(page, "checkin-desk-tablet")
    # another tap: present again
    item.locator("button").click()
    page.locator(f"#p-team-{team['id']}:not(.absent)").wait_for(timeout=15000)
    expect(count).to_have_text(f"{in_league} of {in_league}")
    # an adjudicator
    page.fill("#desk-q", "")
    adj = page.locator('.desk-item[id^="p-adjudicator-"]').first
    adj_id = adj.get_attribute("id")  # read once: .first of the list is not a fixed element
    adj.locator("button").click()
    page.locator(f"#{adj_id}.absent").wait_for(timeout=15000)
    status, avail = server.api("GET", f"/rounds/{rnd['id']}/availability", token=tok)
    assert int(adj_id.split("-")[-1]) not in avail["adjudicators"]
    ctx.close()
