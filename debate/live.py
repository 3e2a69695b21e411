"""Live events for spectators and the tab room (Flask-SocketIO).

Rooms: "t<tid>" (tournament-wide public), "l<lid>" (a league's public pages) and
"staff<tid>" (directors' dashboards, joined only by signed-in staff). Public events carry
only what the public may see: a hint of what changed; clients then fetch the public JSON
(which applies the release rules) so an event can never leak unreleased data.
"""
import logging

from .extensions import socketio

log = logging.getLogger("debate.live")


def _emit(event, payload, room):
    try:
        socketio.emit(event, payload, to=room)
    except Exception:  # a live update must never break the request that caused it
        log.exception("emit failed: %s", event)


def announce_round(rnd, what: str):
    """Tell public pages that a round's released state changed."""
    payload = {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "what": what}
    _emit("changed", payload, f"t{rnd.tournament_id}")
    for rl in rnd.leagues:
        _emit("changed", {**payload, "league_id": rl.league_id}, f"l{rl.league_id}")
    _emit("staff", payload, f"staff{rnd.tournament_id}")


def announce_ballot(debate, ballot_id: int, what: str):
    """Ballots are staff-only news; the public hears about a result only once it counts."""
    rnd = debate.round
    _emit("staff", {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "debate_id": debate.id,
                    "ballot_id": ballot_id, "what": what}, f"staff{rnd.tournament_id}")
    if what == "confirmed" and debate.confirmed_at is not None:
        payload = {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "league_id": debate.league_id,
                   "what": "result"}
        _emit("changed", payload, f"t{rnd.tournament_id}")
        _emit("changed", payload, f"l{debate.league_id}")


def announce_tournament(t):
    payload = {"tournament_id": t.id, "what": "tabs"}
    _emit("changed", payload, f"t{t.id}")
    for lg in t.leagues:
        _emit("changed", {**payload, "league_id": lg.id}, f"l{lg.id}")


def announce_problem(tournament_id):
    _emit("staff", {"tournament_id": tournament_id, "what": "problem"}, f"staff{tournament_id}")
