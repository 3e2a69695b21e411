"""Team and speaker standings, and the best orator / best analyst shortlists.

Pure Python over plain data. Every metric is "higher is better". Teams still equal after
all metrics share a rank (competition ranking 1, 2, 2, 4) and are listed by id.
"""
from __future__ import annotations

from dataclasses import dataclass

METRICS = ("wins", "speaker_points", "average_points", "draw_strength", "margin",
           "ballots_won", "who_beat_whom")
DEFAULT_PRECEDENCE = ("wins", "speaker_points", "draw_strength")
_NDIGITS = 6  # float sums are rounded so that summation order never splits a tie


@dataclass(frozen=True)
class TeamResult:
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


@dataclass(frozen=True)
class TeamRow:
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


def _team_totals(results):
    """team_id -> dict of summed metrics; opponents (non-bye) per team; head-to-head wins."""
    acc: dict = {}
    own_points: dict = {}  # non-bye points, for the bye average
    for r in results:
        a = acc.get(r.team_id)
        if a is None:
            a = acc[r.team_id] = {"wins": 0, "points": 0.0, "scored": 0, "margin": 0.0,
                                  "ballots_won": 0, "rounds": 0, "opponents": [],
                                  "byes": []}
            own_points[r.team_id] = [0.0, 0]
        a["rounds"] += 1
        a["ballots_won"] += r.ballots_won or 0
        if r.bye:
            a["wins"] += 1
            a["byes"].append(r)
            continue
        if r.won:
            a["wins"] += 1
        if r.points is not None:
            a["points"] += r.points
            a["scored"] += 1
            own = own_points[r.team_id]
            own[0] += r.points
            own[1] += 1
        if r.margin is not None:
            a["margin"] += r.margin
        if r.opponent_id is not None:
            a["opponents"].append((r.opponent_id, bool(r.won)))
    for team_id, a in acc.items():
        for r in a["byes"]:
            points = r.points
            if points is None:
                total, n = own_points[team_id]
                points = total / n if n else None
            if points is not None:
                a["points"] += points
                a["scored"] += 1
            if r.margin is not None:
                a["margin"] += r.margin
    return acc


def team_standings(team_ids: list[int], results: list[TeamResult],
                   precedence=DEFAULT_PRECEDENCE) -> list[TeamRow]:
    """Rank teams by the metrics in `precedence` (see METRICS)."""
    precedence = tuple(precedence)
    for m in precedence:
        if m not in METRICS:
            raise ValueError(f"unknown_metric:{m}")
    acc = _team_totals(results)
    wins_of = {t: a["wins"] for t, a in acc.items()}

    values: dict = {}
    met: dict = {}
    for t in dict.fromkeys(team_ids):
        a = acc.get(t)
        if a is None:
            values[t] = {"wins": 0, "speaker_points": 0.0, "average_points": 0.0,
                         "draw_strength": 0, "margin": 0.0, "ballots_won": 0, "rounds": 0}
            met[t] = {}
            continue
        ds = 0
        h2h: dict = {}
        for opp, won in a["opponents"]:
            ds += wins_of.get(opp, 0)
            h2h[opp] = h2h.get(opp, 0) + (1 if won else -1)
        met[t] = h2h
        values[t] = {
            "wins": a["wins"],
            "speaker_points": round(a["points"], _NDIGITS),
            "average_points": round(a["points"] / a["scored"], _NDIGITS) if a["scored"] else 0.0,
            "draw_strength": ds,
            "margin": round(a["margin"], _NDIGITS),
            "ballots_won": a["ballots_won"],
            "rounds": a["rounds"],
        }

    # Split groups metric by metric. Each group carries the metric that separates it from
    # the group above (None for the top group), inherited by the first of its splits.
    groups = [(None, sorted(values))]
    for metric in precedence:
        new_groups = []
        for sep, g in groups:
            if len(g) == 1:
                new_groups.append((sep, g))
                continue
            if metric == "who_beat_whom":
                if len(g) == 2:
                    a, b = g
                    score = met[a].get(b, 0)
                    if score != 0:
                        first, second = (a, b) if score > 0 else (b, a)
                        new_groups.append((sep, [first]))
                        new_groups.append((metric, [second]))
                        continue
                new_groups.append((sep, g))
                continue
            ordered = sorted(g, key=lambda t: (-values[t][metric], t))
            run_sep, run = sep, [ordered[0]]
            for t in ordered[1:]:
                if values[t][metric] != values[run[-1]][metric]:
                    new_groups.append((run_sep, run))
                    run_sep, run = metric, [t]
                else:
                    run.append(t)
            new_groups.append((run_sep, run))
        groups = new_groups

    rows = []
    position = 0
    for sep, g in groups:
        rank = position + 1
        tied = len(g) > 1
        for i, t in enumerate(g):
            v = values[t]
            rows.append(TeamRow(
                rank=rank, tied=tied, team_id=t, wins=v["wins"],
                speaker_points=v["speaker_points"], average_points=v["average_points"],
                draw_strength=v["draw_strength"], margin=v["margin"],
                ballots_won=v["ballots_won"], rounds=v["rounds"],
                separated_by=sep if i == 0 else None))
        position += len(g)
    return rows


@dataclass(frozen=True)
class SpeakerResult:
    round_number: int
    speaker_id: int
    team_id: int
    mark: float


@dataclass(frozen=True)
class SpeakerRow:
    rank: int | None
    tied: bool
    speaker_id: int
    team_id: int
    total: float
    average: float | None
    speeches: int
    ranked: bool


def speaker_standings(speakers: list[tuple[int, int]], results: list[SpeakerResult],
                      rounds_held: int, max_missed: int = 1) -> list[SpeakerRow]:
    """Ranked speakers by total (equal totals share a rank, listed by id), then the
    speakers who missed more than `max_missed` of `rounds_held` rounds (or never spoke),
    listed unranked (rank None), also by total then id."""
    team_of: dict = {}
    total: dict = {}
    speeches: dict = {}
    rounds: dict = {}
    for sid, tid in speakers:
        team_of[sid] = tid
        total[sid] = 0.0
        speeches[sid] = 0
        rounds[sid] = set()
    for r in results:
        sid = r.speaker_id
        if sid not in total:
            team_of[sid] = r.team_id
            total[sid] = 0.0
            speeches[sid] = 0
            rounds[sid] = set()
        total[sid] += r.mark
        speeches[sid] += 1
        rounds[sid].add(r.round_number)

    ranked, unranked = [], []
    for sid in total:
        t = round(total[sid], _NDIGITS)
        total[sid] = t
        spoke = len(rounds[sid])
        (ranked if spoke and rounds_held - spoke <= max_missed else unranked).append(sid)
    ranked.sort(key=lambda s: (-total[s], s))
    unranked.sort(key=lambda s: (-total[s], s))

    def row(sid, rank, tied, is_ranked):
        n = speeches[sid]
        return SpeakerRow(rank=rank, tied=tied, speaker_id=sid, team_id=team_of[sid],
                          total=total[sid],
                          average=round(total[sid] / n, _NDIGITS) if n else None,
                          speeches=n, ranked=is_ranked)

    rows = []
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and total[ranked[j + 1]] == total[ranked[i]]:
            j += 1
        for k in range(i, j + 1):
            rows.append(row(ranked[k], i + 1, j > i, True))
        i = j + 1
    rows.extend(row(sid, None, False, False) for sid in unranked)
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
