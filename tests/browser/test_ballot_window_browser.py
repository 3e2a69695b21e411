"""The ballot window in Chromium (issue 18 items 1 and 2): an adjudicator's phone at 360x740
shows a debate whose result is confirmed as closed (with the result once released), and an
outbox entry sent offline that arrives after the confirmation is shown closed and not retried;
the director's correction form at 1366x768 previews what a correction touches, then stores it."""
import re
import uuid

import pytest

from tests.browser.conftest import PHONE, expect, login, no_sideways_scroll, shot

LAPTOP = {"width": 1366, "height": 768}
GOV = {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}
OPP = {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}


@pytest.fixture(scope="module")
def r1(server):
    """Round 1 with one adjudicator per debate: drawn, released, every ballot in, every debate
    of the English league but one (kept open for the outbox) confirmed, results released."""
    tok = server.token()
    status, body = server.api("PATCH", "/tournaments/1", {"settings": {"panel_size": 1}}, token=tok)
    assert status == 200, body
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim", "motions": {
        "3": {"text": "This House would lower the voting age to 16"}}}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    # Before the release the ballot window is not open yet.
    d0 = draw["debates"][0]
    keys = dict(server.sql("SELECT id, private_key FROM adjudicators"))
    status, body = server.api("POST", "/ballots", {"debate_id": d0["id"], "client_id": str(uuid.uuid4()),
                                                   "winner": "gov", "scores": GOV},
                              headers={"X-Adjudicator-Key": keys[d0["adjudicators"][0]["id"]]})
    assert status == 409 and body["error"]["code"] == "draw_not_released", body
    server.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True}, token=tok)
    en = max(d["league_id"] for d in draw["debates"])
    mine = [d for d in draw["debates"] if d["league_id"] == en]
    ballots, winners = {}, {}
    for i, d in enumerate(draw["debates"]):
        winner = "gov" if i % 2 == 0 else "opp"
        status, b = server.api("POST", "/ballots", {"debate_id": d["id"], "client_id": str(uuid.uuid4()),
                                                    "winner": winner, "scores": GOV if winner == "gov" else OPP},
                               headers={"X-Adjudicator-Key": keys[d["adjudicators"][0]["id"]]})
        assert status == 201, b
        ballots[d["id"]], winners[d["id"]] = b["id"], winner
    open_one = mine[1]
    for did, bid in ballots.items():
        if did != open_one["id"]:
            status, body = server.api("POST", f"/ballots/{bid}/confirm", token=tok)
            assert status == 200, body
    server.api("POST", f"/rounds/{rnd['id']}/release", {"results": True}, token=tok)
    return {"token": tok, "round": rnd, "draw": draw, "keys": keys, "en": mine, "open": open_one,
            "ballots": ballots, "winners": winners}


@pytest.fixture(scope="module")
def r2(server, r1):
    """Round 1 fully confirmed (one click for the rest), round 2 drawn on its results."""
    tok = r1["token"]
    status, out = server.api("POST", f"/rounds/{r1['round']['id']}/confirm", token=tok)
    assert status == 200, out
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    return rnd


def _key(r1, debate):
    return r1["keys"][debate["adjudicators"][0]["id"]]


def _ballot_posts(page):
    posts = []
    page.on("request", lambda req: posts.append(req.url) if req.method == "POST" and
            req.url.endswith("/api/v1/ballots") else None)
    return posts


def test_phone_shows_a_confirmed_debate_closed_with_its_result(server, browser, r1):
    d = r1["en"][0]
    winner = d[r1["winners"][d["id"]]]["name"]
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{server.url}/j/{_key(r1, d)}")
    note = page.locator("#ballot-closed-note")
    assert "The ballot is closed" in note.inner_text()
    assert "wins" in note.inner_text() and winner in note.inner_text()  # released: the result is shown
    assert page.locator(f"a[href*='/ballot/{d['id']}']").count() == 0  # no form offered
    assert no_sideways_scroll(page)
    shot(page, "phone-en-home-ballot-closed")
    page.goto(f"{server.url}/j/{_key(r1, d)}/ballot/{d['id']}")
    assert page.locator("#ballot-form").count() == 0
    box = page.locator("#ballot-closed")
    assert "The ballot is closed" in box.inner_text() and winner in box.inner_text()
    assert no_sideways_scroll(page)
    shot(page, "phone-en-ballot-closed")
    ctx.close()


