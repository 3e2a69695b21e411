"""Live pages in Chromium against gunicorn: a phone and a projector watch results and standings
appear without a reload when the director confirms and releases; the motion countdown; the
director's dashboard hears ballots arrive; nothing scrolls sideways at 360 px."""
import uuid

import pytest

from tests.browser.conftest import PHONE, PROJECTOR, login, no_sideways_scroll, shot

MOTIONS = {"1": {"text": "Бұл палата мектептерде ұялы телефонға тыйым салар еді"},
           "2": {"text": "Эта палата запретила бы домашние задания"},
           "3": {"text": "This House would lower the voting age to 16",
                 "info_slide": "In Kazakhstan the voting age is 18."}}


@pytest.fixture(scope="module")
def live(server):
    tok = server.token()
    status, rnd = server.api("POST", "/tournaments/1/rounds", {"kind": "prelim", "motions": MOTIONS}, token=tok)
    assert status == 201, rnd
    status, draw = server.api("POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    keys = dict(server.sql("SELECT id, private_key FROM adjudicators"))
    return {"token": tok, "round": rnd, "draw": draw, "keys": keys}


def _league_debates(live, league_id):
    return [d for d in live["draw"]["debates"] if d["league_id"] == league_id]


def _submit(server, live, debate, winner):
    ids = []
    for adj in debate["adjudicators"]:
        scores = {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26} if winner == "gov" else \
            {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}
        status, b = server.api("POST", "/ballots", {"debate_id": debate["id"], "client_id": str(uuid.uuid4()),
                                                    "winner": winner, "scores": scores},
                               headers={"X-Adjudicator-Key": live["keys"][adj["id"]]})
        assert status == 201, b
        ids.append(b["id"])
    return ids


def _confirm(server, live, ids):
    for bid in ids:
        status, body = server.api("POST", f"/ballots/{bid}/confirm", token=live["token"])
        assert status == 200, body


def _mark_no_reload(page):
    page.evaluate("window.__sameDocument = 'yes'")


def _still_same_document(page):
    return page.evaluate("window.__sameDocument") == "yes"


def _wait_live(page):
    page.wait_for_selector("#live-status[data-state=live]", timeout=20000)
    page.wait_for_function("() => Number(document.documentElement.dataset.liveFetches || 0) >= 1", timeout=20000)


def test_draw_and_motion_appear_live_on_phone_and_projector(server, browser, live):
    rid = live["round"]["id"]
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{server.url}/p/1/l/3/draw")
    _wait_live(phone)
    assert "The draw has not been released yet." in phone.inner_text("#part-draw")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(f"{server.url}/p/1/l/1/projector?view=draw")
    _wait_live(projector)
    assert projector.locator("html").get_attribute("lang") == "kk"
    _mark_no_reload(phone)
    _mark_no_reload(projector)
    fetches = phone.evaluate("document.documentElement.dataset.liveFetches")

    server.api("POST", f"/rounds/{rid}/release", {"draw": True}, token=live["token"])
    first = _league_debates(live, 3)[0]
    phone.wait_for_function("t => document.querySelector('#part-draw').innerText.includes(t)",
                            arg=first["gov"]["name"], timeout=20000)
    # The phone's page (the draw, in its league's language) got the draw with the event itself.
    assert phone.evaluate("document.documentElement.dataset.livePushed") == "1"
    assert phone.evaluate("document.documentElement.dataset.liveFetches") == fetches
    kk_first = _league_debates(live, 1)[0]
    projector.wait_for_function("t => document.querySelector('#part-draw').innerText.includes(t)",
                                arg=kk_first["opp"]["name"], timeout=20000)
    assert "This House would lower" not in phone.inner_text("#part-draw")  # motion not yet released

    server.api("POST", f"/rounds/{rid}/release", {"motion": True}, token=live["token"])
    phone.wait_for_selector("#part-draw .motion-text", timeout=20000)
    assert "lower the voting age" in phone.inner_text("#part-draw .motion-text")
    projector.wait_for_selector("#part-draw .countdown", timeout=20000)
    assert _still_same_document(phone) and _still_same_document(projector)
    assert no_sideways_scroll(phone)
    shot(phone, "phone-live-draw-en")
    shot(projector, "projector-draw-kk")

    motion = browser.new_page(viewport=PROJECTOR)
    motion.goto(f"{server.url}/p/1/l/3/projector?view=motion")
    motion.wait_for_function("() => /^1[45]:[0-5][0-9]$/.test(document.querySelector('.countdown').textContent.trim())",
                             timeout=20000)
    size = motion.evaluate("parseFloat(getComputedStyle(document.querySelector('.motion-text')).fontSize)")
    assert size >= 60  # readable from the back of a hall
    shot(motion, "projector-motion-en")
    for p in (phone, projector, motion):
        p.close()


def test_results_and_standings_change_without_reload(server, browser, live):
    rid = live["round"]["id"]
    # Results visible as they are confirmed, standings released from the start.
    server.api("POST", f"/rounds/{rid}/release", {"draw": True, "results": True}, token=live["token"])
    server.api("POST", "/tournaments/1/release", {"team_standings": True}, token=live["token"])
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{server.url}/p/1/l/2/results")
    _wait_live(phone)
    assert phone.locator("html").get_attribute("lang") == "ru"
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(f"{server.url}/p/1/l/2/projector?view=standings&lang=en")
    _wait_live(projector)
    wins_before = projector.evaluate(
        "Array.from(document.querySelectorAll('#part-standings tbody tr td:nth-child(3)')).map(td => +td.textContent)")
    assert wins_before and sum(wins_before) == 0
    _mark_no_reload(phone)
    _mark_no_reload(projector)

    debate = _league_debates(live, 2)[0]
    _confirm(server, live, _submit(server, live, debate, "opp"))

    phone.wait_for_selector("#part-results .team.opp.won", timeout=20000)
    assert debate["opp"]["name"] in phone.inner_text("#part-results .team.opp.won")
    projector.wait_for_function(
        "() => Array.from(document.querySelectorAll('#part-standings tbody tr td:nth-child(3)'))"
        ".reduce((a, td) => a + Number(td.textContent), 0) === 1", timeout=20000)
    top = projector.inner_text("#part-standings tbody tr:first-child")
    assert debate["opp"]["name"] in top
    assert _still_same_document(phone) and _still_same_document(projector)
    assert no_sideways_scroll(phone)
    assert projector.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # All 20 teams of the league fit on the 1080-pixel screen (the projector never scrolls).
    assert projector.evaluate("document.querySelector('#part-standings tbody tr:last-child')"
                              ".getBoundingClientRect().bottom <= window.innerHeight")
    shot(phone, "phone-live-results-ru")
    shot(projector, "projector-standings-ru")
    phone.close()
    projector.close()


def test_phone_pages_fit_360(server, browser, live):
    server.api("POST", "/tournaments/1/release", {"team_standings": True, "speaker_standings": True, "bracket": True},
               token=live["token"])
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for part in ("draw", "results", "standings", "speakers", "bracket"):
        page.goto(f"{server.url}/p/1/l/1/{part}")
        assert no_sideways_scroll(page), part
    shot(page, "phone-live-bracket-kk")
    page.goto(f"{server.url}/p/1/l/1/speakers")
    shot(page, "phone-live-speakers-kk")
    page.goto(f"{server.url}/p/1/")
    assert no_sideways_scroll(page)
    shot(page, "phone-tournament-kk")
    # A spectator arriving at the site finds the tournament, its leagues' live pages and projectors.
    page.goto(f"{server.url}/")
    assert no_sideways_scroll(page)
    page.click("a.league-link[href='/p/1/l/3/draw']")
    page.wait_for_url("**/p/1/l/3/draw")
    page.go_back()
    assert page.locator("a[href='/p/1/']").count() == 1
    assert page.locator("a[href='/p/1/l/1/projector?view=cycle']").count() == 1
    shot(page, "phone-home")
    page.close()
    cycle = browser.new_page(viewport=PROJECTOR)
    cycle.goto(f"{server.url}/p/1/l/3/projector?view=cycle&every=5")
    _wait_live(cycle)
    first = cycle.evaluate("document.body.dataset.showing")
    cycle.wait_for_function("s => document.body.dataset.showing !== s", arg=first, timeout=25000)  # every 5 s
    cycle.close()


def test_director_dashboard_hears_ballots(server, browser, live):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, server)
    page.goto(f"{server.url}/t/1/live")
    _wait_live(page)
    debate = _league_debates(live, 3)[1]
    name = debate["adjudicators"][0]["name"]
    row = f"li[data-debate='{debate['id']}']"
    assert name in page.inner_text(f"{row} .owed")
    _mark_no_reload(page)
    _submit(server, live, debate, "gov")
    page.wait_for_function("s => !document.querySelector(s + ' .owed')", arg=row, timeout=20000)
    assert "Complete, to confirm" in page.inner_text(row)
    assert _still_same_document(page)
    shot(page, "director-live-dashboard")
    page.close()
