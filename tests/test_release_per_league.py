"""Release per league (issue 18 items 5, 8, 9, 10): each league's draw, motion and results are
released on their own, each motion's countdown starts at its own league's release, spectators
of one league see nothing of another league's unreleased parts and hear nothing of what is not
public; public standings say which rounds they include; a tied nomination is the director's."""
import random
from datetime import datetime, timedelta, timezone

from debate.core.extensions import db
from debate.models import Round
from tests.conftest import csrf_token
from tests.flow import setup_tournament, submit_panel

MOTION = "This House would light every school"


def _lids(t):
    return {lg["language"]: lg["id"] for lg in t["leagues"]}


def _round(api, t):
    lids = _lids(t)
    rnd = api.post(f"/tournaments/{t['id']}/rounds",
                   {"kind": "prelim", "motions": {str(lid): {"text": f"{MOTION} ({lang})"}
                                                  for lang, lid in lids.items()}}).get_json()
    r = api.post(f"/rounds/{rnd['id']}/draw")
    assert r.status_code == 201, r.get_json()
    return rnd, r.get_json()


def _names(draw, lid):
    return {d[s]["name"] for d in draw["debates"] if d["league_id"] == lid for s in ("gov", "opp")}


def _public(client, tid, lid, parts="draw,motion,results"):
    return client.get(f"/p/{tid}/l/{lid}/live.json?parts={parts}&lang=en").get_json()


def test_release_one_league_through_the_api(api, client):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    rnd, draw = _round(api, t)
    r = api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True, "results": False, "league_id": kk})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["released"] is False  # not in every league
    state = {x["league_id"]: x for x in body["release"]}
    assert state[kk]["draw"] is True and state[kk]["motion"] is True and state[kk]["motion_released_at"]
    assert state[ru]["draw"] is False and state[ru]["motion"] is False
    # The kk league's pages and projector show its draw and motion; the ru league's show nothing of either.
    kk_page = _public(client, t["id"], kk)
    html = "".join(p["html"] for p in kk_page["parts"].values())
    assert all(n in html for n in _names(draw, kk)) and f"{MOTION} (kk)" in html
    for url in (f"/p/{t['id']}/l/{ru}/draw?lang=en", f"/p/{t['id']}/l/{ru}/projector?view=cycle&lang=en",
                f"/p/{t['id']}/l/{ru}/projector?view=draw&lang=en", f"/p/{t['id']}/l/{ru}/projector?view=motion&lang=en"):
        text = client.get(url).get_data(as_text=True)
        assert not any(n in text for n in _names(draw, kk) | _names(draw, ru)), url
        assert MOTION not in text, url
    ru_page = _public(client, t["id"], ru)
    assert ru_page["parts"]["draw"]["available"] is False and ru_page["countdown"] is None
    # The public API shows only the released league's debates and motion.
    pub = client.get(f"/api/v1/rounds/{rnd['id']}/draw").get_json()
    assert {d["league_id"] for d in pub["debates"]} == {kk}
    assert set(pub["motions"]) == {str(kk)}
    assert all(b["league_id"] == kk for b in pub["bye"])
    # The whole round: every league.
    assert api.post(f"/rounds/{rnd['id']}/release", {"draw": True}).get_json()["released"] is True
    assert _public(client, t["id"], ru)["parts"]["draw"]["available"] is True


def test_motion_countdown_starts_at_each_leagues_release(api, client, app):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    rnd, _draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    assert api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "league_id": kk}).status_code == 200
    assert _public(client, t["id"], ru, "motion")["parts"]["motion"]["available"] is False
    earlier = datetime.now(timezone.utc) - timedelta(minutes=7)
    with app.app_context():  # kk's motion went out seven minutes ago
        db.session.get(Round, rnd["id"]).league_part(kk).motion_released_at = earlier
        db.session.commit()
    assert api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "league_id": ru}).status_code == 200
    # Releasing for the whole round again restarts no league's countdown.
    assert api.post(f"/rounds/{rnd['id']}/release", {"motion": True}).status_code == 200
    kk_cd = _public(client, t["id"], kk, "motion")["countdown"]
    ru_cd = _public(client, t["id"], ru, "motion")
    assert abs(kk_cd["released_ms"] - int(earlier.timestamp() * 1000)) < 1000
    assert abs(ru_cd["countdown"]["released_ms"] - ru_cd["server_time"]) < 60_000
    assert ru_cd["countdown"]["released_ms"] - kk_cd["released_ms"] > 6 * 60_000


