"""Public pages: only what a spectator may see.

/p/<tid>/                          the tournament: its leagues and links
/p/<tid>/l/<lid>/draw              the current released draw (and the motion once released)
/p/<tid>/l/<lid>/results           results of released, non-silent rounds
/p/<tid>/l/<lid>/standings         team standings once released
/p/<tid>/l/<lid>/speakers          speaker standings once released
/p/<tid>/l/<lid>/bracket           the elimination bracket once released
/p/<tid>/l/<lid>/projector?view=draw|motion|standings|bracket|cycle[&every=N]
/p/<tid>/l/<lid>/live.json?part=…  the same parts as HTML fragments, for static/js/live.js

Every part is rendered by one fragment template from one builder below, both for the first
page load and for the live re-fetch, so the release rules are applied in exactly one place.
Rendered parts and live.json bodies are cached per (tournament, league, parts, projector style,
language) and public version (debate/live/cache.py: the version changes after every commit
that wrote anything public), and live.json answers If-None-Match with 304. A live.json already
in the cache is answered before Flask (LiveJsonFastPath): after an event a thousand phones ask
for it within half a second.
Spectators never see grades, genders, schools' pupils' contacts or coaches: the builders read
team names, room names, adjudicator names (unless hide_panels_public) and released marks only.
"""
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import parse_qs

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.http import parse_cookie, parse_etags

from ..api.standings import bracket_json
from ..core.extensions import db
from ..core.web import CSP
from ..live import cache as public_cache
from ..live.events import register_pusher
from ..models import Bye, Debate, DebateAdjudicator, League, Motion, Round, RoundLeague, Tournament
from ..services.standings import speaker_rows, team_rows, withdrawn_team_ids
from ..text.i18n import LANG_COOKIE, use_tournament
from ..text.sorting import sort_key

bp = Blueprint("public", __name__)
# live.json hits are answered before Flask (see LiveJsonFastPath at the end).
bp.record_once(lambda state: install_fast_path(state.app))

PARTS = ("draw", "motion", "results", "standings", "speakers", "bracket")
PROJECTOR_VIEWS = ("draw", "motion", "standings", "bracket")
PAGE_PARTS = ("draw", "results", "standings", "speakers", "bracket")


@bp.get("/")
def home():
    """Where a spectator arrives: every tournament with a link to its public page, and for each
    league its live page and projector, with the round whose draw is out (nothing unreleased)."""
    tournaments = db.session.scalars(select(Tournament).options(selectinload(Tournament.leagues))
                                     .order_by(Tournament.start_date.desc().nulls_last(), Tournament.created_at.desc())
                                     .limit(50)).all()
    now = {}  # league id -> the newest round whose draw is released in that league
    if tournaments:
        released = db.session.execute(select(Round, RoundLeague.league_id).join(RoundLeague)
                                      .where(Round.tournament_id.in_([t.id for t in tournaments]),
                                             RoundLeague.draw_released.is_(True)).order_by(Round.seq)).all()
        for rnd, league_id in released:
            now[league_id] = rnd
    return render_template("public/home.html", tournaments=tournaments, now=now, user=current_user)


# ----- what the public may see -----

def _tournament(tid) -> Tournament:
    t = db.session.get(Tournament, tid)
    if t is None:
        abort(404)
    use_tournament(t)
    return t


def _league(t, lid) -> League:
    lg = db.session.get(League, lid)
    if lg is None or lg.tournament_id != t.id:
        abort(404)
    return lg


def _league_rounds(t, league):
    return [r for r in db.session.scalars(select(Round).where(Round.tournament_id == t.id).order_by(Round.seq)
                                          .options(selectinload(Round.leagues)))
            if any(rl.league_id == league.id for rl in r.leagues)]


def current_round(t, league):
    """The newest round of the league whose draw is released in the league (None before the
    first release)."""
    released = [r for r in _league_rounds(t, league) if r.draw_public(league.id)]
    return released[-1] if released else None


