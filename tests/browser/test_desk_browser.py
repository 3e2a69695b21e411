"""The director's desk (#22) in Chromium: the round page of the demo's round 1 as compact tables
(at most 4,000 px tall on a laptop) with the next step on top, adjudicators moved by drag and drop
and by keyboard with the conflict preview; the director's navigation on a phone; the public
standings and results on a phone; the projector filling the screen; the ballot's status beside
the send button and on the adjudicator's home page when the network is down."""
import uuid

import pytest

from tests.browser.conftest import PHONE, PROJECTOR, SHOTS, demo_director, expect, login, no_sideways_scroll, shot

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
        assert _draw_tables_overflow(page) == [], "the draw scrolls sideways inside its table at 1366 px"
        for size, name in ((TABLET, "tablet"), (PHONE, "phone")):
            page.set_viewport_size(size)
            assert no_sideways_scroll(page), name
            assert _draw_tables_overflow(page) == [], f"the draw scrolls sideways inside its table ({name})"
            shot(page, f"desk-round-{name}")
    finally:
        ctx.close()


DRAW_OVERFLOW = """() => [...document.querySelectorAll('table.draw')].map(t => {
    const wrap = t.closest('.table-wrap') || t.parentElement;
    return {scroll: wrap.scrollWidth, client: wrap.clientWidth, table: Math.ceil(t.getBoundingClientRect().width)};
}).filter(x => x.scroll > x.client || x.table > x.client)"""


def _draw_tables_overflow(page):
    """The draw tables wider than their box (each would scroll sideways inside it)."""
    return page.evaluate(DRAW_OVERFLOW)


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_round_page_fits_a_tablet_in_the_longer_languages(server, browser, round1, lang):
    """At 768x1024 (and a small laptop) a debate's row wraps into two lines: room, teams and panel,
    then the notes and the change controls; the table never scrolls sideways inside its box."""
    ctx, page = demo_director(browser, server, TABLET)
    try:
        page.goto(f"{server.url}/t/1/rounds/{round1['rid']}/?lang={lang}")
        assert page.locator("table.draw tbody tr").count() == 30
        for size in (TABLET, {"width": 1024, "height": 768}, {"width": 1280, "height": 800}):
            page.set_viewport_size(size)
            assert no_sideways_scroll(page), size
            assert _draw_tables_overflow(page) == [], size
        page.set_viewport_size(TABLET)
        # Still a usable row: the controls of a debate sit below its panel, not off the screen.
        row = page.locator("table.draw tbody tr").first
        for part in ("td.panel", "td.change button", "select[name=room_id]"):
            box = row.locator(part).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"], (part, box)
        page.locator("table.draw").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"desk-round-tablet-{lang}.png"))
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
        expect(chip).to_have_attribute("aria-pressed", "true")
        # The focus is on the next debate's panel; arrow down once more, then Enter.
        page.keyboard.press("ArrowDown")
        target_id = page.evaluate("document.activeElement.dataset.debate")
        assert target_id and int(target_id) != source["id"]
        page.keyboard.press("Enter")
        bar = page.locator("#dnd-bar")
        bar.wait_for(state="visible")
        box = bar.locator(".move-preview")
        box.get_by_text("The panel has an even number of adjudicators").first.wait_for(timeout=20000)
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
        bar.locator(".move-preview p").first.wait_for(timeout=20000)
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


# ----- after the round is played: the public pages, the projector, the locked round page -----

def _key(server, adj_id):
    return server.sql("SELECT private_key FROM adjudicators WHERE id = ?", adj_id)[0][0]


