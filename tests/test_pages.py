"""The director's pages, through the real forms."""
from tests.conftest import csrf_token


def test_create_tournament_through_form(client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Қала кезеңі", "stage": "city",
                                    "league_kk": "1", "league_kk_name": "Қазақ лигасы", "league_ru": "1",
                                    "setting_panel_size": "3", "setting_allow_low_point_win_present": "1"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Қала кезеңі" in page and "Қазақ лигасы" in page and "Русская лига" in page


def test_tournament_form_shows_errors_and_keeps_input(client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new?lang=en", data={"csrf_token": token, "name": "Keep me", "stage": "city",
                                            "setting_panel_size": "4"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Keep me" in html and "odd number" in html


def _make(client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Cup", "stage": "republican",
                                    "league_kk": "1", "league_ru": "1", "league_en": "1"})
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_add_edit_delete_team_through_pages(client, login):
    tid = _make(client, login)
    form = client.get(f"/t/{tid}/teams/new").get_data(as_text=True)
    import re
    league_id = re.search(r'name="league_id"><option value="(\d+)"', form).group(1)
    token = csrf_token(client, f"/t/{tid}/teams/new")
    base = {"csrf_token": token, "league_id": league_id, "name": "Астана «Тұлпар»", "school": "№5 мектеп",
            "region": "astana", "coach": "Айгүл", "speaker1": "Әлия", "speaker2": ""}
    r = client.post(f"/t/{tid}/teams/new?lang=kk", data=base)
    assert r.status_code == 422
    assert "Астана «Тұлпар»" in r.get_data(as_text=True)  # typed input kept
    r = client.post(f"/t/{tid}/teams/new", data={**base, "speaker2": "Дәулет"})
    assert r.status_code == 302
    listing = client.get(f"/t/{tid}/teams/").get_data(as_text=True)
    assert "Әлия" in listing and "Дәулет" in listing
    team_id = re.search(rf'/t/{tid}/teams/(\d+)/edit', listing).group(1)
    r = client.post(f"/t/{tid}/teams/{team_id}/edit", data={**base, "speaker2": "Ерасыл", "name": "Астана-2"})
    assert r.status_code == 302
    assert "Ерасыл" in client.get(f"/t/{tid}/teams/").get_data(as_text=True)
    r = client.post(f"/t/{tid}/teams/{team_id}/delete", data={"csrf_token": token})
    assert r.status_code == 302
    assert "Ерасыл" not in client.get(f"/t/{tid}/teams/").get_data(as_text=True)


def test_adjudicator_and_room_forms(client, login):
    tid = _make(client, login)
    token = csrf_token(client, f"/t/{tid}/adjudicators/new")
    r = client.post(f"/t/{tid}/adjudicators/new", data={"csrf_token": token, "name": "Гүлнар", "rating": "7,5"})
    assert r.status_code == 422  # no language chosen
    r = client.post(f"/t/{tid}/adjudicators/new", data={"csrf_token": token, "name": "Гүлнар", "rating": "7,5",
                                                        "languages": ["kk", "ru"], "available": "1"})
    assert r.status_code == 302
    assert "KK, RU" in client.get(f"/t/{tid}/adjudicators/").get_data(as_text=True)
    r = client.post(f"/t/{tid}/rooms/new", data={"csrf_token": token, "name": "201", "priority": "2",
                                                 "accessible": "1", "available": "1"})
    assert r.status_code == 302
    assert "201" in client.get(f"/t/{tid}/rooms/").get_data(as_text=True)


def test_reissued_key_cuts_off_the_old_link(client, login, app):
    tid = _make(client, login)
    token = csrf_token(client, f"/t/{tid}/adjudicators/new")
    client.post(f"/t/{tid}/adjudicators/new", data={"csrf_token": token, "name": "A", "languages": ["en"],
                                                    "available": "1"})
    from debate.core.extensions import db
    from debate.models import Adjudicator
    with app.app_context():
        adj = db.session.query(Adjudicator).one()
        old, aid = adj.private_key, adj.id
    assert client.get(f"/j/{old}").status_code == 200
    client.post(f"/t/{tid}/adjudicators/{aid}/reissue-key", data={"csrf_token": token})
    assert client.get(f"/j/{old}").status_code == 404
    assert client.get("/j/guessed-key").status_code == 404


def test_printable_qr_sheet_has_every_private_link(client, login, app):
    tid = _make(client, login)
    token = csrf_token(client, f"/t/{tid}/adjudicators/new")
    for name in ("Гүлнар", "Ержан"):
        client.post(f"/t/{tid}/adjudicators/new", data={"csrf_token": token, "name": name, "languages": ["kk"],
                                                        "available": "1"})
    from debate.core.extensions import db
    from debate.models import Adjudicator
    with app.app_context():
        keys = [a.private_key for a in db.session.query(Adjudicator).all()]
    html = client.get(f"/t/{tid}/adjudicators/links").get_data(as_text=True)
    assert all(f"/j/{k}" in html for k in keys)
    assert html.count("data:image/svg+xml;base64,") == 2
    assert html.index("Гүлнар") < html.index("Ержан")  # Kazakh alphabetical order: г before е