def _debates(rnd, league):
    return db.session.scalars(select(Debate).where(Debate.round_id == rnd.id, Debate.league_id == league.id).options(
        selectinload(Debate.gov), selectinload(Debate.opp), selectinload(Debate.room),
        selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator))).all()


def _debate_item(d, show_panel, show_result):
    # Withdrawn teams and adjudicators stay where they appear, marked as withdrawn.
    return {"id": d.id, "room": d.room.name if d.room else None, "gov": d.gov.name, "opp": d.opp.name,
            "gov_withdrawn": not d.gov.active, "opp_withdrawn": not d.opp.active,
            "panel": [{"name": p.adjudicator.name, "chair": p.role == "chair", "withdrawn": not p.adjudicator.available}
                      for p in d.panel] if show_panel else [],
            "winner": d.winner if (show_result and d.confirmed_at) else None,
            "forfeit": d.forfeit if (show_result and d.confirmed_at) else None}


def draw_part(t, league):
    rnd = current_round(t, league)
    if rnd is None:
        return {"available": False, "round": None}
    show_panel = not t.setting("hide_panels_public")
    debates = sorted(_debates(rnd, league), key=lambda d: (d.room is None, sort_key(d.room.name if d.room else ""), d.id))
    byes = db.session.scalars(select(Bye).where(Bye.round_id == rnd.id, Bye.league_id == league.id)
                              .options(selectinload(Bye.team))).all()
    return {"available": True, "round": rnd, "debates": [_debate_item(d, show_panel, rnd.results_public(league.id)) for d in debates],
            "byes": sorted(({"name": b.team.name, "withdrawn": not b.team.active} for b in byes),
                           key=lambda b: sort_key(b["name"])), "motion": motion_part(t, league, rnd)}


def motion_part(t, league, rnd=None):
    rnd = rnd if rnd is not None else current_round(t, league)
    rl = rnd.league_part(league.id) if rnd is not None else None
    if rl is None or not rl.motion_released:
        return {"available": False, "round": rnd}
    m = db.session.scalar(select(Motion).where(Motion.round_id == rnd.id, Motion.league_id == league.id))
    if m is None:
        return {"available": False, "round": rnd}
    released = rl.motion_released_at  # this league's own release: its countdown
    if released.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
        released = released.replace(tzinfo=timezone.utc)
    return {"available": True, "round": rnd, "text": m.text, "info_slide": m.info_slide,
            "released_ms": int(released.timestamp() * 1000),
            "prep_seconds": int(t.setting("prep_minutes") or 0) * 60}


def results_part(t, league):
    rounds = [r for r in _league_rounds(t, league) if r.draw_public(league.id) and r.results_public(league.id)]
    out = []
    for rnd in reversed(rounds):
        debates = sorted(_debates(rnd, league), key=lambda d: (d.room is None, sort_key(d.room.name if d.room else ""), d.id))
        out.append({"round": rnd, "debates": [_debate_item(d, False, True) for d in debates]})
    return {"available": bool(out), "rounds": out}


def rounds_counted(t, league):
    """Which preliminary rounds the public standings of the league include, and why the others
    seen by the public (their draw is out) are left out: {"included": [numbers], "silent":
    [numbers], "unreleased": [numbers]}. The same rule as the standings (history, public=True):
    results released in the league and the round not silent."""
    included, silent, unreleased = [], [], []
    for r in _league_rounds(t, league):
        if r.kind != "prelim":
            continue
        if r.results_public(league.id):
            included.append(r.number)
        elif r.draw_public(league.id):
            (silent if r.silent else unreleased).append(r.number)
    return {"included": included, "silent": silent, "unreleased": unreleased}


def standings_part(t, league):
    if not t.team_standings_released:
        return {"available": False}
    withdrawn = withdrawn_team_ids(league)
    rows = [{"rank": r.rank, "tied": r.tied, "name": name, "wins": r.wins, "points": r.speaker_points,
             "withdrawn": r.team_id in withdrawn} for r, name in team_rows(league, public=True)]
    return {"available": True, "rows": rows, "counted": rounds_counted(t, league)}


