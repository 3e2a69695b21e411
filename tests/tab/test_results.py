import pytest
from hypothesis import given, settings, strategies as st

from debate.tab.results import (ROLES, BallotInput, ScoreRules, debate_result, parse_mark,
                                validate_ballot)

GOV = (13, 14)
OPP = (21, 22)
SPK = {"PM": 13, "MG": 14, "LO": 21, "MO": 22}
GOOD = {"PM": 27.5, "MG": 26, "LO": 25.5, "MO": 26.5}  # gov 53.5, opp 52
RULES = ScoreRules()
ELIM = ScoreRules(scores_required=False)


def v(winner="gov", scores=None, speakers=SPK, rules=RULES, gov=GOV, opp=OPP):
    return validate_ballot(winner, GOOD if scores is None else scores, speakers, gov, opp, rules)


# ---------------------------------------------------------------- parse_mark
@pytest.mark.parametrize("text,expected", [
    (27.5, 27.5), (27, 27.0), ("27.5", 27.5), ("27,5", 27.5), (" 27 ", 27.0),
    ("\t26,0\n", 26.0), ("", None), ("  ", None), (None, None), ("abc", None),
    ("27.5.1", None), ("nan", None), ("inf", None), (True, None), ([27], None),
])
def test_parse_mark(text, expected):
    assert parse_mark(text) == expected


@settings(deadline=None, max_examples=100)
@given(st.integers(min_value=30, max_value=60))
def test_parse_mark_comma_and_dot_agree(halves):
    x = halves / 2
    assert parse_mark(str(x)) == parse_mark(str(x).replace(".", ",")) == x


# ---------------------------------------------------------------- validate_ballot
def test_valid_ballot():
    assert v() == {}


def test_valid_with_string_marks_and_comma():
    assert v(scores={"PM": "27,5", "MG": " 26 ", "LO": "25.5", "MO": 26.5}) == {}


def test_winner_required_and_invalid():
    assert v(winner=None)["winner"] == ("required", {})
    assert v(winner="")["winner"] == ("required", {})
    assert v(winner="draw")["winner"] == ("invalid_winner", {})
    # no total check without a valid winner
    assert "total" not in v(winner="draw")


def test_missing_score():
    s = dict(GOOD)
    del s["MG"]
    assert v(scores=s) == {"scores.MG": ("required", {})}
    s = dict(GOOD, LO="  ")
    assert v(scores=s) == {"scores.LO": ("required", {})}
    assert set(v(scores={})) == {f"scores.{r}" for r in ROLES}


def test_not_a_number():
    assert v(scores=dict(GOOD, PM="twenty"))["scores.PM"] == ("not_a_number", {})


@pytest.mark.parametrize("mark", [14.5, 30.5, 0, 100, -27])
def test_out_of_range(mark):
    assert v(scores=dict(GOOD, MO=mark))["scores.MO"] == ("out_of_range", {"min": 15, "max": 30})


@pytest.mark.parametrize("mark", [15, 30, "15,0", "30"])
def test_bounds_inclusive(mark):
    errs = v(scores=dict(GOOD, MO=mark))
    assert "scores.MO" not in errs


@pytest.mark.parametrize("mark", [27.3, "27,25", 26.1])
def test_off_step(mark):
    assert v(scores=dict(GOOD, PM=mark))["scores.PM"] == ("off_step", {"step": 0.5})


def test_custom_rules_range_and_step():
    rules = ScoreRules(min=60, max=80, step=1)
    ok = {"PM": 75, "MG": 74, "LO": 70, "MO": 71}
    assert v(scores=ok, rules=rules) == {}
    assert v(scores=dict(ok, PM=74.5), rules=rules)["scores.PM"] == ("off_step", {"step": 1})
    assert v(scores=dict(ok, PM=59), rules=rules)["scores.PM"] == ("out_of_range", {"min": 60, "max": 80})


@settings(deadline=None, max_examples=200)
@given(st.integers(min_value=-10, max_value=80))
def test_every_half_point_in_range_accepted(halves):
    mark = halves / 2
    errs = v(scores=dict(GOOD, MG=mark), winner="gov")
    if 15 <= mark <= 30:
        assert "scores.MG" not in errs
    else:
        assert errs["scores.MG"][0] == "out_of_range"


