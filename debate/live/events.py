"""Live events for spectators and the tab room (Flask-SocketIO).

Rooms: "t<tid>" (tournament-wide public), "l<lid>" (a league's public pages) and
"staff<tid>" (directors' dashboards, joined only by signed-in staff). Public events carry
only what the public may see: a hint of what changed; clients then fetch the public JSON
(which applies the release rules) so an event can never leak unreleased data.

Pushed views: a public page showing one of the views listed in views/public.py PUSHED_VIEWS in
its league's language joins "v<lid>:<view>" instead of "t<tid>"/"l<lid>". After a commit that
changed a league's public state, its views are rendered ONCE (by the same builders and cache as
live.json, in a background task of the process that committed, reading the committed state, so
exactly what live.json answers at that moment; the request does not wait for it) and sent with
the event as "parts": a thousand phones update without a thousand re-fetches. An event too
large (LIVE_PUSH_MAX_BYTES) or that could not be rendered goes without parts: those clients
re-fetch. "version" (the public version the parts were rendered at) lets a client ignore an
older render arriving after a newer one.
"""
import logging
import threading
import time

import gevent
import gevent.monkey
from flask import current_app, has_request_context, request
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import WireJSON, db, socketio
from . import cache as public_cache
from ..models import League, Round, Tournament

log = logging.getLogger("debate.live.events")


def _emit(event, payload, room):
    try:
        socketio.emit(event, payload, to=room)
    except Exception:  # a live update must never break the request that caused it
        log.exception("emit failed: %s", event)


# Set by debate/views/public.py (which renders the parts; this module cannot import it: the
# views import this one): push(league_id) yields (view, version, language, parts, countdown), the
# version being the public cache's whole version tuple (debate/live/cache.py) read before the
# league's state; view(parts, projector, lang, league) -> the pushed view's name or None; names:
# every view.
_pusher = {"push": None, "view": None, "names": ()}


def register_pusher(push, view, names):
    _pusher.update(push=push, view=view, names=tuple(names))


def _push_enabled() -> bool:
    return _pusher["push"] is not None and bool(current_app.config.get("LIVE_PUSH", True))


# ----- a league's public change: rendered and sent in the background -----
#
# The request that committed a change only notes "league L changed" and returns; a background task
# of this process (Flask-SocketIO start_background_task: a greenlet under gevent) renders the
# league's pushed views once, reading the committed state, and sends them. One task per league at
# a time: announcements that arrive while it renders are folded into one more pass, which reads
# the state again, so a withdraw that follows a release closely is what gets sent, never the
# release it undid:
# - a newer commit announced by this process while a view was being rendered (job.again): what was
#   rendered is dropped unsent and the task renders again;
# - a commit announced by another process (it bumps the shared public version first): if the
#   version moved while a view was being rendered, that view is rendered again (at most
#   MAX_PASSES passes, since the version is global and moves with every public write of every
#   tournament; the other process then sends its own, newer render, and live.js keeps the newer
#   version of the two).
# What remains is the instant between a commit and its version bump, in which live.json itself
# would still answer from the older version: an event never shows more than the public page.

MAX_PASSES = 3


class _Job:
    __slots__ = ("payload", "again", "base_url")

    def __init__(self, payload, base_url):
        self.payload, self.again, self.base_url = payload, True, base_url


_jobs: dict = {}  # (id(app), league id) -> _Job: the league's task is running or about to
_tasks: set = set()  # background tasks not finished yet (wait_for_pushes)
_jobs_lock = threading.Lock()


def _hint_views(payload, lid):
    for name in _pusher["names"]:
        _emit("changed", payload, f"v{lid}:{name}")


def _emit_league(payload, lid):
    """A public change of league `lid` (after the commit): the hint to "l<lid>" and, to each pushed
    view's room, the view's parts as the public sees them, rendered and sent by the league's
    background task. Returns at once."""
    payload = {**payload, "league_id": lid}
    if not _push_enabled():
        _emit("changed", payload, f"l{lid}")
        return
    app = current_app._get_current_object()
    key = (id(app), lid)
    with _jobs_lock:
        job = _jobs.get(key)
        if job is not None:  # the league's task will render (again) after this commit
            job.payload, job.again = payload, True
            return
        job = _jobs[key] = _Job(payload, request.url_root if has_request_context() else None)
    try:
        task = _start_task(app, key)
        if task is not None:
            _tasks.add(task)
    except Exception:  # a live update must never break the request: a hint, and clients re-fetch
        log.exception("could not start the live push of league %s", lid)
        with _jobs_lock:
            _jobs.pop(key, None)
        _emit("changed", payload, f"l{lid}")
        _hint_views(payload, lid)


