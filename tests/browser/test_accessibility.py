"""WCAG 2.1 AA, checked in the browser: axe-core (vendored under tests/browser/vendor/axe-core, no
network) runs on every page kind at the size it is used — the adjudicator's pages on a phone, the
public league pages on a phone and a laptop in Kazakh, Russian and English, the director's pages
on a laptop, the projector at 1920×1080 — and any serious or critical violation fails the test.
Two keyboard-only walks: an adjudicator sends a ballot with Tab, typing and Enter alone, and a
director reaches the round page's main controls with Tab, each showing the app's focus outline.

A summary of every violation found (all impacts) is written to test-artifacts/axe-summary.json."""
import json
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.browser.conftest import DEMO_PASSWORD, PHONE, PROJECTOR, ROOT, no_sideways_scroll, shot

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
LAPTOP = {"width": 1366, "height": 768}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
# Structure the WCAG rules leave to axe's best practices (one h1, landmarks, headings in order,
# table headers with text): also run on every page, and any of these fails the test too.
STRUCTURE = ["page-has-heading-one", "landmark-one-main", "heading-order", "landmark-unique",
             "landmark-no-duplicate-banner", "landmark-no-duplicate-main", "empty-table-header", "empty-heading",
             "skip-link", "region"]
LANGS = ("kk", "ru", "en")
MOTIONS = {"kk": "Бұл палата мектептерде ұялы телефонға тыйым салар еді",
           "ru": "Эта палата запретила бы домашние задания",
           "en": "This House would lower the voting age to 16"}
SUMMARY = ROOT / "test-artifacts" / "axe-summary.json"
_found = {}  # page label -> [violations], for the summary file
_unsure = {}  # page label -> nodes whose contrast axe left for review


@pytest.fixture(scope="module")
def tour(server):
    """Round 1 of the demo drawn and released in every league, every debate's ballots confirmed
    except the first two of each league (left for the ballot pages), results and tabs released."""
    tok = server.token()
    leagues = {lang: lid for lid, lang in server.sql("SELECT id, language FROM leagues WHERE tournament_id = 1")}
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim", "motions": {
        str(leagues[lang]): {"text": text, "info_slide": text} for lang, text in MOTIONS.items()}}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    server.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True}, token=tok)
    open_debates = {}
    for lang, lid in leagues.items():
        debates = [d for d in draw["debates"] if d["league_id"] == lid]
        open_debates[lang] = debates[:2]
        for n, d in enumerate(debates[2:]):
            winner = "gov" if n % 2 else "opp"
            marks = {"PM": 27, "MG": 26.5, "LO": 26, "MO": 25.5} if winner == "gov" else \
                {"PM": 25.5, "MG": 26, "LO": 27, "MO": 26.5}
            for a in d["adjudicators"]:
                key = _key(server, a["id"])
                status, b = server.api("POST", "/ballots", {"debate_id": d["id"], "client_id": str(uuid.uuid4()),
                                                            "winner": winner, "scores": marks},
                                       headers={"X-Adjudicator-Key": key})
                assert status in (200, 201), b
                status, body = server.api("POST", f"/ballots/{b['id']}/confirm", token=tok)
                assert status == 200, body
    server.api("POST", f"/rounds/{rnd['id']}/release", {"results": True}, token=tok)
    server.api("POST", "/tournaments/1/release", {"team_standings": True, "speaker_standings": True, "bracket": True},
               token=tok)
    return {"rid": rnd["id"], "leagues": leagues, "open": open_debates}