def test_tie_refused():
    s = {"PM": 26, "MG": 26, "LO": 26, "MO": 26}
    assert v(scores=s) == {"total": ("tie", {"gov": 52.0, "opp": 52.0})}
    assert v(scores=s, winner="opp")["total"][0] == "tie"


def test_low_point_win_refused():
    errs = v(winner="opp")
    assert errs == {"total": ("low_point_win", {"gov": 53.5, "opp": 52.0})}


def test_low_point_win_allowed():
    rules = ScoreRules(allow_low_point_win=True)
    assert v(winner="opp", rules=rules) == {}
    # the setting also lets a declared winner stand on equal totals
    assert v(scores={"PM": 26, "MG": 26, "LO": 26, "MO": 26}, rules=rules) == {}


def test_no_total_check_when_a_mark_is_invalid():
    errs = v(winner="opp", scores=dict(GOOD, PM=31))
    assert set(errs) == {"scores.PM"}


def test_speaker_not_in_team():
    errs = v(speakers=dict(SPK, PM=21))  # an opposition speaker in a government role
    assert errs == {"speakers.PM": ("not_in_team", {"speaker_id": 21})}
    errs = v(speakers=dict(SPK, MO=99))
    assert errs == {"speakers.MO": ("not_in_team", {"speaker_id": 99})}


def test_speaker_ids_as_strings():
    assert v(speakers={"PM": "14", "MG": "13", "LO": "22", "MO": "21"}) == {}


def test_speaker_missing_role():
    s = dict(SPK)
    del s["MG"]
    assert v(speakers=s) == {"speakers.MG": ("required", {})}


def test_duplicate_speaker():
    errs = v(speakers=dict(SPK, MG=13))
    assert errs == {"speakers": ("duplicate_speaker", {"speaker_id": 13, "roles": ["PM", "MG"]})}


@pytest.mark.parametrize("speakers", [None, {}])
def test_default_speakers(speakers):
    assert v(speakers=speakers) == {}
    # a team with one listed speaker cannot fill MG by default
    assert v(speakers=speakers, gov=(13,)) == {"speakers.MG": ("required", {})}


def test_swapped_speakers_allowed():
    assert v(speakers={"PM": 14, "MG": 13, "LO": 22, "MO": 21}) == {}


def test_elimination_without_scores():
    assert v(scores={}, rules=ELIM) == {}
    assert validate_ballot("opp", None, None, GOV, OPP, ELIM) == {}
    assert validate_ballot(None, None, None, GOV, OPP, ELIM) == {"winner": ("required", {})}
    # required in preliminary rounds
    assert set(validate_ballot("gov", None, None, GOV, OPP, RULES)) == {f"scores.{r}" for r in ROLES}


def test_elimination_scores_given_are_validated():
    assert v(rules=ELIM) == {}
    assert v(rules=ELIM, winner="opp")["total"][0] == "low_point_win"
    assert v(rules=ELIM, scores={"PM": 27})["scores.MG"] == ("required", {})
    assert v(rules=ELIM, scores=dict(GOOD, LO=40))["scores.LO"][0] == "out_of_range"


def test_errors_are_codes_not_text():
    errs = validate_ballot("x", {"PM": "a", "MG": 10, "LO": 27.3}, {"PM": 13, "MG": 13, "LO": 99, "MO": 22},
                           GOV, OPP, RULES)
    assert errs
    for field, (code, params) in errs.items():
        assert code.replace("_", "").isalpha() and code.islower()
        assert isinstance(params, dict)


# ---------------------------------------------------------------- debate_result
def ballot(adj, winner, scores=GOOD, speakers=SPK, nominations=None):
    return BallotInput(adj, winner, scores, speakers, nominations or {})


def test_single_ballot():
    r = debate_result([ballot(1, "gov")])
    assert r.winner == "gov"
    assert r.votes == {"gov": 1, "opp": 0}
    assert r.speaker_marks == {13: 27.5, 14: 26.0, 21: 25.5, 22: 26.5}
    assert r.team_points == {"gov": 53.5, "opp": 52.0}
    assert r.margin == 1.5


