"""The tournament's name per language (issue 19 item 6): pages and documents in a language show
the name in that language; the API takes and returns `names`."""
import shutil
import subprocess

from .conftest import csrf_token

NAMES = {"kk": "Ұлттық турнир", "ru": "Национальный турнир", "en": "National Tournament"}


def test_names_in_api_pages_and_pdf(api, client):
    r = api.post("/tournaments", {"name": "Base name", "stage": "republican", "names": NAMES,
                                  "leagues": [{"language": "kk"}, {"language": "ru"}]})
    assert r.status_code == 201, r.get_json()
    t = r.get_json()
    assert t["names"] == NAMES
    assert api.get(f"/tournaments/{t['id']}").get_json()["names"] == NAMES
    lid_ru = next(lg["id"] for lg in t["leagues"] if lg["language"] == "ru")
    page = client.get(f"/p/{t['id']}/?lang=ru").get_data(as_text=True)
    assert "Национальный турнир" in page and "Ұлттық турнир" not in page
    assert "Ұлттық турнир" in client.get(f"/p/{t['id']}/?lang=kk").get_data(as_text=True)
    api.post(f"/tournaments/{t['id']}/teams", [{"league_id": lid_ru, "name": "Команда", "school": {
        "name": "Школа", "region": "astana"}, "speakers": [{"name": "А"}, {"name": "Б"}]}])
    token = csrf_token(client)
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": token})
    if shutil.which("pdftotext"):
        pdf = client.get(f"/t/{t['id']}/appeals/codes.pdf?lang=kk").data
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Национальный турнир" in text  # the ru league's slip is in Russian


def test_a_missing_language_falls_back_and_bad_names_are_refused(api):
    r = api.post("/tournaments", {"name": "Only base", "stage": "city", "names": {"ru": "Городской"},
                                  "leagues": [{"language": "kk"}]})
    assert r.get_json()["names"] == {"kk": "Only base", "ru": "Городской", "en": "Only base"}
    for bad in ({"xx": "x"}, {"kk": 5}, ["kk"], {"kk": "x" * 201}):
        r = api.post("/tournaments", {"name": "Bad", "stage": "city", "names": bad, "leagues": [{"language": "kk"}]})
        assert r.status_code == 422, (bad, r.get_json())
