"""Feedback on adjudicators and the teams' private pages.

- /team/<key>: a team's private page (its own draw, room and released results, its appeal form
  without a code to type, and its feedback on the panel), in its league's language;
- /team/<key>/feedback/<did> and /j/<key>/feedback/<did>: feedback from a phone (offline-tolerant:
  static/js/feedback.js sends through the same outbox as ballots, static/js/outbox.js);
- /t/<tid>/feedback/...: what the tournament's directors read (never anyone else);
- /t/<tid>/teams/links: the teams' printable QR sheet; re-issuing a team's key;
- /p/<tid>/l/<lid>/motions (and the projector): motion statistics of released rounds.
"""
import uuid
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.extensions import db
from ..core.web import on_refusal, public_link, tournament_for
from ..documents.qr import qr_svg_data_uri
from ..models import Adjudicator, Debate, League, Round, RoundLeague, Team, Tournament
from ..models.participants import new_private_key
from ..services import appeals as appeals_svc
from ..services import feedback as svc
from ..services import motion_stats
from ..services.audit import audit
from ..services.rounds import motions_of
from ..text.i18n import use_tournament
from ..text.sorting import sort_key

bp = Blueprint("feedback", __name__)


def _team(key) -> Team:
    team = svc.team_by_key(key)
    if team is None:
        abort(404)
    use_tournament(db.session.get(Tournament, team.tournament_id))
    g.page_locale = team.league.language
    return team


def _adjudicator(key) -> Adjudicator:
    adj = svc.adjudicator_by_key(key)
    if adj is None:
        abort(404)
    use_tournament(db.session.get(Tournament, adj.tournament_id))
    return adj


def _now():
    return datetime.now(timezone.utc)


# ===== the team's private page =====

@bp.get("/team/<key>")
def team_home(key):
    team = _team(key)
    t = db.session.get(Tournament, team.tournament_id)
    source = svc.Source(team=team)
    debates = svc.feedback_debates(source)
    current = debates[0] if debates else None
    motion = None
    if current is not None and current[1].motion_public(current[0].league_id):
        motion = motions_of(current[1]).get(current[0].league_id)
    results = [(d, r) for d, r in debates if motion_stats.released(r, d.league_id) and d.confirmed_at is not None]
    todo = [(d, r, svc.targets(d, source, t), svc.given(source, d.id)) for d, r in debates]
    now = _now()
    return render_template("feedback/team_home.html", t=t, team=team, key=key, current=current, motion=motion,
                           results=results, todo=todo, rounds=appeals_svc.open_rounds(t, now),
                           show_panel=not t.setting("hide_panels_public"))


@bp.post("/team/<key>/appeal")
def team_appeal(key):
    team = _team(key)
    t = db.session.get(Tournament, team.tournament_id)
    back = on_refusal(url_for("feedback.team_home", key=key) + "#appeal")
    appeals_svc.file_appeal_for_team(t, team, request.form.get("round_id"), request.form.get("text"), _now())
    db.session.commit()
    flash(_("Your appeal reached the tab room."), "success")
    return redirect(back)


# ===== feedback from a phone =====