def test_majority_of_three():
    b3 = {"PM": 25, "MG": 25, "LO": 26, "MO": 27}
    r = debate_result([ballot(1, "gov"), ballot(2, "opp", b3), ballot(3, "gov")], chair_id=2)
    assert r.winner == "gov"  # the chair is outvoted
    assert r.votes == {"gov": 2, "opp": 1}
    assert r.speaker_marks[13] == pytest.approx((27.5 + 25 + 27.5) / 3)
    assert r.speaker_marks[22] == pytest.approx((26.5 + 27 + 26.5) / 3)
    gov = r.speaker_marks[13] + r.speaker_marks[14]
    opp = r.speaker_marks[21] + r.speaker_marks[22]
    assert r.team_points["gov"] == pytest.approx(gov)
    assert r.margin == pytest.approx(gov - opp)


def test_even_split_chair_decides():
    b2 = {"PM": 25, "MG": 25, "LO": 26, "MO": 27}
    ballots = [ballot(1, "gov"), ballot(2, "opp", b2)]
    assert debate_result(ballots, chair_id=2).winner == "opp"
    assert debate_result(ballots, chair_id=1).winner == "gov"
    assert debate_result(ballots).winner is None
    assert debate_result(ballots, chair_id=99).winner is None  # chair has not voted
    r = debate_result(ballots + [ballot(3, "gov"), ballot(4, "opp", b2)], chair_id=4)
    assert r.votes == {"gov": 2, "opp": 2} and r.winner == "opp"


def test_no_ballots():
    r = debate_result([])
    assert r.winner is None and r.votes == {"gov": 0, "opp": 0}
    assert r.speaker_marks == {} and r.team_points == {} and r.margin is None


def test_per_ballot_role_mapping():
    swapped = {"PM": 14, "MG": 13, "LO": 21, "MO": 22}
    r = debate_result([ballot(1, "gov", GOOD, SPK), ballot(2, "gov", GOOD, swapped)])
    # 13 spoke PM (27.5) on ballot 1 and MG (26) on ballot 2
    assert r.speaker_marks[13] == pytest.approx((27.5 + 26) / 2)
    assert r.speaker_marks[14] == pytest.approx((26 + 27.5) / 2)


def test_ballots_without_scores_do_not_count_in_means():
    r = debate_result([ballot(1, "opp", scores={}), ballot(2, "gov"), ballot(3, "opp", scores={})])
    assert r.winner == "opp"
    assert r.speaker_marks == {13: 27.5, 14: 26.0, 21: 25.5, 22: 26.5}


def test_elimination_result_without_scores():
    r = debate_result([ballot(1, "opp", scores={}), ballot(2, "opp", scores={}), ballot(3, "gov", scores={})])
    assert r.winner == "opp" and r.margin is None and r.team_points == {}


def test_default_speakers_for_ballots_without_mapping():
    r = debate_result([ballot(1, "gov", speakers={})], default_speakers=SPK)
    assert r.speaker_marks[13] == 27.5


mark_st = st.integers(min_value=30, max_value=60).map(lambda h: h / 2)


@settings(deadline=None, max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(["gov", "opp"]), st.tuples(mark_st, mark_st, mark_st, mark_st)),
                min_size=1, max_size=6),
       st.integers(min_value=0, max_value=5))
def test_debate_result_property(panel, chair_index):
    ballots = [ballot(i + 1, w, dict(zip(ROLES, marks))) for i, (w, marks) in enumerate(panel)]
    chair = ballots[chair_index % len(ballots)]
    r = debate_result(ballots, chair_id=chair.adjudicator_id)
    g = sum(1 for b in ballots if b.winner == "gov")
    o = len(ballots) - g
    assert r.votes == {"gov": g, "opp": o}
    assert r.winner == ("gov" if g > o else "opp" if o > g else chair.winner)
    for role, sid in SPK.items():
        mean = sum(b.scores[role] for b in ballots) / len(ballots)
        assert r.speaker_marks[sid] == pytest.approx(mean)
    assert r.margin == pytest.approx(r.team_points["gov"] - r.team_points["opp"])
