"""Problem reports (issue 22 item 7): the tab room sees the room, the debate and the time of a report
and answers it from the dashboard; the adjudicator sees the answer on their page."""
import re

from .conftest import csrf_token
from .flow import setup_tournament


def _login(client):
    token = csrf_token(client)
    assert client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                       "csrf_token": token}).status_code == 302


def _token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_report_shows_where_and_can_be_answered(api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    assert api.post(f"/rounds/{rnd['id']}/release", {"draw": True}).status_code == 200
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    home = client.get(f"/j/{key}?lang=en").get_data(as_text=True)
    r = client.post(f"/j/{key}/problem", data={"message": "No timekeeper here", "csrf_token": _token(home)})
    assert r.status_code == 302
    _login(client)
    for url in (f"/t/{t['id']}/live?lang=en", f"/t/{t['id']}/rounds/{rnd['id']}/results?lang=en"):
        page = client.get(url).get_data(as_text=True)
        if "No timekeeper here" not in page:
            continue
        assert f"Room {d['room']['name']}" in page and d["gov"]["name"] in page and "Round 1" in page
    dash = client.get(f"/t/{t['id']}/live?lang=en").get_data(as_text=True)
    assert "No timekeeper here" in dash and f"Room {d['room']['name']}" in dash
    pid = re.search(r'/problems/(\d+)/answer', dash).group(1)
    r = client.post(f"/t/{t['id']}/problems/{pid}/answer", data={"answer": "Coming to your room",
                                                                   "csrf_token": _token(dash)})
    assert r.status_code == 302
    assert "No timekeeper here" not in client.get(f"/t/{t['id']}/live?lang=en").get_data(as_text=True)
    client.get("/logout")
    assert "Coming to your room" in client.get(f"/j/{key}?lang=en").get_data(as_text=True)


def test_answer_needs_text_and_a_real_report(api, client):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _login(client)
    dash = client.get(f"/t/{t['id']}/live?lang=en").get_data(as_text=True)
    r = client.post(f"/t/{t['id']}/problems/999999/answer", data={"answer": "x", "csrf_token": _token(dash)},
                    follow_redirects=True)
    assert r.status_code == 200 and "This report no longer exists." in r.get_data(as_text=True)
