"""Team and speaker standings, and the best orator / best analyst shortlists.

Pure Python over plain data. Every metric is "higher is better". Teams still equal after
all metrics share a rank (competition ranking 1, 2, 2, 4) and are listed by id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

METRICS = ("wins", "speaker_points", "average_points", "draw_strength", "margin",
           "ballots_won", "who_beat_whom")
DEFAULT_PRECEDENCE = ("wins", "speaker_points", "draw_strength")
FORFEIT_POINTS = ("none", "average")  # what a forfeit win is worth in speaker points
_NDIGITS = 6  # float sums are rounded so that summation order never splits a tie


class TeamResult(NamedTuple):
    """One team's result in one round (a bye: opponent_id None, side None, bye True)."""
    round_number: int
    team_id: int
    opponent_id: int | None
    side: str | None
    won: bool
    points: float | None
    margin: float | None
    ballots_won: int = 0
    ballots_total: int = 0
    bye: bool = False
    forfeit: bool = False  # decided by a forfeit (either side): no marks, no margin


class TeamRow(NamedTuple):
    rank: int
    tied: bool
    team_id: int
    wins: int
    speaker_points: float
    average_points: float
    draw_strength: int
    margin: float
    ballots_won: int
    rounds: int
    separated_by: str | None


# Accumulator slots per team (a list, not a dict or an object: one pass over 8,000 results).
_WINS, _POINTS, _SCORED, _MARGIN, _BALLOTS, _ROUNDS, _OPPONENTS, _BYES, _OWN, _OWN_N = range(10)


def _team_totals(results, forfeit_points="none"):
    """team_id -> accumulator list (see the slots above): summed metrics, the opponents met
    [(opponent_id, won)], the byes [(points, margin)] and the team's own (non-bye) points.

    A forfeit counts as a win for the team present and a loss for the absent one, with no
    margin; the present team is credited with its own average points (as for a bye) when
    forfeit_points is "average", and with nothing otherwise (the round then does not count in
    its average)."""
    acc: dict = {}
    average = forfeit_points == "average"
    for r in results:
        _rnd, team_id, opponent_id, _side, won, points, margin, ballots_won, _bt, bye, forfeit = r
        a = acc.get(team_id)
        if a is None:
            a = acc[team_id] = [0, 0.0, 0, 0.0, 0, 0, [], [], 0.0, 0]
        a[_ROUNDS] += 1
        if ballots_won:
            a[_BALLOTS] += ballots_won
        if bye:
            a[_WINS] += 1
            a[_BYES].append((points, margin))
            continue
        if forfeit:
            if won:
                a[_WINS] += 1
                if average:
                    a[_BYES].append((None, None))
            if opponent_id is not None:
                a[_OPPONENTS].append((opponent_id, bool(won)))
            continue
        if won:
            a[_WINS] += 1
        if points is not None:
            a[_POINTS] += points
            a[_SCORED] += 1
            a[_OWN] += points
            a[_OWN_N] += 1
        if margin is not None:
            a[_MARGIN] += margin
        if opponent_id is not None:
            a[_OPPONENTS].append((opponent_id, bool(won)))
    for a in acc.values():
        for points, margin in a[_BYES]:
            if points is None and a[_OWN_N]:
                points = a[_OWN] / a[_OWN_N]  # a bye scores the team's average
            if points is not None:
                a[_POINTS] += points
                a[_SCORED] += 1
            if margin is not None:
                a[_MARGIN] += margin
    return acc


