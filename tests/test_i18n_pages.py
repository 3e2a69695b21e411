"""Every page, rendered in Kazakh and in Russian, shows no untranslated English.

The test crawls every GET route of the app (so pages added later are covered without
editing it) with the ids of a tournament taken through a round, and looks in the visible
text for English: runs of lowercase Latin words, and any English UI string whose translation
differs. Data in another language (a motion of the English league, team names) sits in
elements marked with lang= and is skipped, as are code, script and style.
"""
import random
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from werkzeug.routing import AnyConverter

from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament

SKIP_TAGS = {"script", "style", "code", "textarea", "option", "select"}
ROOT_CATALOGS = "debate/translations/{}/LC_MESSAGES/messages.po"


class VisibleText(HTMLParser):
    def __init__(self, page_lang):
        super().__init__()
        self.page_lang, self.stack, self.parts = page_lang, [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            return
        attrs = dict(attrs)
        other_lang = attrs.get("lang") not in (None, self.page_lang)
        self.stack.append(tag in SKIP_TAGS or other_lang or "hidden" in attrs)

    def handle_endtag(self, tag):
        if self.stack and tag not in ("br", "img", "input", "meta", "link", "hr", "wbr", "source"):
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)

    def text(self):
        return " ".join(" ".join(self.parts).split())


def _english_strings(lang):
    with open(ROOT_CATALOGS.format(lang), "rb") as f:
        cat = read_po(f)
    out = set()
    for m in cat:
        if m.id and isinstance(m.id, str) and m.string and m.string != m.id:
            plain = re.sub(r"%\(\w+\)s", "", m.id).strip()
            if len(plain.split()) >= 2 and re.search(r"[a-z]{3}", plain):
                out.add(plain)
    return out


@pytest.fixture
def site(app, api, client):
    """A tournament through one confirmed round, a second drawn, everything released."""
    rng = random.Random(3)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=15, rooms=6)
    lid = t["leagues"][0]["id"]
    api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"})
    r1, draw1 = None, None
    rnd = api.get(f"/tournaments/{t['id']}/rounds").get_json()[0]
    draw1 = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    from tests.flow import submit_panel
    for d in draw1["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            api.post(f"/ballots/{bid}/confirm")
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    r2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim", "motions": {
        str(lid): {"text": "Бұл палата үй тапсырмасын жояды"}}}).get_json()
    draw2 = api.post(f"/rounds/{r2['id']}/draw").get_json()
    api.post(f"/rounds/{r2['id']}/release", {"draw": True, "motion": True})
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True, "bracket": True})
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": csrf_token(client)})
    d = draw2["debates"][0]
    adj = d["adjudicators"][0]
    teams = api.get(f"/tournaments/{t['id']}/teams").get_json()
    ballot = api.get(f"/debates/{draw1['debates'][0]['id']}/result").get_json()["ballots"][0]
    data = {lg["name"] for lg in t["leagues"]} | {"apiuser", t["name"]}
    data |= {tm["name"] for tm in teams} | {sp["name"] for tm in teams for sp in tm["speakers"]}
    values = {"_data": data, "tid": t["id"], "lid": lid, "rid": r2["id"], "did": d["id"], "aid": adj["id"], "key": keys[adj["id"]],
              "bid": ballot["id"], "oid": teams[0]["id"]}
    return values


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")) or rule.endpoint == "static":
            continue
        args = {}
        for name in rule.arguments:
            conv = rule._converters.get(name)
            if isinstance(conv, AnyConverter):
                args[name] = sorted(conv.items)[0]
            elif name in values:
                args[name] = values[name]
            else:
                args[name] = 1
        try:
            _, url = rule.build(args)
        except Exception:  # a rule this crawl cannot fill in
            continue
        yield rule.rule, url


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_untranslated_english_on_any_page(app, client, site, lang):
    english = _english_strings(lang)
    client.get(f"/?lang={lang}")  # the visitor's choice, remembered in a cookie
    checked, problems = 0, []
    for rule, url in _urls(app, site):
        r = client.get(url)
        if r.status_code != 200 or not r.mimetype == "text/html":
            continue
        checked += 1
        parser = VisibleText(lang)
        parser.feed(r.get_data(as_text=True))
        text = parser.text()
        for value in sorted(site["_data"], key=len, reverse=True):  # names are data, not UI text
            text = text.replace(value, " ")
        runs = [r for r in re.findall(r"\b[a-z]{2,}(?: [a-z]{2,})+\b", text)
                if not set(r.split()) <= {"kk", "ru", "en"}]  # language codes
        found = [s for s in english if s in text]
        if runs or found:
            problems.append(f"{rule} ({url}): {sorted(set(runs))[:5]} {sorted(found)[:5]}")
    assert checked >= 15, f"only {checked} pages rendered"
    assert not problems, "English on pages:\n" + "\n".join(problems)