@pytest.fixture(scope="module")
def played(server, round1):
    """Round 1 released and played: every debate confirmed except the first two of each league."""
    tok, rid = round1["token"], round1["rid"]
    status, draw = server.api("GET", f"/rounds/{rid}/draw", token=tok)
    assert status == 200, draw
    for lid in sorted({d["league_id"] for d in draw["debates"]}):
        server.api("PUT", f"/rounds/{rid}/motions/{lid}", {"text": "This House would test"}, token=tok)
    assert server.api("POST", f"/rounds/{rid}/release", {"draw": True}, token=tok)[0] == 200
    open_ = []
    for lid in sorted({d["league_id"] for d in draw["debates"]}):
        debates = [d for d in draw["debates"] if d["league_id"] == lid]
        open_ += debates[:2]
        for n, d in enumerate(debates[2:]):
            winner = "gov" if n % 2 else "opp"
            marks = {"PM": 27, "MG": 26.5, "LO": 26, "MO": 25.5} if winner == "gov" else \
                {"PM": 25.5, "MG": 26, "LO": 27, "MO": 26.5}
            for a in d["adjudicators"]:
                status, b = server.api("POST", "/ballots", {"debate_id": d["id"], "client_id": str(uuid.uuid4()),
                                                            "winner": winner, "scores": marks},
                                       headers={"X-Adjudicator-Key": _key(server, a["id"])})
                assert status in (200, 201), b
                status, body = server.api("POST", f"/ballots/{b['id']}/confirm", token=tok)
                assert status == 200, body
    server.api("POST", f"/rounds/{rid}/release", {"results": True}, token=tok)
    server.api("POST", "/tournaments/1/release", {"team_standings": True, "speaker_standings": True}, token=tok)
    return {"rid": rid, "open": open_, "leagues": sorted({d["league_id"] for d in draw["debates"]})}


def test_locked_round_page_hides_the_edit_controls_and_shows_the_ballots_step(server, browser, played):
    ctx, page = demo_director(browser, server, LAPTOP)
    try:
        page.goto(f"{server.url}/t/1/rounds/{played['rid']}/?lang=en")
        assert "Locked: this round has confirmed results" in page.inner_text("main")
        assert page.locator("#dnd-bar").count() == 0
        assert page.locator(".chip[draggable=true]").count() == 0
        assert page.locator("form.seat-actions").count() == 0
        assert page.locator("#next-step li[aria-current=step]").inner_text() in ("Motions", "Ballots")
    finally:
        ctx.close()