def team_standings(team_ids: list[int], results: list[TeamResult],
                   precedence=DEFAULT_PRECEDENCE, forfeit_points="none") -> list[TeamRow]:
    """Rank teams by the metrics in `precedence` (see METRICS). Linear in the number of
    results plus one sort per metric. forfeit_points: see _team_totals."""
    precedence = tuple(precedence)
    for m in precedence:
        if m not in METRICS:
            raise ValueError(f"unknown_metric:{m}")
    acc = _team_totals(results, forfeit_points)
    wins_of = {t: a[_WINS] for t, a in acc.items()}

    # metric -> {team_id: value}
    cols: dict = {m: {} for m in METRICS if m != "who_beat_whom"}
    wins, sp, avg, ds_col, margin, ballots = (cols["wins"], cols["speaker_points"], cols["average_points"],
                                              cols["draw_strength"], cols["margin"], cols["ballots_won"])
    rounds: dict = {}
    opponents: dict = {}
    for t in dict.fromkeys(team_ids):
        a = acc.get(t)
        if a is None:
            wins[t], sp[t], avg[t], ds_col[t], margin[t], ballots[t], rounds[t] = 0, 0.0, 0.0, 0, 0.0, 0, 0
            opponents[t] = ()
            continue
        ds = 0
        for opp, _won in a[_OPPONENTS]:
            ds += wins_of.get(opp, 0)
        wins[t] = a[_WINS]
        sp[t] = round(a[_POINTS], _NDIGITS)
        avg[t] = round(a[_POINTS] / a[_SCORED], _NDIGITS) if a[_SCORED] else 0.0
        ds_col[t] = ds
        margin[t] = round(a[_MARGIN], _NDIGITS)
        ballots[t] = a[_BALLOTS]
        rounds[t] = a[_ROUNDS]
        opponents[t] = a[_OPPONENTS]

    def head_to_head(a, b):
        """+n if a beat b n more times than b beat a."""
        return sum(1 if won else -1 for opp, won in opponents[a] if opp == b)

    # Split groups metric by metric. Each group carries the metric that separates it from
    # the group above (None for the top group), inherited by the first of its splits.
    groups = [(None, sorted(wins))]
    for metric in precedence:
        new_groups = []
        if metric == "who_beat_whom":
            for sep, g in groups:
                if len(g) == 2:
                    a, b = g
                    score = head_to_head(a, b)
                    if score != 0:
                        first, second = (a, b) if score > 0 else (b, a)
                        new_groups.append((sep, [first]))
                        new_groups.append((metric, [second]))
                        continue
                new_groups.append((sep, g))
            groups = new_groups
            continue
        col = cols[metric]
        by_value = col.__getitem__
        for sep, g in groups:
            if len(g) <= 1:
                new_groups.append((sep, g))
                continue
            # Every group is in id order (the first is sorted, and splits keep the order
            # within equal values): a stable sort on the value alone lists ties by id.
            ordered = sorted(g, key=by_value, reverse=True)
            run_sep, run = sep, [ordered[0]]
            last = col[ordered[0]]
            for t in ordered[1:]:
                v = col[t]
                if v != last:
                    new_groups.append((run_sep, run))
                    run_sep, run, last = metric, [t], v
                else:
                    run.append(t)
            new_groups.append((run_sep, run))
        groups = new_groups

    rows = []
    append = rows.append
    position = 0
    for sep, g in groups:
        rank = position + 1
        tied = len(g) > 1
        for t in g:
            append(TeamRow(rank, tied, t, wins[t], sp[t], avg[t], ds_col[t], margin[t], ballots[t],
                           rounds[t], sep))
            sep = None  # only the first team of a group carries what separated it
        position += len(g)
    return rows


class SpeakerResult(NamedTuple):
    round_number: int
    speaker_id: int
    team_id: int
    mark: float
    forfeit: bool = False  # the speaker's team won this round by forfeit (mark is not used)


class SpeakerRow(NamedTuple):
    rank: int | None
    tied: bool
    speaker_id: int
    team_id: int
    total: float
    average: float | None
    speeches: int
    ranked: bool


