"""An adjudicator fills and sends a ballot on a phone-sized screen: the confirmation in
words, the draft kept through a reload, and a ballot sent while the network is cut."""
import json
import time

import pytest

from tests.browser.conftest import PHONE, expect, no_sideways_scroll, shot


@pytest.fixture(scope="module")
def round1(server):
    tok = server.token()
    _s, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim", "motions": {
        "1": {"text": "Бұл палата мектептерде ұялы телефонға тыйым салар еді"},
        "2": {"text": "Эта палата запретила бы домашние задания"},
        "3": {"text": "This House would lower the voting age to 16"}}}, token=tok)
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201
    server.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True}, token=tok)
    return draw


def _seat(server, draw, league_index, n=0):
    league_id = sorted({d["league_id"] for d in draw["debates"]})[league_index]
    debate = [d for d in draw["debates"] if d["league_id"] == league_id][n]
    adj = debate["adjudicators"][0]
    key = server.sql("SELECT private_key FROM adjudicators WHERE id = ?", adj["id"])[0][0]
    return debate, adj, key


def _fill(page, marks, winner):
    for role, mark in zip(("PM", "MG", "LO", "MO"), marks):
        page.fill(f"input[name=score_{role}]", mark)
    page.check(f"input[name=winner][value={winner}]")


def _stored(server, debate_id, adj_id):
    return server.sql("SELECT version, winner, scores FROM ballots WHERE debate_id = ? AND adjudicator_id = ? "
                      "ORDER BY version", debate_id, adj_id)


def test_phone_ballot_in_kazakh_with_confirmation(server, browser, round1):
    debate, adj, key = _seat(server, round1, 0)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/j/{key}")
    assert "Бұл палата мектептерде" in page.content()  # the motion, once released
    shot(page, "phone-kk-adjudicator-home")
    # The ballot's script must be running before the review button is pressed (else the form posts).
    with page.expect_navigation(url=f"**/ballot/{debate['id']}"):
        page.click("a.button.primary")
    assert page.locator("html").get_attribute("lang") == "kk"  # the league's language
    _fill(page, ["27,5", "27", "26", "26,5"], "gov")
    expect(page.locator("[data-total=gov]")).to_have_text("54,5")
    page.click("#review-btn")
    expect(page.locator("#review")).to_be_visible()
    review = page.inner_text("#review-text")
    assert "54,5" in review and "52,5" in review and "Үкімет" in review
    shot(page, "phone-kk-ballot-review")
    assert no_sideways_scroll(page)
    page.click("#send-btn")
    page.wait_for_selector(".sent")
    shot(page, "phone-kk-ballot-sent")
    rows = _stored(server, debate["id"], adj["id"])
    assert len(rows) == 1 and rows[0][1] == "gov"


def test_browser_validation_in_russian(server, browser, round1):
    debate, adj, key = _seat(server, round1, 1)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}")
    assert page.locator("html").get_attribute("lang") == "ru"
    _fill(page, ["31", "26", "26", "25,3"], "opp")
    page.click("#review-btn")
    expect(page.locator("[data-error-for='scores.PM']")).not_to_be_empty()
    expect(page.locator("[data-error-for='scores.MO']")).not_to_be_empty()
    assert page.is_hidden("#review")
    _fill(page, ["27", "26", "26", "26"], "opp")  # a low-point win
    page.click("#review-btn")
    expect(page.locator("[data-error-for='winner']")).not_to_be_empty()
    assert page.is_hidden("#review")
    assert _stored(server, debate["id"], adj["id"]) == []


def test_draft_survives_reload_and_offline_ballot_is_sent_once(server, browser, round1):
    debate, adj, key = _seat(server, round1, 2)
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}")
    assert page.locator("html").get_attribute("lang") == "en"
    _fill(page, ["28", "27.5", "27", "26"], "gov")
    page.reload()
    assert page.input_value("input[name=score_PM]") == "28"  # kept on the phone
    assert page.is_checked("input[name=winner][value=gov]")
    page.click("#review-btn")
    expect(page.locator("#review-text")).to_contain_text("Government wins, 55.5 to 53")
    ctx.set_offline(True)
    page.click("#send-btn")
    page.wait_for_selector("#net-status:not([hidden])")
    assert "No connection" in page.inner_text("#net-status")
    shot(page, "phone-en-ballot-offline")
    assert _stored(server, debate["id"], adj["id"]) == []
    ctx.set_offline(False)
    page.wait_for_selector(".sent", timeout=15000)
    rows = _stored(server, debate["id"], adj["id"])
    assert len(rows) == 1 and rows[0][0] == 1
    page.reload()  # nothing left in the outbox: no second ballot
    page.wait_for_load_state("networkidle")  # the page's own requests, if any, are done
    assert len(_stored(server, debate["id"], adj["id"])) == 1
    ctx.close()


def test_works_without_javascript(server, browser, round1):
    debate, adj, key = _seat(server, round1, 0, n=1)
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}?lang=en")
    _fill(page, ["26", "26", "27", "27"], "opp")
    with page.expect_navigation():  # without JavaScript each step is a page from the server
        page.click("button[name=step][value=review]")
    assert "Opposition wins, 54 to 52" in page.content()
    with page.expect_navigation():
        page.click("button[name=step][value=send]")
    assert "Ballot received" in page.content()
    assert len(_stored(server, debate["id"], adj["id"])) == 1
    ctx.close()


def test_busy_server_retry_after_is_honoured_with_the_same_client_id(server, browser, round1):
    """A 503 with Retry-After (a busy database) keeps the ballot in the outbox; the phone waits as long as
    the server asked and sends the same submission (same client_id) again, stored once."""
    debate, adj, key = _seat(server, round1, 1, 1)
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    calls = []

    def busy_once(route):
        calls.append((time.monotonic(), json.loads(route.request.post_data)["client_id"]))
        if len(calls) == 1:
            route.fulfill(status=503, headers={"Retry-After": "6", "Content-Type": "application/json"},
                          body='{"error": "busy"}')
        else:
            route.continue_()

    page.route("**/api/v1/ballots", busy_once)
    page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}")
    _fill(page, ["26", "26.5", "28", "27.5"], "opp")
    page.click("#review-btn")
    page.click("#send-btn")
    page.wait_for_selector(".sent", timeout=15000)
    assert len(calls) == 2, calls
    (t1, id1), (t2, id2) = calls
    assert id1 == id2
    assert t2 - t1 >= 5.9, t2 - t1  # as long as the server asked (longer than the usual 4 s retry)
    rows = _stored(server, debate["id"], adj["id"])
    assert len(rows) == 1 and rows[0][1] == "opp"
    ctx.close()