def _start_task(app, key):
    """The league's task: Flask-SocketIO's background task, except in a thread that gevent does
    not drive. Served by threads without gevent's monkey-patching (gevent is installed, so
    async_mode is "gevent"; e.g. gunicorn's gthread worker or waitress publishing to REDIS_URL;
    `flask run` is not one: Flask-SocketIO puts it in threading mode), a greenlet spawned in a
    request's thread never runs once that thread ends, and the league's job would stay pending
    forever, dropping every later event of the league: a plain thread then."""
    if (socketio.async_mode == "gevent" and not gevent.monkey.is_module_patched("threading")
            and threading.current_thread() is not threading.main_thread()):
        task = threading.Thread(target=_league_task, args=(app, key), daemon=True)
        task.start()
        return task
    return socketio.start_background_task(_league_task, app, key)


def _league_task(app, key):
    """The background task of one league: passes until no announcement is pending."""
    try:
        with app.test_request_context("/", base_url=_jobs[key].base_url):
            passes = 0
            while True:
                with _jobs_lock:
                    job = _jobs[key]
                    if not job.again:
                        del _jobs[key]
                        return
                    job.again = False
                    payload = job.payload
                passes += 1
                _send_league(payload, key[1], job, check_version=passes < MAX_PASSES)
    except Exception:
        log.exception("live push of league %s failed", key[1])
        with _jobs_lock:
            _jobs.pop(key, None)
    finally:
        _tasks.discard(threading.current_thread())  # a thread (threading mode, or see _start_task)
        _tasks.discard(gevent.getcurrent())  # a greenlet (gevent)


def _send_league(payload, lid, job, check_version=True):
    """One pass: the hint to "l<lid>", then each pushed view as soon as it is rendered (without its
    parts if too large; a hint if it could not be rendered). Stops early (job.again set) when the
    state may have changed since the view was read, so the next pass reads it again."""
    _emit("changed", payload, f"l{lid}")
    limit = int(current_app.config.get("LIVE_PUSH_MAX_BYTES", 256 * 1024))
    sent = set()
    views = _pusher["push"](lid)
    try:
        for name, version, lang, parts, countdown in views:
            if job.again:  # a newer commit of this process: render again
                return
            if check_version and version is not None and public_cache.cache().version() != version:
                job.again = True  # another process committed meanwhile: render again
                return
            v = version[0] if version else None
            body = {**payload, "version": v, "lang": lang, "parts": parts, "countdown": countdown}
            if len(WireJSON.dumps(body)) > limit:
                body = {**payload, "version": v}  # too large to travel: a re-fetch
            _emit("changed", body, f"v{lid}:{name}")
            sent.add(name)
            socketio.sleep(0)  # this view's sockets are written before the next view is rendered
    except Exception:  # the clients of the views not sent re-fetch, as everyone else
        log.exception("could not render the pushed parts of league %s", lid)
    finally:
        views.close()
        db.session.rollback()  # after the commit: only this read ends; the next pass reads anew
    for name in _pusher["names"]:
        if name not in sent:
            _emit("changed", payload, f"v{lid}:{name}")


def wait_for_pushes(timeout: float = 10.0) -> bool:
    """Wait until the background pushes started so far (and those they lead to) are done (tests,
    CLI); True if none is left."""
    deadline = time.monotonic() + timeout
    while _tasks and time.monotonic() < deadline:
        for task in list(_tasks):
            task.join(max(0.0, deadline - time.monotonic()))
            _tasks.discard(task) if not _alive(task) else None
    return not _tasks


def _alive(task) -> bool:
    dead = getattr(task, "dead", None)
    return not dead if dead is not None else task.is_alive()


def announce_round(rnd, what: str, league_ids=None):
    """Tell public pages that a round's public state changed in the leagues `league_ids` (by
    default: the leagues whose draw of the round is public). Spectators of other leagues, and
    everyone when `league_ids` is empty, hear nothing: an unreleased draw or result is nobody's
    news. The staff room always hears."""
    payload = {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "what": what}
    if league_ids is None:
        league_ids = {rl.league_id for rl in rnd.leagues if rl.draw_released}
    public = [rl.league_id for rl in rnd.leagues if rl.league_id in league_ids]
    # The hints first: once the leagues' tasks are started the request has nothing left to wait for.
    _emit("staff", payload, f"staff{rnd.tournament_id}")
    if public:
        _emit("changed", payload, f"t{rnd.tournament_id}")
    for lid in public:
        _emit_league(payload, lid)


def announce_motion_edit(rnd, league_id: int) -> bool:
    """After a league's motion was saved (and committed): a correction to a motion spectators
    already see reaches them at once; an unreleased one is nobody's news. Returns whether the
    motion was public."""
    if not (rnd.motion_public(league_id) and rnd.draw_public(league_id)):
        return False
    announce_round(rnd, "motion", league_ids={league_id})
    return True


def announce_ballot(debate, ballot_id: int, what: str):
    """Ballots are staff-only news; the public hears about a result only once it counts: confirmed,
    in a league whose results of the round are released, and the round not silent (and when a
    released forfeit is undone: the result it showed is gone)."""
    rnd = debate.round
    _emit("staff", {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "debate_id": debate.id,
                    "ballot_id": ballot_id, "what": what}, f"staff{rnd.tournament_id}")
    public = (what == "confirmed" and debate.confirmed_at is not None) or what == "forfeit_undone"
    if public and rnd.results_public(debate.league_id):
        payload = {"tournament_id": rnd.tournament_id, "round_id": rnd.id, "league_id": debate.league_id,
                   "what": "result"}
        _emit("changed", payload, f"t{rnd.tournament_id}")
        _emit_league(payload, debate.league_id)