def test_offline_ballot_delivered_after_confirmation_is_closed_not_retried(server, browser, r1):
    d = r1["open"]
    key = _key(r1, d)
    aid = d["adjudicators"][0]["id"]
    first = r1["winners"][d["id"]]
    late = "opp" if first == "gov" else "gov"  # the adjudicator changed their mind, offline
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    posts = _ballot_posts(page)
    page.goto(f"{server.url}/j/{key}/ballot/{d['id']}")
    assert page.locator("#ballot-form").count() == 1  # not confirmed yet: the form is offered
    for role, mark in (GOV if late == "gov" else OPP).items():
        page.fill(f"input[name=score_{role}]", str(mark))
    page.check(f"input[name=winner][value={late}]")
    page.click("#review-btn")
    expect(page.locator("#send-btn")).to_be_visible()
    ctx.set_offline(True)
    page.click("#send-btn")
    page.wait_for_selector("#net-status:not([hidden])")
    assert "No connection" in page.inner_text("#net-status")
    # Meanwhile the tab room confirms the adjudicator's earlier ballot: the window closes.
    status, body = server.api("POST", f"/ballots/{r1['ballots'][d['id']]}/confirm", token=r1["token"])
    assert status == 200, body
    ctx.set_offline(False)
    page.wait_for_selector("#ballot-closed", timeout=15000)
    assert page.locator("#ballot-form").count() == 0 and page.locator(".sent").count() == 0
    assert "The ballot is closed" in page.inner_text("#ballot-closed")
    assert page.is_hidden("#net-status")
    assert no_sideways_scroll(page)
    shot(page, "phone-en-ballot-closed-after-outbox")
    sent = len(posts)
    assert sent >= 1
    page.wait_for_timeout(6000)  # longer than the 4 s retry: nothing more is sent
    assert len(posts) == sent
    assert page.evaluate("Object.keys(localStorage).filter(k => k.indexOf(':outbox') >= 0).length") == 0
    # Nothing stored as a ballot; what it carried is in the audit log, shown to the director.
    assert server.sql("SELECT version, winner FROM ballots WHERE debate_id = ? AND adjudicator_id = ?",
                      d["id"], aid) == [(1, first)]
    kept = server.sql("SELECT details FROM audit_log WHERE action = 'ballot_after_close' AND object_id = ?", d["id"])
    assert len(kept) == 1 and f'"{late}"' in kept[0][0]
    page.reload()  # the page itself now says closed; the empty outbox sends nothing
    page.wait_for_load_state("networkidle")  # the page's own requests, if any, are done
    assert page.locator("#ballot-closed").count() == 1 and len(posts) == sent
    ctx.close()


def test_director_previews_a_correction_then_stores_it(server, browser, r1, r2):
    d = r1["en"][0]
    rid = r1["round"]["id"]
    aid = d["adjudicators"][0]["id"]
    old = server.sql("SELECT winner FROM debates WHERE id = ?", d["id"])[0][0]
    other = "opp" if old == "gov" else "gov"
    ctx = browser.new_context(viewport=LAPTOP)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    login(page, server)
    page.goto(f"{server.url}/t/1/rounds/{rid}/results")
    # The debate whose late ballot arrived is marked for the director.
    assert "Arrived after confirmation" in page.inner_text(f"#debate-{r1['open']['id']}")
    with page.expect_navigation(url=re.compile(rf"/debates/{d['id']}/correct$")):
        page.click(f"#debate-{d['id']} a.correct-link")
    page.select_option("select[name=adjudicator_id]", str(aid))
    page.check(f"input[name=winner][value={other}]")
    for role, mark in (GOV if other == "gov" else OPP).items():
        page.fill(f"input[name=score_{role}]", str(mark))
    page.fill("textarea[name=reason]", "Appeal upheld: the chair's ballot named the wrong team")
    page.click("#preview-btn")
    preview = page.locator("#correction-preview")
    preview.wait_for()
    assert "The winner changes" in preview.inner_text()
    assert "Round 2" in page.inner_text("#affected-rounds")  # drawn on the old result
    standings = page.inner_text("#affected-standings")
    assert "→" in standings and (d["gov"]["name"] in standings or d["opp"]["name"] in standings), standings
    assert "Nothing has been stored yet." in preview.inner_text()
    assert server.sql("SELECT COUNT(*) FROM ballots WHERE debate_id = ?", d["id"]) == [(1,)]
    assert no_sideways_scroll(page)
    shot(page, "director-correction-preview")
    # The same page on a phone, with the director's session: nothing scrolls sideways.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                storage_state=ctx.storage_state()).new_page()
    phone.goto(page.url)
    assert no_sideways_scroll(phone), phone.evaluate("document.documentElement.scrollWidth")
    shot(phone, "phone-director-correction-form")
    phone.context.close()
    with page.expect_navigation(url=re.compile(rf"/rounds/{rid}/results")):
        page.click("#store-btn")
    assert "Correction stored" in " ".join(page.locator(".flash").all_inner_texts())
    rows = server.sql("SELECT version, winner, status FROM ballots WHERE debate_id = ? ORDER BY version", d["id"])
    assert rows == [(1, old, "confirmed"), (2, other, "submitted")]  # a second person confirms it
    reason = server.sql("SELECT details FROM audit_log WHERE action = 'result_corrected' AND object_id = ?", d["id"])
    assert len(reason) == 1 and "wrong team" in reason[0][0]
    shot(page, "director-results-after-correction")
    ctx.close()