def speaker_standings(speakers: list[tuple[int, int]], results: list[SpeakerResult],
                      rounds_held: int, max_missed: int = 1, forfeit_points="none") -> list[SpeakerRow]:
    """Ranked speakers by total (equal totals share a rank, listed by id), then the
    speakers who missed more than `max_missed` of `rounds_held` rounds (or never spoke),
    listed unranked (rank None), also by total then id.

    A forfeit win (a result with forfeit=True) is a round the speaker did not miss; it adds no
    speech unless forfeit_points is "average": then it is one speech marked with the speaker's
    own average over the speeches they gave (nothing if they gave none)."""
    acc: dict = {}  # speaker_id -> [team_id, total, speeches, {rounds spoken}, forfeit wins]
    for sid, tid in speakers:
        acc[sid] = [tid, 0.0, 0, set(), 0]
    for r in results:
        rnd, sid, tid, mark, forfeit = r
        a = acc.get(sid)
        if a is None:
            a = acc[sid] = [tid, 0.0, 0, set(), 0]
        a[3].add(rnd)
        if forfeit:
            a[4] += 1
            continue
        a[1] += mark
        a[2] += 1
    if forfeit_points == "average":
        for a in acc.values():
            if a[4] and a[2]:
                own = a[1] / a[2]
                a[1] += own * a[4]
                a[2] += a[4]

    total: dict = {}
    ranked, unranked = [], []
    for sid, a in acc.items():
        total[sid] = round(a[1], _NDIGITS)
        spoke = len(a[3])
        (ranked if spoke and rounds_held - spoke <= max_missed else unranked).append(sid)
    # by total, highest first, then by id: sort by id, then a stable sort on the total alone
    ranked.sort()
    ranked.sort(key=total.__getitem__, reverse=True)
    unranked.sort()
    unranked.sort(key=total.__getitem__, reverse=True)

    rows = []
    append = rows.append
    n_ranked = len(ranked)
    i = 0
    while i < n_ranked:
        t = total[ranked[i]]
        j = i
        while j + 1 < n_ranked and total[ranked[j + 1]] == t:
            j += 1
        tied = j > i
        for k in range(i, j + 1):
            sid = ranked[k]
            a = acc[sid]
            n = a[2]
            append(SpeakerRow(i + 1, tied, sid, a[0], t, round(t / n, _NDIGITS) if n else None, n, True))
        i = j + 1
    for sid in unranked:
        a = acc[sid]
        n, t = a[2], total[sid]
        append(SpeakerRow(None, False, sid, a[0], t, round(t / n, _NDIGITS) if n else None, n, False))
    return rows


@dataclass(frozen=True)
class NominationRow:
    rank: int
    speaker_id: int
    count: int
    points: float
    tied: bool


def nominations(votes: list[tuple[str, int]], speaker_totals: dict[int, float],
                top: int = 5) -> dict[str, list[NominationRow]]:
    """Per kind ("orator", "analyst", and any other kind voted) a shortlist ordered by
    number of nominations, then speaker points. Rows sharing both share a rank; the
    shortlist holds every row ranked within `top`, so a tie at the cut is kept whole
    (the director has the last word)."""
    counts: dict = {"orator": {}, "analyst": {}}
    for kind, sid in votes:
        if sid is None:
            continue
        per = counts.setdefault(kind, {})
        per[sid] = per.get(sid, 0) + 1
    out = {}
    for kind, per in counts.items():
        keyed = sorted(per, key=lambda s: (-per[s], -round(speaker_totals.get(s, 0.0), _NDIGITS), s))
        rows = []
        i = 0
        while i < len(keyed):
            key = (per[keyed[i]], round(speaker_totals.get(keyed[i], 0.0), _NDIGITS))
            j = i
            while j + 1 < len(keyed) and (per[keyed[j + 1]],
                                          round(speaker_totals.get(keyed[j + 1], 0.0), _NDIGITS)) == key:
                j += 1
            if i + 1 > top:
                break
            for k in range(i, j + 1):
                s = keyed[k]
                rows.append(NominationRow(rank=i + 1, speaker_id=s, count=per[s],
                                          points=round(speaker_totals.get(s, 0.0), _NDIGITS),
                                          tied=j > i))
            i = j + 1
        out[kind] = rows
    return out