def announce_ballot_submitted(tournament_id: int, round_id: int, debate_id: int, ballot_id: int):
    """announce_ballot(debate, ballot_id, "submitted") from plain ids: the same staff event, for
    the ballot API, which stores a ballot without loading the debate as an object."""
    _emit("staff", {"tournament_id": tournament_id, "round_id": round_id, "debate_id": debate_id,
                    "ballot_id": ballot_id, "what": "submitted"}, f"staff{tournament_id}")


def announce_tournament(t):
    payload = {"tournament_id": t.id, "what": "tabs"}
    _emit("changed", payload, f"t{t.id}")
    for lg in t.leagues:
        _emit_league(payload, lg.id)


def announce_problem(tournament_id):
    _emit("staff", {"tournament_id": tournament_id, "what": "problem"}, f"staff{tournament_id}")


# ----- the client side of the rooms: joining, and the state a client asks for after a reconnect -----

def _now_ms() -> int:
    return int(time.time() * 1000)


def _int(value):
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def on_join(data=None):
    """{"tournament": tid, "league": lid, "staff": bool, "view": {"parts": [...], "projector": bool,
    "lang": code}} -> joins "t<tid>", "l<lid>" (the league must belong to the tournament) or, when
    "view" names a pushed view of the league in its language (and not staff), only "v<lid>:<view>"
    (events with the view's parts); and, for a signed-in user who works on the tournament,
    "staff<tid>". Answers (Socket.IO ack) with the rooms joined and the server's clock."""
    data = data if isinstance(data, dict) else {}
    tid, lid = _int(data.get("tournament")), _int(data.get("league"))
    joined, refused = [], []
    t = db.session.get(Tournament, tid) if tid is not None else None
    if t is not None:
        lg = db.session.get(League, lid) if lid is not None else None
        if lg is not None and lg.tournament_id != t.id:
            lg = None
        view = _view(data.get("view"), lg) if lg is not None and not data.get("staff") else None
        rooms = [f"v{lg.id}:{view}"] if view else [f"t{t.id}"] + ([f"l{lg.id}"] if lg is not None else [])
        for room in rooms:
            join_room(room)
            joined.append(room)
        if lid is not None and lg is None:
            refused.append("league")
        if data.get("staff"):
            if current_user.is_authenticated and current_user.role_in(t.id) in ("director", "staff"):
                join_room(f"staff{t.id}")
                joined.append(f"staff{t.id}")
            else:
                refused.append("staff")
    elif tid is not None:
        refused.append("tournament")
    log.debug("sid %s joined %s", getattr(request, "sid", None), joined)
    db.session.remove()
    return {"rooms": joined, "refused": refused, "server_time": _now_ms()}


def _view(view, league):
    """The pushed view asked for in a join, or None."""
    if not isinstance(view, dict) or _pusher["view"] is None or not _push_enabled():
        return None
    parts = view.get("parts")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        return None
    return _pusher["view"](parts, bool(view.get("projector")), view.get("lang"), league)


def public_state(t) -> dict:
    """What a reconnecting public client needs to know it is up to date: release flags only, as
    spectators see them (each league's; a round's are those of any of its leagues)."""
    rounds = db.session.scalars(select(Round).where(Round.tournament_id == t.id).order_by(Round.seq)
                                .options(selectinload(Round.leagues))).all()
    out = []
    for r in rounds:
        leagues = [{"league_id": rl.league_id, "draw_released": bool(rl.draw_released),
                    "motion_released": bool(rl.draw_released and rl.motion_released),
                    "results_released": bool(rl.results_released and not r.silent)} for rl in r.leagues]
        out.append({"id": r.id, **{k: any(lg[k] for lg in leagues)
                                   for k in ("draw_released", "motion_released", "results_released")},
                    "leagues": leagues})
    return {"tournament_id": t.id, "server_time": _now_ms(), "rounds": out,
            "team_standings": bool(t.team_standings_released),
            "speaker_standings": bool(t.speaker_standings_released), "bracket": bool(t.bracket_released)}


def on_state(data=None):
    """Ack with the tournament's public release state and the server time (clients call it on every
    (re)connect, then re-fetch their page's JSON, so nothing said while they were away is missed)."""
    data = data if isinstance(data, dict) else {}
    tid = _int(data.get("tournament"))
    t = db.session.get(Tournament, tid) if tid is not None else None
    out = public_state(t) if t is not None else {"server_time": _now_ms()}
    db.session.remove()
    return out


_installed = set()


def install_handlers(sio=socketio):
    """Register the handlers on the Socket.IO server created by init_app (once per server)."""
    if sio.server is None or id(sio.server) in _installed:
        return
    _installed.add(id(sio.server))
    sio.on_event("join", on_join)
    sio.on_event("state", on_state)