def speakers_part(t, league):
    if not t.speaker_standings_released:
        return {"available": False}
    withdrawn = withdrawn_team_ids(league)
    rows = [{"rank": r.rank, "tied": r.tied, "name": name, "team": team, "total": r.total,
             "average": r.average, "ranked": r.ranked, "withdrawn": r.team_id in withdrawn}
            for r, name, team in speaker_rows(league, public=True)]
    return {"available": True, "rows": rows, "counted": rounds_counted(t, league)}


def bracket_part(t, league):
    if not t.bracket_released:
        return {"available": False}
    data = bracket_json(league, public=True)
    withdrawn = withdrawn_team_ids(league)
    for s in data["seeds"]:
        s["withdrawn"] = s["team_id"] in withdrawn
    for r in data["rounds"]:
        for d in r["debates"]:
            for side in ("gov", "opp"):
                d[side]["withdrawn"] = d[side]["team_id"] in withdrawn
    return {"available": bool(data["seeds"] or data["rounds"]), "seeds": data["seeds"], "rounds": data["rounds"],
            "counted": rounds_counted(t, league)}


BUILDERS = {"draw": draw_part, "motion": motion_part, "results": results_part, "standings": standings_part,
            "speakers": speakers_part, "bracket": bracket_part}


@dataclass
class Rendered:
    part: str
    available: bool
    html: str
    countdown: dict | None


def render_part(t, league, part, projector=False) -> Rendered:
    data = BUILDERS[part](t, league)
    html = render_template(f"public/_{part}.html", t=t, league=league, data=data, projector=projector)
    countdown = None
    motion = data if part == "motion" else data.get("motion") if part == "draw" else None
    if motion and motion.get("available"):
        countdown = {"released_ms": motion["released_ms"], "prep_seconds": motion["prep_seconds"]}
    return Rendered(part, bool(data.get("available")), html, countdown)


def _now_ms() -> int:
    return int(time.time() * 1000)


# ----- the cache (debate/live/cache.py) -----

def _version():
    """The public version; read before anything else of the request touches the database."""
    return public_cache.cache().version()


def _key(version, *what):
    return None if version is None else (version, *what)


def cached_part(version, t, league, part, projector=False) -> Rendered:
    key = _key(version, "part", t.id, league.id, part, bool(projector), str(get_locale()))
    return public_cache.cache().get(key, lambda: render_part(t, league, part, projector=projector))


def _league_language(tid, lid):
    """The league's language if the league belongs to the tournament, else None."""
    lg = db.session.get(League, lid)
    return lg.language if lg is not None and lg.tournament_id == tid else None


def _live_body(version, tid, lid, wanted, projector_style):
    """The live.json body up to its server clock, and its ETag (a hash of that content)."""
    t = _tournament(tid)
    league = _league(t, lid)
    parts, countdown = {}, None
    for p in wanted:
        r = cached_part(version, t, league, p, projector=projector_style)
        parts[p] = {"available": r.available, "html": r.html}
        countdown = countdown or r.countdown
    text = json.dumps({"tournament": t.id, "league": league.id, "parts": parts, "countdown": countdown},
                      ensure_ascii=False, separators=(",", ":"))
    # The ETag is the content's: a write elsewhere changes the version, not what this page shows.
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    # "version": the public version the body was rendered at (live.js keeps the newer of this and
    # of an event's pushed parts).
    prefix = (text[:-1] + ',"version":' + json.dumps(version[0] if version else None) + ',"server_time":').encode()
    return prefix, etag


# ----- the parts pushed with an event (debate/live/events.py) -----

# The views whose content travels with a "changed" event, in the league's language: each public
# page (one part) and the projector's cycle. A client of another view or language is told only
# that something changed and re-fetches its live.json.
PUSHED_VIEWS = {**{p: ((p,), False) for p in PAGE_PARTS}, "projector": (PROJECTOR_VIEWS, True)}


def pushed_view(parts, projector, lang, league) -> str | None:
    """The name of the pushed view a client showing `parts` (projector style or not) in `lang`
    may join for `league`, or None (then it re-fetches after each event)."""
    if lang != league.language:
        return None
    for name, (view_parts, view_projector) in PUSHED_VIEWS.items():
        if tuple(parts) == view_parts and bool(projector) == view_projector:
            return name
    return None


