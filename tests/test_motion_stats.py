"""Motion statistics (#21) against an independent count made here from the raw ballots: per
league and motion, debates, government and opposition wins, the average margin and split
decisions, for released rounds only; on the public page, the projector and in the export."""
import csv
import io
import random
from collections import defaultdict

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import Ballot, Debate, League, Round
from debate.services import motion_stats
from tests.flow import run_prelim_round, setup_tournament, submit_panel

MOTIONS = {"kk": "Бұл палата мектеп формасын жояр еді", "ru": "Эта палата отменила бы оценки",
           "en": "This House would abolish homework"}


def independent_count(app, round_ids, league_id):
    """From the confirmed ballots alone: majority winner, |mean ballot margin|, split panels."""
    with app.app_context():
        debates = db.session.scalars(select(Debate).where(Debate.round_id.in_(round_ids),
                                                          Debate.league_id == league_id)).all()
        out = {}
        for rid in round_ids:
            rows = [d for d in debates if d.round_id == rid]
            stats = {"debates": 0, "gov": 0, "opp": 0, "margins": [], "splits": 0}
            for d in rows:
                ballots = db.session.scalars(select(Ballot).where(Ballot.debate_id == d.id,
                                                                  Ballot.status == "confirmed")).all()
                if not ballots:
                    continue
                votes = defaultdict(int)
                for b in ballots:
                    votes[b.winner] += 1
                stats["debates"] += 1
                stats["gov" if votes["gov"] > votes["opp"] else "opp"] += 1
                if votes["gov"] and votes["opp"]:
                    stats["splits"] += 1
                diffs = [(b.scores["PM"] + b.scores["MG"]) - (b.scores["LO"] + b.scores["MO"]) for b in ballots]
                stats["margins"].append(abs(sum(diffs) / len(diffs)))
            out[rid] = stats
        return out


@pytest.fixture
def played(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=8, adjudicators=24, rooms=8, leagues=("kk", "ru", "en"))
    rng = random.Random(21)
    rounds = []
    for _ in range(2):
        rnd, _draw = run_prelim_round(api, client, t, keys, rng)  # results released
        for lg in t["leagues"]:
            client.put(f"/api/v1/rounds/{rnd['id']}/motions/{lg['id']}", json={"text": MOTIONS[lg["language"]]},
                       headers=api.headers)
        rounds.append(rnd["id"])
    # A third round, confirmed but its results not released: it must not count.
    rnd3 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw3 = api.post(f"/rounds/{rnd3['id']}/draw").get_json()
    api.post(f"/rounds/{rnd3['id']}/release", {"draw": True})  # ballots open with the draw's release
    for d in draw3["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            api.post(f"/ballots/{bid}/confirm")
    return t, rounds, rnd3["id"]


def test_motion_statistics_match_an_independent_count(played, app, api, client):
    t, rounds, hidden = played
    splits_seen = 0
    for lg in t["leagues"]:
        want = independent_count(app, rounds, lg["id"])
        with app.app_context():
            rows = motion_stats.league_stats(db.session.get(League, lg["id"]))
            assert [r.round.id for r in rows] == rounds  # the unreleased round is not there
            for r in rows:
                w = want[r.round.id]
                assert (r.debates, r.gov_wins, r.opp_wins, r.splits) == (w["debates"], w["gov"], w["opp"], w["splits"])
                assert r.average_margin == pytest.approx(sum(w["margins"]) / len(w["margins"]), abs=0.006)
                assert r.motion == MOTIONS[lg["language"]]
                splits_seen += r.splits
    assert splits_seen > 0  # the random panels did split somewhere: the count is exercised
    # A silent round (results hidden until the break) no longer counts, nor one whose results are withdrawn.
    with app.app_context():
        db.session.get(Round, rounds[1]).silent = True
        db.session.commit()
        assert [r.round.id for r in motion_stats.league_stats(db.session.get(League, t["leagues"][0]["id"]))] \
            == rounds[:1]
    api.post(f"/rounds/{rounds[0]}/release", {"draw": True, "results": False})
    with app.app_context():
        assert motion_stats.league_stats(db.session.get(League, t["leagues"][0]["id"])) == []


def test_public_page_projector_and_export(played, app, client, login):
    t, rounds, _hidden = played
    by_lang = {lg["language"]: lg for lg in t["leagues"]}
    words = {"kk": "Тақырыптар статистикасы", "ru": "Статистика тем", "en": "Motion statistics"}
    for lang, lg in by_lang.items():
        html = client.get(f"/p/{t['id']}/l/{lg['id']}/motions").get_data(as_text=True)
        assert f'lang="{lang}"' in html and words[lang] in html and MOTIONS[lang] in html  # the league's language
        proj = client.get(f"/p/{t['id']}/l/{lg['id']}/motions/projector").get_data(as_text=True)
        assert words[lang] in proj and MOTIONS[lang] in proj
    # The export (a director of the tournament).
    login()
    with app.app_context():
        from debate.models import TournamentMember, User
        uid = db.session.scalar(select(User.id).where(User.username == "director"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    lg = by_lang["ru"]
    r = client.get(f"/t/{t['id']}/export/motions.csv?league={lg['id']}")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["League", "Round", "Motion", "Debates"]
    want = independent_count(app, rounds, lg["id"])
    got = {row[1]: row for row in rows[1:]}
    assert len(rows) == 3 and all(row[2] == MOTIONS["ru"] for row in rows[1:])
    assert sorted(int(row[3]) for row in rows[1:]) == sorted(w["debates"] for w in want.values())
    assert sum(int(row[4]) for row in got.values()) == sum(w["gov"] for w in want.values())
    assert client.get(f"/t/{t['id']}/export/motions.xlsx").status_code == 200