def test_release_values_must_be_booleans(api, client):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk = _lids(t)["kk"]
    rnd, _draw = _round(api, t)
    before = api.get(f"/tournaments/{t['id']}/rounds").get_json()
    for body in ({"draw": "true"}, {"draw": 1}, {"draw": True, "motion": "yes"}, {"results": 0},
                 {"draw": True, "league_id": "kk"}, {"draw": True, "league_id": 99999},
                 {"draw": True, "league_id": True}, {"draw": True, "silent": "no"}):
        r = api.post(f"/rounds/{rnd['id']}/release", body)
        assert r.status_code == 422, (body, r.get_json())
        err = r.get_json()["error"]
        assert err["code"] == "validation_failed" and err["fields"], body
    assert api.get(f"/tournaments/{t['id']}/rounds").get_json() == before  # nothing changed
    assert client.get(f"/api/v1/rounds/{rnd['id']}/draw").status_code == 403
    assert _public(client, t["id"], kk)["parts"]["draw"]["available"] is False


def test_release_one_league_from_the_round_page(api, client, app):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    rnd, draw = _round(api, t)
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    page = f"/t/{t['id']}/rounds/{rnd['id']}/"
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert f'name="league_id" value="{ru}"' in html and "all leagues" in html
    token = csrf_token(client, page)
    r = client.post(page + "release", data={"what": "draw", "value": "1", "league_id": ru, "csrf_token": token})
    assert r.status_code == 302
    r = client.post(page + "release", data={"what": "motion", "value": "1", "league_id": ru, "csrf_token": token})
    assert r.status_code == 302
    assert _public(client, t["id"], kk)["parts"]["draw"]["available"] is False
    ru_page = _public(client, t["id"], ru)
    assert ru_page["parts"]["motion"]["available"] is True and ru_page["countdown"]
    with app.app_context():
        rl = {x.league_id: x for x in db.session.get(Round, rnd["id"]).leagues}
        assert rl[ru].draw_released and rl[ru].motion_released and not rl[kk].draw_released
    # A league that is not the round's: refused, nothing changes.
    r = client.post(page + "release", data={"what": "draw", "value": "1", "league_id": "99999", "csrf_token": token},
                    follow_redirects=True)
    assert r.status_code == 200 and "Unknown league" in r.get_data(as_text=True)
    assert _public(client, t["id"], kk)["parts"]["draw"]["available"] is False
    # The whole round from the page.
    client.post(page + "release", data={"what": "draw", "value": "1", "csrf_token": token})
    assert _public(client, t["id"], kk)["parts"]["draw"]["available"] is True


def test_judge_sees_the_motion_when_their_league_releases_it(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    rnd, draw = _round(api, t)
    d_kk = next(d for d in draw["debates"] if d["league_id"] == kk)
    d_ru = next(d for d in draw["debates"] if d["league_id"] == ru)
    key_kk, key_ru = keys[d_kk["adjudicators"][0]["id"]], keys[d_ru["adjudicators"][0]["id"]]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True, "league_id": kk})
    assert f"{MOTION} (kk)" in client.get(f"/j/{key_kk}").get_data(as_text=True)
    ru_home = client.get(f"/j/{key_ru}").get_data(as_text=True)
    assert d_ru["gov"]["name"] not in ru_home and MOTION not in ru_home  # ru's draw is not out
    assert client.get(f"/j/{key_ru}/ballot/{d_ru['id']}").status_code == 404
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": ru})
    ru_home = client.get(f"/j/{key_ru}").get_data(as_text=True)
    assert d_ru["gov"]["name"] in ru_home and MOTION not in ru_home
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "league_id": ru})
    assert f"{MOTION} (ru)" in client.get(f"/j/{key_ru}").get_data(as_text=True)


def test_results_and_appeal_window_per_league(api, client, app):
    from debate.services import appeals as appeals_svc
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    rnd, draw = _round(api, t)
    rng = random.Random(3)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng, winner="gov"):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"results": True, "league_id": kk})
    assert _public(client, t["id"], kk, "results")["parts"]["results"]["available"] is True
    assert _public(client, t["id"], ru, "results")["parts"]["results"]["available"] is False
    d_ru = next(d for d in draw["debates"] if d["league_id"] == ru)
    d_kk = next(d for d in draw["debates"] if d["league_id"] == kk)
    assert client.get(f"/api/v1/debates/{d_ru['id']}/result").status_code == 403
    assert client.get(f"/api/v1/debates/{d_kk['id']}/result").status_code == 200
    pub = client.get(f"/api/v1/rounds/{rnd['id']}/draw").get_json()
    assert all((d.get("winner") is None) == (d["league_id"] == ru) for d in pub["debates"])
    with app.app_context():
        r = db.session.get(Round, rnd["id"])
        now = datetime.now(timezone.utc)
        assert appeals_svc.window_open(r, now, kk) and appeals_svc.window(r, ru) is None
        assert [x.id for x in appeals_svc.open_rounds(r.tournament, now)] == [r.id]


