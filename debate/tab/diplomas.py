"""Diplomas by the regulations' share (Order No. 99, Annex 2 cl. 28): a share of each league's
teams are winners, split between degrees I, II and III; teams are ranked by the playoff stage
they reached, then by the preliminary standings. Teams tied across a cut are never split by
chance: the director decides which of them get the higher degree (the regulations let the jury
widen the group), or the tie is reported.

Plain Python: no Flask, no database.
"""
from typing import NamedTuple

# The playoff stage reached, best first; a team that did not break has none (ranked after all).
STAGES = ("champion", "finalist", "semifinalist", "quarterfinalist", "octofinalist")


class Tie(NamedTuple):
    """Teams sharing a rank across the cut of degree `degree`: `places` of them fit above it."""
    degree: int
    team_ids: tuple
    places: int


def half_up(x: float) -> int:
    return int(x + 0.5 + 1e-9)


def winners_count(n_teams: int, share: int) -> int:
    """How many of n_teams are winners at share percent (rounded half up)."""
    return min(n_teams, half_up(n_teams * share / 100))


def cuts(winners: int, split) -> list[int]:
    """Cumulative counts of teams with degree I, I–II and I–III for `winners` teams split by
    percents [I, II, III] (rounded half up at each cumulative cut; the last cut is all winners)."""
    s1, s2 = split[0], split[0] + split[1]
    total = sum(split[:3]) or 100
    return [half_up(winners * s1 / total), half_up(winners * s2 / total), winners]


def rank_key(stage: str | None, prelim_rank: int | None) -> tuple:
    """The order of teams for diplomas: the playoff stage reached, then the preliminary rank."""
    level = STAGES.index(stage) if stage in STAGES else len(STAGES)
    return (level, prelim_rank if prelim_rank is not None else 10 ** 9)


def share_degrees(ranked, share: int, split, choices=None) -> tuple[dict, Tie | None]:
    """ranked: [(team_id, key)] where a lower key is better and equal keys are tied.
    choices: {degree: (tied_team_ids, chosen_team_ids)} — the director's decision for a tie at
    the cut of that degree, applied only while the tie is the same set of teams.
    Returns ({team_id: degree}, the first undecided tie or None). While a tie is undecided the
    degrees below it are not given (the result is partial)."""
    choices = choices or {}
    ranked = sorted(ranked, key=lambda r: (r[1], r[0]))
    groups = []
    for team_id, key in ranked:
        if groups and groups[-1][0] == key:
            groups[-1][1].append(team_id)
        else:
            groups.append((key, [team_id]))
    queue = [list(g) for _k, g in groups]
    limits = cuts(winners_count(len(ranked), share), split)
    out, given = {}, 0
    for degree, limit in zip((1, 2, 3), limits):
        while queue and given < limit:
            group = queue[0]
            if given + len(group) <= limit:
                for tid in group:
                    out[tid] = degree
                given += len(group)
                queue.pop(0)
                continue
            tied = tuple(sorted(group))
            decided = choices.get(degree)
            if decided is None or tuple(sorted(decided[0])) != tied:
                return out, Tie(degree, tied, limit - given)
            chosen = [tid for tid in group if tid in set(decided[1])]
            for tid in chosen:
                out[tid] = degree
            given += len(chosen)
            rest = [tid for tid in group if tid not in set(chosen)]
            if rest:
                queue[0] = rest
            else:
                queue.pop(0)
            break  # the director decided this cut: who is above it is settled
    return out, None
