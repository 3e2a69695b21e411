"""The director's round page in Chromium: choosing a move of an adjudicator shows, before the
move is made, what it would break; making it shows the same warning beside the debate."""
import pytest

from tests.browser.conftest import demo_director, shot

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def drawn(server):
    tok = server.token()
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    return rnd, draw


def test_move_preview_then_move(server, browser, drawn):
    rnd, draw = drawn
    full = [d for d in draw["debates"] if len(d["adjudicators"]) == 3]
    source, target = full[0], full[1]
    mover = next(a for a in source["adjudicators"] if a["role"] != "chair")
    ctx, page = demo_director(browser, server, LAPTOP)
    page.goto(f"{server.url}/t/1/rounds/{rnd['id']}/")
    form = page.locator("#move form[data-preview]").first
    form.locator("select[name=adjudicator_id]").select_option(str(mover["id"]))
    form.locator("select[name=debate_id]").select_option(str(target["id"]))
    box = form.locator(".move-preview")
    box.get_by_text("The panel has an even number of adjudicators (4).").wait_for(timeout=20000)
    assert "The panel has an even number of adjudicators (2)." in box.inner_text()
    assert "has-new" in box.get_attribute("class")
    shot(page, "round-move-preview")
    # Nothing was saved by the preview.
    assert server.sql("SELECT debate_id FROM debate_adjudicators WHERE adjudicator_id = ? AND round_id = ?",
                      mover["id"], rnd["id"]) == [(source["id"],)]
    with page.expect_navigation():  # wait_for_load_state() alone would see the old page, already loaded
        form.locator("button", has_text="Move").click()
    row = page.locator(f"#debate-{target['id']}")
    assert "The panel has an even number of adjudicators (4)." in row.inner_text()
    assert server.sql("SELECT debate_id, locked FROM debate_adjudicators WHERE adjudicator_id = ? AND round_id = ?",
                      mover["id"], rnd["id"]) == [(target["id"], 1)]
    ctx.close()