WORD_BROKEN = """() => {
  // A word is broken inside when its letters sit on more than one line.
  const bad = [];
  for (const cell of document.querySelectorAll('main td, main .result-row .team')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) bad.push(m[0]);
      }
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("lang", ("kk", "ru", "en"))
def test_public_standings_and_results_on_a_phone(server, browser, played, lang):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        for lid in played["leagues"]:
            for part in ("standings", "speakers", "results"):
                page.goto(f"{server.url}/p/1/l/{lid}/{part}?lang={lang}")
                assert no_sideways_scroll(page), (lid, part)
                assert page.evaluate(WORD_BROKEN) == [], (lid, part)
                if part in ("standings", "speakers"):
                    # The rank on one line: the rank cell is one line tall.
                    heights = page.evaluate("""() => [...document.querySelectorAll('table.standings tbody td:first-child')]
                        .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                                     return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })""")
                    assert heights and max(heights) == 1, (lid, part)
                else:
                    # Each team with its side beside it.
                    first = page.locator(".result-row").first
                    assert first.locator(".team.gov .side").count() == 1 and first.locator(".team.opp .side").count() == 1
                    assert first.locator(".vs").count() == 0
                if lid == played["leagues"][0] and lang == "kk":
                    shot(page, f"desk-public-{part}-phone")
    finally:
        ctx.close()


BOX_OVERFLOW = """() => {
  // Every table box in main that scrolls sideways, and every table wider than its box.
  const bad = [];
  for (const w of document.querySelectorAll('main .table-wrap'))
    if (w.scrollWidth > w.clientWidth + 1) bad.push(`${w.querySelector('table')?.className || 'table'} ${w.scrollWidth}>${w.clientWidth}`);
  for (const t of document.querySelectorAll('main table')) {
    const width = Math.ceil(t.getBoundingClientRect().width), box = t.parentElement.clientWidth;
    if (width > box + 1) bad.push(`${t.className || 'table'} ${width}>${box}`);
  }
  return bad;
}"""


def _director_list_pages(server, played):
    aid = server.sql("SELECT adjudicator_id FROM debate_adjudicators WHERE round_id = ? ORDER BY debate_id LIMIT 1",
                     played["rid"])[0][0]
    return ["teams/", "adjudicators/", "rooms/", "rounds/", f"rounds/{played['rid']}/", "audit", "feedback/missing",
            f"feedback/adjudicators/{aid}", "awards/list"]


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_director_lists_fit_a_tablet_and_a_phone(server, browser, played, lang):
    """The director's lists (teams, adjudicators, rooms, rounds, audit log, feedback, documents) at
    768x1024 and 360x740 in the longer languages: no sideways scroll of the page nor inside a table's
    box (a phone gets one block per row, the team and adjudicator lists two cards a line on a
    tablet), with each row's actions on the screen; at 1366 px they stay tables with their headers."""
    ctx, page = demo_director(browser, server, TABLET)
    try:
        for size in (TABLET, PHONE):
            page.set_viewport_size(size)
            for part in _director_list_pages(server, played):
                page.goto(f"{server.url}/t/1/{part}?lang={lang}")
                assert no_sideways_scroll(page), (size, part)
                assert page.evaluate(BOX_OVERFLOW) == [], (size, part)
            for part in ("teams/", "adjudicators/"):
                page.goto(f"{server.url}/t/1/{part}?lang={lang}")
                button = page.locator("main td.row-actions button").first
                box = button.bounding_box()
                assert box and 0 <= box["x"] and box["x"] + box["width"] <= size["width"], (size, part, box)
                if lang == "kk":
                    shot(page, f"desk-{part.strip('/')}-{size['width']}")
            page.goto(f"{server.url}/t/1/rounds/{played['rid']}/paper-entry?lang={lang}")
            assert no_sideways_scroll(page), (size, "paper-entry")
        page.set_viewport_size(LAPTOP)
        page.goto(f"{server.url}/t/1/teams/?lang={lang}")
        assert page.locator("main table thead").first.is_visible()
        assert page.evaluate(BOX_OVERFLOW) == []
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_public_motion_statistics_on_a_phone(server, browser, played, lang):
    """A spectator's motion statistics on a phone: one block per round, each number named, no sideways scroll."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        for lid in played["leagues"]:
            page.goto(f"{server.url}/p/1/l/{lid}/motions?lang={lang}")
            assert page.locator("table.motion-stats tbody tr").count() >= 1
            assert no_sideways_scroll(page), lid
            assert page.evaluate(BOX_OVERFLOW) == [], lid
            assert page.evaluate(WORD_BROKEN) == [], lid
    finally:
        ctx.close()


def test_director_navigation_collapses_on_a_phone(server, browser, played):
    ctx, page = demo_director(browser, server, PHONE)
    try:
        page.goto(f"{server.url}/t/1/rounds/?lang=en")
        menu = page.locator("#navmenu")
        assert not menu.evaluate("d => d.open")
        assert not page.locator(".navmenu-links a", has_text="Audit log").is_visible()
        nav_bottom = page.evaluate("document.querySelector('.subnav').getBoundingClientRect().bottom")
        assert nav_bottom < 200, nav_bottom  # not a first screen of links
        assert no_sideways_scroll(page)
        shot(page, "desk-director-nav-phone")
        menu.locator("summary").click()
        expect(page.locator(".navmenu-links a", has_text="Audit log")).to_be_visible()
        for size in (LAPTOP, TABLET):
            page.set_viewport_size(size)
            page.goto(f"{server.url}/t/1/rounds/?lang=en")
            assert page.locator(".navmenu-links a", has_text="Audit log").is_visible()
            assert not page.locator("#navmenu summary").is_visible()
    finally:
        ctx.close()


def test_director_navigation_without_javascript(server, browser, played):
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = ctx.new_page()
    try:
        login(page, server)  # waits for the sign-in's redirect: a goto right after the click could cancel it
        page.goto(f"{server.url}/t/1/rounds/?lang=en")
        assert not page.locator(".navmenu-links a", has_text="Audit log").is_visible()
        page.locator("#navmenu summary").click()
        expect(page.locator(".navmenu-links a", has_text="Audit log")).to_be_visible()
    finally:
        ctx.close()


def _settled(page):
    """The projector's live part has its first data and has been fitted to the screen (after a
    fixed pause a busy machine could still be fitting)."""
    page.wait_for_selector("#live-status[data-state=live]", timeout=15000)
    page.wait_for_function("() => Number(document.documentElement.dataset.liveFetches || 0) >= 1", timeout=15000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_projector_standings_fill_the_screen_and_long_lists_page(server, browser, played):
    page = browser.new_page(viewport=PROJECTOR)
    try:
        lid = played["leagues"][0]
        page.goto(f"{server.url}/p/1/l/{lid}/projector?view=standings&lang=kk")
        _settled(page)
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#part-standings table.projector-table td')).fontSize)")
        bottom = page.evaluate("document.querySelector('#part-standings table.projector-table').getBoundingClientRect().bottom")
        print("projector standings text:", size, "px; table bottom:", bottom)
        assert size >= 32, size
        assert bottom <= 1080
        assert bottom >= 1080 * 0.8 or size >= 32  # fills the screen, or large
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        shot(page, "desk-projector-standings")
        # On a smaller projector (1366×768) the 20 teams do not fit at 32 px: they page by themselves.
        page.set_viewport_size(LAPTOP)
        page.goto(f"{server.url}/p/1/l/{lid}/projector?view=standings&lang=en")
        _settled(page)
        pager = page.locator("#part-standings .projector-pager")
        pager.wait_for(state="visible")
        first = pager.inner_text()
        assert first.startswith("Page 1 of"), first
        visible = page.evaluate("[...document.querySelectorAll('#part-standings tbody tr')].filter(r => r.offsetParent).length")
        total = page.locator("#part-standings tbody tr").count()
        assert 0 < visible < total
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#part-standings table.projector-table td')).fontSize)")
        assert size >= 32
        assert page.evaluate("document.querySelector('#part-standings table').getBoundingClientRect().bottom") <= 768
        shot(page, "desk-projector-standings-paged")
        page.wait_for_function("t => document.querySelector('#part-standings .projector-pager').textContent !== t",
                               arg=first, timeout=25000)  # pages turn every 8 s; room for a busy machine
        assert pager.inner_text().startswith("Page 2 of")
    finally:
        page.close()


def test_offline_ballot_status_beside_the_button_and_on_the_home_page(server, browser, played):
    debate = played["open"][-1]
    adj = debate["adjudicators"][0]
    key = _key(server, adj["id"])
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}?lang=en")
        for role, mark in zip(("PM", "MG", "LO", "MO"), ("27", "26", "26", "25")):
            page.fill(f"input[name=score_{role}]", mark)
        page.check("input[name=winner][value=gov]")
        page.click("#review-btn")
        expect(page.locator("#send-btn")).to_be_visible()
        ctx.set_offline(True)
        page.click("#send-btn")
        beside = page.locator("#send-status")
        beside.wait_for(state="visible", timeout=15000)
        expect(beside).to_contain_text("kept on this phone")
        box = beside.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box  # where they tapped
        page.screenshot(path=str(SHOTS / "desk-ballot-offline.png"))  # the viewport, as the adjudicator sees it
        assert server.sql("SELECT count(*) FROM ballots WHERE debate_id = ? AND adjudicator_id = ?",
                          debate["id"], adj["id"]) == [(0,)]
        # The home page (from the phone's cache of the page: load it while online, then cut).
        page.route("**/api/v1/ballots", lambda route: route.abort())  # the network still fails for the send
        ctx.set_offline(False)
        page.goto(f"{server.url}/j/{key}?lang=en")
        outbox = page.locator("#outbox")
        outbox.wait_for(state="visible")
        assert debate["gov"]["name"] in outbox.inner_text()
        assert "Fill in the ballot" not in page.inner_text("main")
        assert "waits to be sent" in page.inner_text("#ballot-link")
        shot(page, "desk-judge-home-outbox")
        page.unroute("**/api/v1/ballots")
        page.click("#outbox-send")
        outbox.get_by_text("Sent: the tab room has your ballot.").wait_for(timeout=20000)
        assert server.sql("SELECT count(*) FROM ballots WHERE debate_id = ? AND adjudicator_id = ?",
                          debate["id"], adj["id"]) == [(1,)]
    finally:
        ctx.close()