def push_parts(league_id):
    """Called by debate/live/events.py (in the background, after a commit that changed the league's
    public state): yields (view, version, language, {part: {"available", "html"}}, countdown) for
    each pushed view (version: the whole cache version tuple, or None),
    rendered now in the league's language exactly as live.json would answer at this moment
    (one view at a time, so the first can travel while the next renders). The version is read
    first, then the database (so the content is never older than its version); the renders
    fill this process's cache."""
    version = _version()
    league = db.session.get(League, league_id)
    if league is None:
        return
    t = db.session.get(Tournament, league.tournament_id)
    use_tournament(t)
    with force_locale(league.language):
        for name, (parts, projector_style) in PUSHED_VIEWS.items():
            rendered = [cached_part(version, t, league, p, projector=projector_style) for p in parts]
            yield (name, version, league.language,
                   {r.part: {"available": r.available, "html": r.html} for r in rendered},
                   next((r.countdown for r in rendered if r.countdown), None))


register_pusher(push_parts, pushed_view, PUSHED_VIEWS)


def _league_page_locale(league):
    # A league's pages speak its language unless the visitor chose one (debate/i18n.select_locale).
    g.page_locale = league.language


def _live_config(t, league, parts, **extra):
    return {"tournament": t.id, "league": league.id if league else None, "parts": list(parts),
            "json_url": url_for("public.live_json", tid=t.id, lid=league.id) if league else None,
            "lang": str(get_locale()), "server_time": _now_ms(), **extra}


# ----- pages -----

@bp.get("/p/<int:tid>/")
def tournament_page(tid):
    t = _tournament(tid)
    return render_template("public/tournament.html", t=t, config=_live_config(t, None, ()))


@bp.get("/p/<int:tid>/l/<int:lid>/")
def league_page(tid, lid):
    return redirect(url_for("public.part_page", tid=tid, lid=lid, part="draw"))


@bp.get("/p/<int:tid>/l/<int:lid>/<any(draw, results, standings, speakers, bracket):part>")
def part_page(tid, lid, part):
    version = _version()
    t = _tournament(tid)
    league = _league(t, lid)
    _league_page_locale(league)
    r = cached_part(version, t, league, part)
    return render_template("public/league.html", t=t, league=league, part=part, parts=PAGE_PARTS, rendered=r,
                           config=_live_config(t, league, [part], countdown=r.countdown))


@bp.get("/p/<int:tid>/l/<int:lid>/projector")
def projector(tid, lid):
    version = _version()
    t = _tournament(tid)
    league = _league(t, lid)
    _league_page_locale(league)
    view = request.args.get("view", "cycle")
    if view not in PROJECTOR_VIEWS + ("cycle",):
        view = "cycle"
    try:
        every = min(max(int(request.args.get("every", 20)), 5), 600)
    except ValueError:
        every = 20
    views = PROJECTOR_VIEWS if view == "cycle" else (view,)
    rendered = {v: cached_part(version, t, league, v, projector=True) for v in views}
    countdown = next((r.countdown for r in rendered.values() if r.countdown), None)
    return render_template("projector/show.html", t=t, league=league, view=view, views=views, rendered=rendered,
                           config=_live_config(t, league, views, projector=True, cycle=view == "cycle",
                                              every=every, countdown=countdown))


@bp.get("/p/<int:tid>/l/<int:lid>/live.json")
def live_json(tid, lid):
    """The public parts of a league page, rendered, with the server clock: what live.js re-fetches
    after every "changed" event and after every (re)connect. From the cache, a hit reads nothing
    from the database; with If-None-Match equal to the content's ETag the answer is 304 (no body;
    the clock in X-Server-Time)."""
    version = _version()
    store = public_cache.cache()
    wanted, projector_style = _wanted(request.args.get("parts")), request.args.get("projector") == "1"
    language = store.get(_key(version, "league", tid, lid), lambda: _league_language(tid, lid))
    if language is None:
        abort(404)
    g.page_locale = language  # as _league_page_locale: the league's language unless one was chosen
    prefix, etag = store.get(_json_key(version, tid, lid, wanted, projector_style, str(get_locale())),
                             lambda: _live_body(version, tid, lid, wanted, projector_style))
    status, headers, body = _live_response(prefix, etag, request.headers.get("If-None-Match"))
    resp = Response(body, status=status, mimetype="application/json" if body else None)
    resp.headers.update(headers)
    return resp


