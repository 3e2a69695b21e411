"""The audit log in words (issue 22 item 3): each entry says its round, who did it and what, in the
reader's language, and can be filtered by round, person and kind."""
from .conftest import csrf_token
from .flow import setup_tournament


def _login(client):
    token = csrf_token(client)
    assert client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                       "csrf_token": token}).status_code == 302


def test_log_reads_as_words_and_filters(api, client):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=4, rooms=4, leagues=("kk",),
                            settings={"panel_size": 1})
    r1 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{r1['id']}/draw").status_code == 201
    _login(client)
    page = client.get(f"/t/{t['id']}/audit?lang=en").get_data(as_text=True)
    assert "draw generated" in page and "Round 1" in page and "apiuser" in page
    assert "draw_generated round #" not in page  # no codes where words belong
    ru = client.get(f"/t/{t['id']}/audit?lang=ru").get_data(as_text=True)
    assert "жеребьёвка" in ru.lower()
    only_created = client.get(f"/t/{t['id']}/audit?lang=en&kind=round_created").get_data(as_text=True)
    assert "round created" in only_created and "draw generated" not in only_created.split("<tbody>")[1]
    other_round = client.get(f"/t/{t['id']}/audit?lang=en&round=999999").get_data(as_text=True)
    assert "Nothing yet." in other_round
    nobody = client.get(f"/t/{t['id']}/audit?lang=en&person=u999999").get_data(as_text=True)
    assert "Nothing yet." in nobody