def _form_int(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else value


def _feedback_page(source, key, did, home_url, form_endpoint):
    debate = db.session.get(Debate, did)
    if debate is None or svc.seat_of(debate, source) is None or not debate.round.draw_public(debate.league_id):
        abort(404)
    t = debate.round.tournament
    g.page_locale = debate.league.language
    if request.method == "POST":
        back = on_refusal(url_for(form_endpoint, key=key, did=did))
        data = {"debate_id": debate.id, "adjudicator_id": request.form.get("adjudicator_id"),
                "score": _form_int(request.form.get("score")), "comment": request.form.get("comment"),
                "client_id": request.form.get("client_id") or str(uuid.uuid4())}
        fb, _created = svc.submit(source, data)
        db.session.commit()
        flash(_("Feedback received (version %(v)s). Thank you.", v=fb.version), "success")
        return redirect(back)
    seats = svc.targets(debate, source, t)
    return render_template("feedback/give.html", t=t, debate=debate, rnd=debate.round, seats=seats,
                           given=svc.given(source, debate.id), key=key, home_url=home_url,
                           header="X-Team-Key" if source.team is not None else "X-Adjudicator-Key",
                           who=source.team.name if source.team is not None else source.adjudicator.name,
                           new_id=lambda: str(uuid.uuid4()), scores=range(svc.SCORE_MIN, svc.SCORE_MAX + 1))


@bp.route("/team/<key>/feedback/<int:did>", methods=["GET", "POST"])
def team_feedback(key, did):
    team = _team(key)
    return _feedback_page(svc.Source(team=team), key, did, url_for("feedback.team_home", key=key),
                          "feedback.team_feedback")


@bp.route("/j/<key>/feedback/<int:did>", methods=["GET", "POST"])
def judge_feedback(key, did):
    adj = _adjudicator(key)
    return _feedback_page(svc.Source(adjudicator=adj), key, did, url_for("judge.home", key=key),
                          "feedback.judge_feedback")


@bp.get("/j/<key>/feedback")
def judge_feedback_list(key):
    adj = _adjudicator(key)
    g.page_locale = (adj.languages or ["kk"])[0]
    source = svc.Source(adjudicator=adj)
    t = db.session.get(Tournament, adj.tournament_id)
    todo = [(d, r, svc.targets(d, source, t), svc.given(source, d.id)) for d, r in svc.feedback_debates(source)]
    return render_template("feedback/judge_list.html", t=t, adj=adj, key=key, todo=todo)


# ===== the teams' private links =====

@bp.get("/t/<int:tid>/teams/links")
@login_required
def team_links(tid):
    """A printable sheet: every team's private link as a QR code."""
    t = tournament_for(tid, roles=("director",))
    teams = sorted(db.session.scalars(select(Team).where(Team.tournament_id == t.id)).all(),
                   key=lambda x: sort_key(x.name))
    cards = [(x, public_link(t, "feedback.team_home", key=x.private_key)) for x in teams]
    return render_template("feedback/team_links.html", t=t, cards=[(x, u, qr_svg_data_uri(u)) for x, u in cards])


@bp.post("/t/<int:tid>/teams/<int:oid>/reissue-key")
@login_required
def team_reissue_key(tid, oid):
    t = tournament_for(tid, roles=("director",))
    team = db.session.get(Team, oid)
    if team is None or team.tournament_id != t.id:
        abort(404)
    team.private_key = new_private_key()  # the old link stops working at once
    audit(t.id, "team_key_reissued", team, user=current_user)
    db.session.commit()
    flash(_("A new private link was issued for %(name)s; the old one no longer works.", name=team.name), "success")
    return redirect(url_for("feedback.team_links", tid=t.id))


# ===== the directors' pages =====

SORTS = ("name", "average", "count", "rating", "suggested")


@bp.get("/t/<int:tid>/feedback/")
@login_required
def overview(tid):
    t = tournament_for(tid, roles=("director",))
    rows = svc.overview(t)
    sort = request.args.get("sort", "average")
    if sort not in SORTS:
        sort = "average"
    if sort == "name":
        rows.sort(key=lambda s: sort_key(s.adjudicator.name))
    else:
        value = {"average": lambda s: s.average, "count": lambda s: s.n, "rating": lambda s: s.adjudicator.rating,
                 "suggested": lambda s: s.suggested}[sort]
        rows.sort(key=lambda s: (value(s) is None, -(value(s) or 0), sort_key(s.adjudicator.name)))
    rounds = db.session.scalars(select(Round).where(Round.tournament_id == t.id, Round.id.in_(
        select(RoundLeague.round_id).where(RoundLeague.draw_released.is_(True))))
                                .order_by(Round.seq)).all()
    return render_template("feedback/overview.html", t=t, rows=rows, sort=sort, sorts=SORTS, rounds=rounds,
                           k=svc.PRIOR_WEIGHT)


@bp.post("/t/<int:tid>/feedback/apply")
@login_required
def apply(tid):
    t = tournament_for(tid, roles=("director",))
    back = on_refusal(url_for("feedback.overview", tid=t.id, sort=request.form.get("sort", "average")))
    ids = None if request.form.get("all") else [int(i) for i in request.form.getlist("adjudicator_id") if i.isdigit()]
    changes = svc.apply_ratings(t, current_user, ids)
    db.session.commit()
    flash(_("Ratings applied: %(n)s changed.", n=len(changes)), "success")
    return redirect(back)


@bp.get("/t/<int:tid>/feedback/adjudicators/<int:aid>")
@login_required
def adjudicator(tid, aid):
    t = tournament_for(tid, roles=("director",))
    adj = db.session.get(Adjudicator, aid)
    if adj is None or adj.tournament_id != t.id:
        abort(404)
    return render_template("feedback/adjudicator.html", t=t, s=svc.adjudicator_summary(adj))


@bp.get("/t/<int:tid>/feedback/missing")
@login_required
def missing(tid):
    t = tournament_for(tid, roles=("director",))
    rounds = db.session.scalars(select(Round).where(Round.tournament_id == t.id, Round.id.in_(
        select(RoundLeague.round_id).where(RoundLeague.draw_released.is_(True))))
                                .order_by(Round.seq)).all()
    rid = request.args.get("round", type=int)
    rnd = next((r for r in rounds if r.id == rid), rounds[-1] if rounds else None)
    rows = svc.missing(t, rnd) if rnd is not None else []
    return render_template("feedback/missing.html", t=t, rounds=rounds, rnd=rnd, rows=rows)


# ===== motion statistics (public: released rounds only) =====

def _public_league(tid, lid):
    t = db.session.get(Tournament, tid)
    league = db.session.get(League, lid)
    if t is None or league is None or league.tournament_id != t.id:
        abort(404)
    use_tournament(t)
    g.page_locale = league.language
    return t, league


@bp.get("/p/<int:tid>/l/<int:lid>/motions")
def motions(tid, lid):
    t, league = _public_league(tid, lid)
    return render_template("feedback/motions.html", t=t, league=league, rows=motion_stats.league_stats(league))


@bp.get("/p/<int:tid>/l/<int:lid>/motions/projector")
def motions_projector(tid, lid):
    t, league = _public_league(tid, lid)
    return render_template("feedback/motions_projector.html", t=t, league=league,
                           rows=motion_stats.league_stats(league))



