"""Issue 17 item 12: every POST form route of the url_map, posted random strings, integers,
huge numbers and absurd ids by a signed-in director, answers below 500.

Property-based (hypothesis, derandomized so CI sees the same cases); 10 examples per route,
a few seconds per route at most (FUZZ_FORM_EXAMPLES raises it for a longer local run)."""
import inspect
import os
import random
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from debate.core.extensions import db
from debate.models import TournamentMember
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament

EXAMPLES = int(os.environ.get("FUZZ_FORM_EXAMPLES", "10"))
SKIP = {"auth.logout", "auth.login", "static"}
FIELDS = ["action", "adjudicator_id", "client_id", "debate_id", "decision", "how", "info_slide", "kind", "message",
          "n", "password", "regenerate", "role", "silent", "size", "speaker_id", "step", "target_id", "team_a",
          "team_b", "text", "username", "value", "what", "winner", "include", "name", "league_id", "league",
          "school", "region", "rural", "coach", "coach_contact", "speaker1", "speaker2", "speaker1_grade",
          "seed_rank", "languages", "rating", "contact", "priority", "accessible", "available", "needs_access",
          "stage", "start_date", "end_date", "venue", "score_PM", "score_MG", "score_LO", "score_MO", "reason",
          "team_id", "code", "filed_by", "status", "lang_kk", "setting_panel_size", "setting_break_size",
          "setting_speaker_score_min", "setting_hide_panels_public", "setting_draw_method", "round_id"]

NUMBERS = st.sampled_from(["abc", "", "-1", "0", "1", "2", "3", "1e400", "nan", "inf", "1.5", "-99999999999",
                           "9" * 30, "9" * 5000, "2147483648", "0x10", " 7 ", "٣"])
TEXT = st.text(max_size=40) | st.text(min_size=300, max_size=400) | NUMBERS
VALUES = st.one_of(TEXT, st.integers(min_value=-10**40, max_value=10**40).map(str), NUMBERS,
                   st.lists(NUMBERS, min_size=2, max_size=3))
STATS = {}


def _fields_of(view) -> list[str]:
    """The form fields a view reads (its own source, and the form helpers of views/forms.py it uses)."""
    src = inspect.getsource(view)
    if "forms." in src or "_form" in src:
        src += inspect.getsource(inspect.getmodule(view))
    names = set(re.findall(r"""form\.(?:get|getlist)\(\s*f?["']([A-Za-z_0-9{}]+)["']""", src))
    names = {n.replace("{r}", "PM").replace("{n}", "1").replace("{key}", "panel_size").replace("{k}", "orator")
             for n in names}
    return sorted(names) or FIELDS


def _forms(fields):
    return st.dictionaries(st.sampled_from(fields), VALUES, max_size=8) | \
        st.fixed_dictionaries({f: VALUES for f in fields[:12]})


@pytest.fixture
def played(app, api, client, login):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=4, rooms=3, settings={"panel_size": 1},
                               leagues=("kk",))
    rnd, draw = run_prelim_round(api, client, t, keys, random.Random(2))
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    return t, keys, rnd, draw


def _url(rule, ids):
    def fill(m):
        conv, name = m.group(1) or "", m.group(2)
        if conv.startswith("any("):
            return conv[4:-1].split(",")[0].strip()
        return str(ids.get(name, 1))
    return re.sub(r"<(?:([^:<>]+):)?([a-z_]+)>", fill, rule)


def test_every_form_route_answers_below_500(app, client, played):
    t, keys, rnd, draw = played
    d = draw["debates"][0]
    ids = {"tid": t["id"], "rid": rnd["id"], "did": d["id"], "lid": t["leagues"][0]["id"], "oid": 1, "aid": 1,
           "bid": 1, "pid": 1, "uid": 1, "key": next(iter(keys.values()))}
    token = csrf_token(client, f"/t/{t['id']}/edit")
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in SKIP
             and not r.rule.startswith("/api/")]
    assert len(rules) >= 30
    failures = {}
    for rule in rules:
        urls = [_url(rule.rule, ids), _url(rule.rule, {k: ("9" * 30 if k != "key" else "x") for k in ids})]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(form=_forms(_fields_of(app.view_functions[rule.endpoint])), which=st.sampled_from([0, 0, 0, 1]))
        def post(form, which):
            try:
                r = client.post(urls[which], data={**form, "csrf_token": token})
            except Exception as e:  # TESTING propagates what would be a 500
                failures.setdefault(rule.endpoint, f"{urls[which]} {form!r:.300} -> {type(e).__name__}: {e}"[:600])
                raise
            STATS[r.status_code] = STATS.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                failures.setdefault(rule.endpoint, f"{urls[which]} {form!r:.300} -> {r.status_code}")
            assert r.status_code < 500

        try:
            post()
        except Exception:
            pass
    assert not failures, f"{len(failures)} form routes gave 5xx:\n" + "\n".join(failures.values())