def test_public_standings_say_which_rounds_they_include(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("en",),
                               settings={"break_size": 2})
    lid = _lids(t)["en"]
    rng = random.Random(8)
    rounds = []
    for n in range(3):
        rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
        draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
        api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
        for d in draw["debates"]:
            for bid in submit_panel(client, d, keys, rng):
                assert api.post(f"/ballots/{bid}/confirm").status_code == 200
        body = {"draw": True, "results": True} if n < 2 else {"draw": True, "results": True, "silent": True}
        assert api.post(f"/rounds/{rnd['id']}/release", body).status_code == 200
        rounds.append(rnd)
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True,
                                                 "bracket": True})
    for part in ("standings", "speakers"):
        html = client.get(f"/p/{t['id']}/l/{lid}/{part}?lang=en").get_data(as_text=True)
        assert "After round 2." in html, part
        assert "Round 3 is silent: its results are not included." in html, part
    assert api.post(f"/leagues/{lid}/break", {"size": 2}).status_code == 201
    html = client.get(f"/p/{t['id']}/l/{lid}/bracket?lang=en").get_data(as_text=True)
    assert "The break used the results of every preliminary round." in html
    assert "Round 3 counted too" in html
    ru = client.get(f"/p/{t['id']}/l/{lid}/standings?lang=ru").get_data(as_text=True)
    assert "After round" not in ru  # translated


def test_a_tied_nomination_is_put_to_the_director(api, client, app):
    """Two speakers with as many nominations and as many points: preparing the documents is
    refused (409, with both names) until the director chooses; never the lowest id."""
    import uuid
    from sqlalchemy import select
    from debate.models import Award
    from debate.services import awards as awards_svc
    from debate.services.errors import Refused
    from debate.models import Tournament
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=4, leagues=("en",))
    teams = {tm["id"]: tm for tm in api.get(f"/tournaments/{t['id']}/teams").get_json()}
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    assert len({len(d["adjudicators"]) for d in draw["debates"]}) == 1  # equal panels: equal counts
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    pms = []
    for d in draw["debates"]:
        gov, opp = teams[d["gov"]["team_id"]]["speakers"], teams[d["opp"]["team_id"]]["speakers"]
        pms.append(gov[0])
        for adj in d["adjudicators"]:
            r = client.post("/api/v1/ballots", headers={"X-Adjudicator-Key": keys[adj["id"]]}, json={
                "debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": "gov",
                "scores": {"PM": 27, "MG": 26.5, "LO": 25, "MO": 25},
                "nominations": {"orator": gov[0]["id"], "analyst": opp[0]["id"]}})
            assert r.status_code == 201, r.get_json()
            assert api.post(f"/ballots/{r.get_json()['id']}/confirm").status_code == 200
    lid = _lids(t)["en"]
    with app.app_context():
        tour = db.session.get(Tournament, t["id"])
        nom = awards_svc.nominee(tour.leagues[0], "orator")
        assert nom.tied and nom.speaker is None and {s.id for s in nom.top} == {p["id"] for p in pms}
        try:
            awards_svc.sync_awards(tour)
            raise AssertionError("a tie must be refused")
        except Refused as e:
            assert e.status == 409 and e.code == "nomination_tie"
            assert set(e.params["names"]) == {p["name"] for p in pms}
        db.session.rollback()
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": csrf_token(client)})
    page = f"/t/{t['id']}/awards"
    html = client.get(page + "?lang=en").get_data(as_text=True)
    assert "tied: please choose" in html and all(p["name"] in html for p in pms)
    r = client.post(page + "/prepare", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "is tied between" in text and all(p["name"] in text for p in pms)
    with app.app_context():
        assert db.session.scalars(select(Award)).all() == []  # nothing issued
    # The director chooses the higher id (not the lowest) for both; then the documents go out.
    chosen = max(pms, key=lambda p: p["id"])
    token = csrf_token(client, page)
    for kind in ("orator", "analyst"):
        with app.app_context():
            top = awards_svc.nominee(db.session.get(Tournament, t["id"]).leagues[0], kind).top
            sid = chosen["id"] if kind == "orator" else max(s.id for s in top)
        client.post(f"{page}/leagues/{lid}/nominee", data={"kind": kind, "speaker_id": sid, "csrf_token": token})
    r = client.post(page + "/prepare", data={"csrf_token": token})
    assert r.status_code == 302
    with app.app_context():
        orators = db.session.scalars(select(Award).where(Award.kind == "orator")).all()
        assert [a.speaker_id for a in orators] == [chosen["id"]]
