"""Feedback on adjudicators from a phone (360×740, Kazakh league): a team opens its private
page, rates the chair while the network is cut, and the feedback is sent once when it returns
(the same outbox as ballots); a panellist rates the chair too."""
import pytest

from tests.browser.conftest import PHONE, expect, no_sideways_scroll, shot


@pytest.fixture(scope="module")
def kk_debate(server):
    tok = server.token()
    _s, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201
    server.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True}, token=tok)
    kk = server.sql("SELECT id FROM leagues WHERE tournament_id = 1 AND language = 'kk'")[0][0]
    return next(d for d in draw["debates"] if d["league_id"] == kk)


def _stored(server, debate_id):
    return server.sql("SELECT source_kind, adjudicator_id, score, comment, version FROM feedback "
                      "WHERE debate_id = ? ORDER BY id", debate_id)


def test_team_gives_feedback_offline_in_kazakh(server, browser, kk_debate):
    d = kk_debate
    chair = next(a for a in d["adjudicators"] if a["role"] == "chair")
    key = server.sql("SELECT private_key FROM teams WHERE id = ?", d["gov"]["team_id"])[0][0]
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{server.url}/team/{key}")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert d["opp"]["name"] in page.content()
    shot(page, "phone-kk-team-home")
    with page.expect_navigation(url=f"**/feedback/{d['id']}"):  # the next checks read the new page
        page.click(f"a[href$='/feedback/{d['id']}']")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert chair["name"] in page.content()
    assert no_sideways_scroll(page)
    form = page.locator("form.feedback-form").first
    form.locator("label.choice:has(input[value='4'])").click()
    form.locator("textarea[name=comment]").fill("Шешімін жақсы түсіндірді")
    ctx.set_offline(True)
    form.locator("button").click()
    page.wait_for_selector("#net-status:not([hidden])")
    assert "Байланыс жоқ" in page.inner_text("#net-status")  # "no connection", in Kazakh
    shot(page, "phone-kk-feedback-offline")
    assert _stored(server, d["id"]) == []
    ctx.set_offline(False)
    page.wait_for_selector(".sent", timeout=15000)
    expect(page.locator(".sent")).to_contain_text("Пікір қабылданды")
    shot(page, "phone-kk-feedback-sent")
    rows = _stored(server, d["id"])
    assert rows == [("team", chair["id"], 4, "Шешімін жақсы түсіндірді", 1)]
    page.reload()  # nothing left in the outbox: no second row
    page.wait_for_load_state("networkidle")  # the page's own requests, if any, are done
    assert len(_stored(server, d["id"])) == 1
    ctx.close()


def test_panellist_rates_the_chair(server, browser, kk_debate):
    d = kk_debate
    chair = next(a for a in d["adjudicators"] if a["role"] == "chair")
    panellist = next(a for a in d["adjudicators"] if a["role"] != "chair")
    key = server.sql("SELECT private_key FROM adjudicators WHERE id = ?", panellist["id"])[0][0]
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/j/{key}/feedback/{d['id']}")
    assert page.locator("html").get_attribute("lang") == "kk"
    form = page.locator("form.feedback-form")
    assert form.count() == 1  # a panellist rates the chair only
    form.locator("button").click()  # no score chosen: told so, nothing sent
    expect(page.locator("[data-error-for=score]")).not_to_be_empty()
    form.locator("label.choice:has(input[value='5'])").click()
    form.locator("button").click()
    page.wait_for_selector(".sent", timeout=15000)
    rows = [r for r in _stored(server, d["id"]) if r[0] == "panellist"]
    assert rows == [("panellist", chair["id"], 5, None, 1)]
    page.close()