def _wanted(parts_arg):
    return [p for p in (parts_arg or "draw").split(",") if p in PARTS][:len(PARTS)] or ["draw"]


def _json_key(version, tid, lid, wanted, projector_style, locale):
    return _key(version, "json", tid, lid, tuple(wanted), bool(projector_style), locale)


def _live_response(prefix, etag, if_none_match):
    """(status, headers, body) of live.json: the cached body with the server clock, or 304."""
    now = str(_now_ms())
    headers = {"ETag": etag, "X-Server-Time": now,
               # Stored by nobody without asking again; the answer depends on the chosen language.
               "Cache-Control": "no-cache", "Vary": "Cookie, Accept-Language"}
    # Weak comparison (RFC 9110): a proxy that compresses the body (nginx gzip) sends W/"...".
    if if_none_match and parse_etags(if_none_match).contains_weak(etag.strip('"')):
        return 304, headers, b""
    return 200, headers, prefix + now.encode() + b"}"


# ----- live.json from the cache, before Flask -----

_LIVE_JSON_PATH = re.compile(r"^/p/([0-9]{1,9})/l/([0-9]{1,9})/live\.json$")


class LiveJsonFastPath:
    """WSGI middleware: a GET of a live.json that is in the cache for the current public version
    is answered here, without Flask's request machinery (measured: ~1,100 such answers a second
    through Flask on one process, ~3x that here). Anything else, and every miss, goes to Flask,
    which renders, fills the cache and applies the same rules: the key is built exactly as
    live_json() builds it. The language is live_json()'s too: a valid "lang" cookie, else the
    league's language (a league page never falls back to Accept-Language); a request with ?lang=
    goes to Flask (it sets the cookie). Headers: those of live_json() and of debate.core.web."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.languages = tuple(app.config["LANGUAGES"])

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            m = _LIVE_JSON_PATH.match(environ.get("PATH_INFO") or "")
            if m:
                answer = self._answer(environ, int(m.group(1)), int(m.group(2)))
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ, tid, lid):
        query = parse_qs(environ.get("QUERY_STRING") or "")
        if "lang" in query:
            return None
        store = self.app.extensions.get(public_cache._EXT)
        version = store.version() if store is not None else None
        if version is None:
            return None
        language = store.peek((version, "league", tid, lid))
        if language is public_cache.MISS or language is None:
            return None  # not cached yet, or no such league (Flask answers 404)
        chosen = self._cookie_language(environ.get("HTTP_COOKIE"))
        parts = query.get("parts", ["draw"])[-1]
        projector_style = query.get("projector", [""])[-1] == "1"
        entry = store.peek(_json_key(version, tid, lid, _wanted(parts), projector_style, chosen or language))
        if entry is public_cache.MISS:
            return None
        prefix, etag = entry
        status, headers, body = _live_response(prefix, etag, environ.get("HTTP_IF_NONE_MATCH"))
        out = [*headers.items(), ("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
               ("X-Request-Id", secrets.token_hex(6))]
        if status == 200:
            out += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return ("200 OK" if status == 200 else "304 NOT MODIFIED"), out, body

    def _cookie_language(self, header):
        if not header or LANG_COOKIE not in header:
            return None
        value = parse_cookie(header).get(LANG_COOKIE)  # Flask's own parser
        return value if value in self.languages else None


def install_fast_path(app):
    if app.config.get("LIVE_JSON_FAST_PATH", True):
        app.wsgi_app = LiveJsonFastPath(app, app.wsgi_app)
