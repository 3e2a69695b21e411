"""#20 item 5: tab staff type a paper ballot in by keyboard alone (Tab, typing, Enter) on a
1366×768 laptop; the ballot is stored as entered by them, through the ballot service."""
import time

import pytest

from tests.browser.conftest import expect, login, shot

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def drawn(server):
    tok = server.token()
    _s, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201
    status, _r = server.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True}, token=tok)
    assert status == 200  # paper ballots are typed in once the draw is out
    return rnd, draw


def test_paper_ballot_by_keyboard_alone(server, browser, drawn):
    rnd, draw = drawn
    ctx = browser.new_context(viewport=LAPTOP)
    page = ctx.new_page()
    login(page, server, query="?lang=ru")
    page.goto(f"{server.url}/t/1/rounds/{rnd['id']}/paper-entry")
    assert page.evaluate("document.activeElement.id") == "seat"  # the page opens ready to type
    debate = draw["debates"][3]
    adj = debate["adjudicators"][1]
    label = f"{debate['room']['name']} · {adj['name']}"

    started = time.monotonic()
    page.keyboard.type(label)
    page.keyboard.press("Tab")
    for i, mark in enumerate(("27", "26,5", "28", "28")):  # the opposition wins on points
        assert page.evaluate("document.activeElement.name") == f"score_{('PM', 'MG', 'LO', 'MO')[i]}"
        page.keyboard.type(mark)
        if i < 3:
            page.keyboard.press("Tab")
    # totals checked as typed
    expect(page.locator("#total-gov")).to_have_text("53,5")
    expect(page.locator("#total-opp")).to_have_text("56")
    expect(page.locator("#seat-teams")).to_contain_text(debate["gov"]["name"])
    shot(page, "paper-entry-typed")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    elapsed = time.monotonic() - started
    assert page.locator(".flash.success").count() == 1, page.inner_text("main")
    rows = server.sql("SELECT winner, scores, entered_by_id, status FROM ballots WHERE debate_id = ? "
                      "AND adjudicator_id = ?", debate["id"], adj["id"])
    assert len(rows) == 1
    winner, scores, entered_by, status = rows[0]
    assert winner == "opp" and entered_by is not None and status == "submitted"
    assert '"MG": 26.5' in scores
    print(f"paper ballot typed and stored in {elapsed:.1f} s")
    assert elapsed < 30
    # a mistake is flagged as typed, and the server refuses it with the field marked
    assert page.evaluate("document.activeElement.id") == "seat"
    page.keyboard.type(label)
    page.keyboard.press("Tab")
    page.keyboard.type("99")
    expect(page.locator("[data-error-for='scores.PM']")).not_to_be_empty()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("input[name=score_PM][aria-invalid=true]").count() == 1
    assert len(server.sql("SELECT id FROM ballots WHERE debate_id = ?", debate["id"])) == 1
    ctx.close()