def _key(server, adj_id):
    return server.sql("SELECT private_key FROM adjudicators WHERE id = ?", adj_id)[0][0]


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per screen size, reused by every page of that size."""
    made = {}

    def get(size, login=None):
        name = (size["width"], login)
        if name not in made:
            phone = size is PHONE
            made[name] = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, bypass_csp=True)
            if login:
                page = made[name].new_page()
                page.goto(login + "/login?lang=en")
                page.fill("input[name=username]", "demo")
                page.fill("input[name=password]", DEMO_PASSWORD)
                with page.expect_navigation(url="**/t/**"):
                    page.click("button.primary")
                page.close()
        return made[name]
    yield get
    for ctx in made.values():
        ctx.close()
    _write_summary()


def _write_summary():
    if not _found:
        return
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    total = Counter(v["impact"] for vs in _found.values() for v in vs)
    by_rule = Counter(f'{v["id"]} ({v["impact"]})' for vs in _found.values() for v in vs)
    old = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {"pages": {}}
    old["pages"].update({k: [f'{v["id"]} ({v["impact"]}, {len(v["nodes"])} nodes)' for v in vs]
                         for k, vs in _found.items()})
    old["last_run"] = {"pages": len(_found), "by_impact": dict(total), "by_rule": dict(by_rule),
                       "contrast_left_for_review": {k: n for k, n in _unsure.items() if n}}
    SUMMARY.write_text(json.dumps(old, ensure_ascii=False, indent=1))


def axe(page, label):
    """Runs axe-core on the page as it is now; returns the serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations, structure, unsure = page.evaluate("""async ([tags, rules]) => {
        const brief = r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                      why: n.failureSummary}))}));
        const wcag = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        const structure = await axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']});
        // What axe could not decide (text over a gradient or an image): counted in the summary only.
        const unsure = wcag.incomplete.filter(v => v.id === 'color-contrast')
            .flatMap(v => v.nodes.map(n => n.target.join(' ') + ': ' + (n.any[0] || {}).message));
        return [brief(wcag), brief(structure), unsure];
    }""", [TAGS, STRUCTURE])
    for v in structure:
        v["id"] = "structure:" + v["id"]
    _found[label] = violations + structure
    _unsure[label] = unsure
    return [v for v in violations if v["impact"] in FAILING] + structure


def report(bad):
    lines = []
    for label, vs in bad:
        for v in vs:
            lines.append(f"{label}: {v['id']} ({v['impact']}): {v['help']}")
            for n in v["nodes"][:5]:
                lines.append(f"    {n['target']}  {n['html']}\n      {n['why']}".replace("\n", "\n      "))
    return "\n".join(lines)


# Pages kept as screenshots (test-artifacts/screenshots/a11y-*.png) to look at the colours.
SHOOT = {"public draw kk 360", "public draw kk 1366", "public standings ru 360", "public tournament en 1366",
         "home 360", "login 1366", "director round en", "director settings kk", "projector draw kk",
         "projector motion en", "adjudicator home ru", "director checkin 768", "director unlock 360",
         "director replace 360"}


def check_pages(ctx, pages):
    """Opens each (label, url) in one tab and collects the serious and critical violations."""
    page = ctx.new_page()
    bad = []
    try:
        for label, url in pages:
            resp = page.goto(url)
            assert resp.status == 200, (label, url, resp.status)
            page.wait_for_load_state("load")
            vs = axe(page, label)
            if page.viewport_size["width"] == PHONE["width"]:
                assert no_sideways_scroll(page), f"{label}: scrolls sideways at 360 px"
            if label in SHOOT:
                shot(page, "a11y-" + label.replace(" ", "-"))
            if vs:
                bad.append((label, vs))
    finally:
        page.close()
    return bad


def one_h1(page):
    return page.locator("h1:visible").count()


# ----- axe on every page kind -----

@pytest.mark.parametrize("lang", LANGS)
def test_public_league_pages(server, tour, contexts, lang):
    lid = tour["leagues"][lang]
    parts = ("draw", "results", "standings", "speakers", "bracket")
    bad = []
    for size in (PHONE, LAPTOP):
        pages = [(f"public {p} {lang} {size['width']}", f"{server.url}/p/1/l/{lid}/{p}?lang={lang}") for p in parts]
        pages.append((f"public tournament {lang} {size['width']}", f"{server.url}/p/1/?lang={lang}"))
        bad += check_pages(contexts(size), pages)
    assert not bad, report(bad)


@pytest.mark.parametrize("lang", LANGS)
def test_adjudicator_pages_on_a_phone(server, tour, contexts, lang):
    debate = tour["open"][lang][0]
    key = _key(server, debate["adjudicators"][1]["id"])
    ballot = f"{server.url}/j/{key}/ballot/{debate['id']}?lang={lang}"  # the shared context keeps a lang cookie
    bad = check_pages(contexts(PHONE), [(f"adjudicator home {lang}", f"{server.url}/j/{key}?lang={lang}"),
                                        (f"ballot {lang}", ballot)])
    page = contexts(PHONE).new_page()
    try:
        page.goto(ballot)
        # The form with errors (checked in the browser), then the review step.
        page.fill("input[name=score_PM]", "31")
        page.click("#review-btn")
        page.wait_for_selector(".has-error")
        vs = axe(page, f"ballot errors {lang}")
        bad += [(f"ballot errors {lang}", vs)] if vs else []
        for role, mark in zip(("PM", "MG", "LO", "MO"), ("27", "26", "26", "25")):
            page.fill(f"input[name=score_{role}]", mark)
        page.check("input[name=winner][value=gov]")
        page.click("#review-btn")
        page.wait_for_selector("#review:not([hidden])")
        vs = axe(page, f"ballot review {lang}")
        bad += [(f"ballot review {lang}", vs)] if vs else []
        if lang == "kk":
            shot(page, "a11y-phone-ballot-review-kk")
    finally:
        page.close()
    assert not bad, report(bad)


