"""The address people use (issue 19 item 2): private links, QR sheets, diplomas and appeal sheets
carry the tournament's public address; while it is this computer's own (loopback) address every
printable page and PDF says so, and the dashboard says how to fix it."""
import re
import shutil
import subprocess

import pytest

from .conftest import csrf_token
from .flow import setup_tournament


def _login(client):
    token = csrf_token(client)
    assert client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                       "csrf_token": token}).status_code == 302


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_loopback_address_is_flagged_on_pages_and_pdfs(api, client):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _login(client)
    sheet = client.get(f"/t/{t['id']}/adjudicators/links?lang=en").get_data(as_text=True)
    assert "Phones cannot open http://localhost" in sheet
    assert "Phones cannot open" in client.get(f"/t/{t['id']}/?lang=en").get_data(as_text=True)
    adjs = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()
    assert adjs[0]["private_url"].startswith("http://localhost/j/")
    if shutil.which("pdftotext"):
        text = _pdf_text(client.get(f"/t/{t['id']}/appeals/codes.pdf?lang=en").data)
        assert "Not for handing out" in text and "http://localhost" in text


def test_loopback_warning_links_to_the_public_url_field(api, client):
    """The warning's "Settings" link lands on the public address field (its fragment is an id there)."""
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _login(client)
    dashboard = client.get(f"/t/{t['id']}/?lang=en").get_data(as_text=True)
    href = re.search(r'<a href="(/t/%d/edit#[^"]+)">Settings</a>' % t["id"], dashboard).group(1)
    path, fragment = href.split("#")
    form = client.get(path + "?lang=en").get_data(as_text=True)
    assert f'id="{fragment}"' in form
    field = form[form.index(f'id="{fragment}"'):]
    assert 'name="setting_public_url"' in field[:600]


def test_public_url_setting_is_what_links_carry(api, client):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",),
                            settings={"public_url": "http://192.168.1.20:5000/"})
    _login(client)
    sheet = client.get(f"/t/{t['id']}/adjudicators/links?lang=en").get_data(as_text=True)
    assert "Phones cannot open" not in sheet and "http://192.168.1.20:5000/j/" in sheet
    assert "Phones cannot open" not in client.get(f"/t/{t['id']}/?lang=en").get_data(as_text=True)
    adjs = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()
    assert all(a["private_url"].startswith("http://192.168.1.20:5000/j/") for a in adjs)
    if shutil.which("pdftotext"):
        text = _pdf_text(client.get(f"/t/{t['id']}/appeals/codes.pdf?lang=en").data)
        assert "Not for handing out" not in text and "http://192.168.1.20:5000/appeal/" in text


@pytest.mark.parametrize("value", ["ftp://x", "192.168.1.20", "http://"])
def test_public_url_must_be_an_address(api, value):
    r = api.post("/tournaments", {"name": "Addr cup", "stage": "city", "leagues": [{"language": "kk"}],
                                  "settings": {"public_url": value}})
    assert r.status_code == 422
