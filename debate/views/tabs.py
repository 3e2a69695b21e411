"""The director's tabs: team and speaker standings, nominations, the break, releases, exports."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..messages import error_text
from ..models import League
from ..services import standings as svc
from ..services.rounds import RoundRefused
from ..web import tournament_for

bp = Blueprint("tabs", __name__, url_prefix="/t/<int:tid>/leagues/<int:lid>")


def _league(t, lid) -> League:
    lg = db.session.get(League, lid)
    if lg is None or lg.tournament_id != t.id:
        abort(404)
    return lg


@bp.get("/standings")
@login_required
def standings(tid, lid):
    t = tournament_for(tid)
    league = _league(t, lid)
    team_rows = svc.team_tab(league)
    cut = int(t.setting("break_size"))
    return render_template("tabs/standings.html", t=t, league=league, rows=team_rows, cut=cut,
                           seeds=svc.break_of(league), speakers=svc.speaker_tab(league),
                           nominations=svc.nominations(league))


@bp.post("/break")
@login_required
def make_break(tid, lid):
    t = tournament_for(tid, roles=("director",))
    league = _league(t, lid)
    size = int(request.form.get("size") or t.setting("break_size"))
    include = request.form.getlist("include", type=int) or None
    try:
        svc.make_break(league, size, include=include, user=current_user)
        db.session.commit()
        flash(_("The break is announced: %(n)s teams.", n=size), "success")
    except RoundRefused as e:
        db.session.rollback()
        flash(error_text(e.code, e.params), "error")
        if e.code == "tie_at_cut":
            return redirect(url_for("tabs.standings", tid=t.id, lid=lid, tie=",".join(map(str, e.params["team_ids"])),
                                    places=e.params["places_left"], size=size) + "#break")
    return redirect(url_for("tabs.standings", tid=t.id, lid=lid) + "#break")


@bp.post("/release")
@login_required
def release(tid, lid):
    t = tournament_for(tid, roles=("director",))
    for key in ("team_standings", "speaker_standings", "bracket"):
        if key in request.form:
            setattr(t, f"{key}_released", request.form.get(key) == "1")
    db.session.commit()
    from ..live import announce_tournament
    announce_tournament(t)
    flash(_("Saved."), "success")
    return redirect(url_for("tabs.standings", tid=t.id, lid=lid))