def test_ballot_without_javascript_errors_are_tied_to_fields(server, tour, browser):
    """The server-rendered ballot with errors: each field in error names its message."""
    debate = tour["open"]["ru"][1]
    key = _key(server, debate["adjudicators"][2]["id"])
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False, bypass_csp=True)
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/j/{key}/ballot/{debate['id']}")
        page.fill("input[name=score_PM]", "31")
        with page.expect_navigation():  # without JavaScript the review is the server's page
            page.click("button[name=step][value=review]")
        field = page.locator("input[name=score_PM]")
        assert field.get_attribute("aria-invalid") == "true"
        described = field.get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").inner_text().strip()
        assert page.locator("[role=alert]").count() >= 1
    finally:
        ctx.close()


def test_home_login_and_director_pages(server, tour, contexts):
    rid = tour["rid"]
    bad = check_pages(contexts(PHONE), [("home 360", f"{server.url}/?lang=kk"),
                                        ("login 360", f"{server.url}/login?lang=kk")])
    bad += check_pages(contexts(LAPTOP), [("home 1366", f"{server.url}/?lang=kk"),
                                          ("login 1366", f"{server.url}/login?lang=ru")])
    ctx = contexts(LAPTOP, login=server.url)
    pages = []
    for lang in LANGS:
        pages += [(f"director overview {lang}", f"{server.url}/t/1/?lang={lang}"),
                  (f"director round {lang}", f"{server.url}/t/1/rounds/{rid}/?lang={lang}"),
                  (f"director results {lang}", f"{server.url}/t/1/rounds/{rid}/results?lang={lang}"),
                  (f"director settings {lang}", f"{server.url}/t/1/edit?lang={lang}")]
    pages.append(("director live en", f"{server.url}/t/1/live?lang=en"))
    bad += check_pages(ctx, pages)
    assert not bad, report(bad)


@pytest.mark.parametrize("lang", LANGS)
def test_projector(server, tour, contexts, lang):
    lid = tour["leagues"][lang]
    views = ("draw", "motion", "standings", "bracket")
    bad = check_pages(contexts(PROJECTOR), [(f"projector {v} {lang}", f"{server.url}/p/1/l/{lid}/projector?view={v}")
                                            for v in views])
    assert not bad, report(bad)


# ----- structure that axe does not judge -----

def test_structure_one_h1_landmarks_and_languages(server, tour, contexts):
    lid_kk, lid_en = tour["leagues"]["kk"], tour["leagues"]["en"]
    page = contexts(LAPTOP).new_page()
    try:
        for url in (f"/p/1/l/{lid_kk}/draw?lang=en", f"/p/1/l/{lid_kk}/results?lang=ru", f"/p/1/?lang=kk", "/",
                    "/login", f"/p/1/l/{lid_en}/projector?view=draw"):
            page.goto(server.url + url)
            assert one_h1(page) == 1, url
            assert page.locator("main").count() == 1, url
            assert page.locator("html").get_attribute("lang") in LANGS, url
            for th in page.locator("th").all():
                assert th.inner_text().strip() or th.get_attribute("aria-label"), (url, th.inner_html())
        # An English page showing the Kazakh league's motion marks the motion as Kazakh.
        page.goto(f"{server.url}/p/1/l/{lid_kk}/draw?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".motion-text").get_attribute("lang") == "kk"
        assert page.locator("header").count() >= 1 and page.locator("nav").count() >= 1
        assert page.locator("[aria-live]").count() >= 1  # the live status
        assert page.locator("#part-draw").get_attribute("aria-live") == "polite"
    finally:
        page.close()


# ----- keyboard only -----

def _focused(page):
    return page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '', value: e.value || '',
                type: e.type || '', text: (e.innerText || e.value || '').trim().slice(0, 80),
                outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")


def _tab_until(page, match, limit, seen=None):
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = _focused(page)
        if seen is not None:
            seen.append(f)
        if match(f):
            return f
    raise AssertionError(f"not reached by Tab in {limit} presses")


def test_keyboard_only_ballot(server, tour, contexts):
    debate = tour["open"]["en"][1]
    adj = debate["adjudicators"][0]
    key = _key(server, adj["id"])
    page = contexts(PHONE).new_page()
    try:
        page.goto(f"{server.url}/j/{key}?lang=en")
        # From the top of the adjudicator's page to the ballot, by keyboard.
        f = _tab_until(page, lambda f: "/ballot/" in (page.evaluate("document.activeElement.href") or ""), 30)
        assert f["outline"], "the ballot link shows no focus outline"
        page.keyboard.press("Enter")
        page.wait_for_url("**/ballot/**")
        seen = []
        marks = {"PM": "28", "MG": "27.5", "LO": "27", "MO": "26"}
        # A mistake first: an out-of-range mark, then Review; focus goes to the field in error.
        _tab_until(page, lambda f: f["name"] == "score_PM", 30, seen)
        page.keyboard.type("35")
        for role in ("MG", "LO", "MO"):
            _tab_until(page, lambda f, r=role: f["name"] == f"score_{r}", 5, seen)
            page.keyboard.type(marks[role])
        _tab_until(page, lambda f: f["name"] == "winner", 5, seen)
        page.keyboard.press("Space")  # the first choice: Government
        _tab_until(page, lambda f: f["id"] == "review-btn", 6, seen)
        page.keyboard.press("Enter")
        f = _focused(page)
        assert f["name"] == "score_PM", f
        assert page.locator("input[name=score_PM]").get_attribute("aria-invalid") == "true"
        assert page.locator("#form-errors[role=alert]").inner_text().strip()
        page.keyboard.press("Control+A")
        page.keyboard.type(marks["PM"])
        _tab_until(page, lambda f: f["id"] == "review-btn", 12, seen)
        assert all(s["outline"] for s in seen), [s for s in seen if not s["outline"]]
        page.keyboard.press("Enter")
        f = _focused(page)
        assert f["id"] == "send-btn", f  # review → the send button
        assert "Government wins, 55.5 to 53" in page.inner_text("#review-text")
        page.keyboard.press("Enter")
        page.wait_for_selector(".sent")
        assert page.locator(".sent").get_attribute("role") == "status"
        rows = server.sql("SELECT winner FROM ballots WHERE debate_id = ? AND adjudicator_id = ?", debate["id"], adj["id"])
        assert rows == [("gov",)]
    finally:
        page.close()


def test_keyboard_reaches_the_round_page_controls(server, tour, contexts):
    # The tour's round has confirmed results, so it is locked (no edit controls): unlock it for the walk.
    tok = server.token()
    assert server.api("POST", f"/rounds/{tour['rid']}/unlock", {"reason": "keyboard walk"}, token=tok)[0] == 200
    page = contexts(LAPTOP, login=server.url).new_page()
    try:
        page.goto(f"{server.url}/t/1/rounds/{tour['rid']}/?lang=en")
        page.keyboard.press("Tab")
        first = _focused(page)
        assert first["text"] == "Skip to content", first
        seen = [first]
        _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Move", 1500, seen)
        texts = [s["text"] for s in seen]
        for control in ("Allocate adjudicators", "Re-assign rooms", "Ballots", "Withdraw: Draw", "Save motion",
                        "Swap sides", "Set room", "Make chair", "Move"):
            assert control in texts, control
        assert any(s["name"] == "text" and s["tag"] == "textarea" for s in seen)  # the motion fields
        missing = [s for s in seen if not s["outline"]]
        assert not missing, missing[:5]
        shot(page, "a11y-director-round-keyboard")
        # Enter on a focused link follows it.
        page.goto(f"{server.url}/t/1/rounds/{tour['rid']}/?lang=en")
        _tab_until(page, lambda f: f["text"] == "Ballots", 60)
        page.keyboard.press("Enter")
        page.wait_for_url("**/results**")
    finally:
        page.close()
        server.api("POST", f"/rounds/{tour['rid']}/lock", {}, token=tok)


# ----- feedback on adjudicators and motion statistics (#21) -----

def test_feedback_and_motion_statistics_pages(server, tour, contexts):
    debate = tour["open"]["kk"][0]
    team_key = server.sql("SELECT private_key FROM teams WHERE id = ?", debate["gov"]["team_id"])[0][0]
    adj = next(a for a in debate["adjudicators"] if a["role"] != "chair")
    key = _key(server, adj["id"])
    lid = tour["leagues"]["kk"]
    bad = check_pages(contexts(PHONE), [
        ("team home kk", f"{server.url}/team/{team_key}"),
        ("team feedback kk", f"{server.url}/team/{team_key}/feedback/{debate['id']}"),
        ("adjudicator feedback list kk", f"{server.url}/j/{key}/feedback"),
        ("adjudicator feedback kk", f"{server.url}/j/{key}/feedback/{debate['id']}"),
        ("motion statistics kk 360", f"{server.url}/p/1/l/{lid}/motions")])
    bad += check_pages(contexts(PROJECTOR), [("motion statistics projector kk",
                                              f"{server.url}/p/1/l/{lid}/motions/projector")])
    bad += check_pages(contexts(LAPTOP, login=server.url), [
        ("director feedback en", f"{server.url}/t/1/feedback/?lang=en"),
        ("director feedback missing ru", f"{server.url}/t/1/feedback/missing?lang=ru"),
        ("director feedback adjudicator kk", f"{server.url}/t/1/feedback/adjudicators/{adj['id']}?lang=kk"),
        ("director team links en", f"{server.url}/t/1/teams/links?lang=en")])
    assert not bad, report(bad)


# ----- the check-in desk, the round unlock page, the adjudicator replace page -----

TABLET = {"width": 768, "height": 1024}


def test_checkin_unlock_and_replace_pages(server, tour, contexts):
    """The desk where registration ticks people in (on a tablet, a laptop and a phone), the page
    that explains an unlock before it is done, and the replacements for an adjudicator who leaves."""
    tok = server.token()
    rid = tour["rid"]
    status, nxt = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)  # not drawn: the desk is open
    assert status == 201, nxt
    debate = tour["open"]["kk"][0]
    leaving = next(a for a in debate["adjudicators"] if a["role"] != "chair")
    bad = []
    for size in (LAPTOP, PHONE, TABLET):
        w = size["width"]
        bad += check_pages(contexts(size, login=server.url), [
            (f"director checkin {w}", f"{server.url}/t/1/rounds/{nxt['id']}/checkin?lang=kk"),
            (f"director checkin drawn {w}", f"{server.url}/t/1/rounds/{rid}/checkin?lang=ru"),
            (f"director unlock {w}", f"{server.url}/t/1/rounds/{rid}/unlock?lang=en")])
    page = contexts(LAPTOP, login=server.url).new_page()
    try:  # the desk after a tap (one person absent) and after a search that finds nobody
        page.goto(f"{server.url}/t/1/rounds/{nxt['id']}/checkin?lang=en")
        item = page.locator(".desk-item").first
        item.locator("button").click()
        page.locator(f"#{item.get_attribute('id')}.absent").wait_for(timeout=15000)
        page.fill("#desk-q", "zzzz-nobody")
        page.locator("#desk-none").wait_for(state="visible")
        vs = axe(page, "director checkin tapped and searched")
        bad += [("director checkin tapped and searched", vs)] if vs else []
        shot(page, "a11y-director-checkin")
    finally:
        page.close()
    # The replacements are planned on an open round only: unlock it for the look, lock it again.
    assert server.api("POST", f"/rounds/{rid}/unlock", {"reason": "accessibility check"}, token=tok)[0] == 200
    try:
        for size in (LAPTOP, PHONE):
            bad += check_pages(contexts(size, login=server.url), [
                (f"director replace {size['width']}",
                 f"{server.url}/t/1/rounds/{rid}/replace?adjudicator_id={leaving['id']}&lang=kk")])
        page = contexts(LAPTOP, login=server.url).new_page()
        try:
            page.goto(f"{server.url}/t/1/rounds/{rid}/replace?adjudicator_id={leaving['id']}&lang=en")
            assert page.locator("table.replace-plan tbody tr").count() >= 1  # the plan is on the page
            shot(page, "a11y-director-replace")
        finally:
            page.close()
    finally:
        server.api("POST", f"/rounds/{rid}/lock", {}, token=tok)
    assert not bad, report(bad)
