"""The season: which tournament a stage qualifies into, and promoting its teams."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.extensions import db
from ..core.web import form_int, on_refusal, tournament_for
from ..models import Adjudicator, Team, Tournament, TournamentMember
from ..services import season as season_svc
from ..services.participants import ValidationFailed
from ..text.messages import field_errors_text

bp = Blueprint("season", __name__)


def _directed_tournaments():
    return db.session.scalars(select(Tournament).join(TournamentMember).where(
        TournamentMember.user_id == current_user.id, TournamentMember.role == "director")
        .order_by(Tournament.created_at.desc())).all()


@bp.get("/t/<int:tid>/season")
@login_required
def season(tid):
    t = tournament_for(tid, roles=("director",))
    target = db.session.get(Tournament, t.qualifies_for_id) if t.qualifies_for_id else None
    adjs = {a.id: a for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id))}
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id))}
    return render_template("awards/season.html", t=t, target=target,
                           options=[x for x in _directed_tournaments() if x.id != t.id],
                           earlier=season_svc.earlier_tournaments(t), finished=season_svc.is_finished(t),
                           conflicts=season_svc.earlier_stage_conflicts(t), judged=season_svc.judged_earlier(t),
                           adjs=adjs, teams=teams, result=None)


@bp.post("/t/<int:tid>/season/qualifies")
@login_required
def qualifies(tid):
    t = tournament_for(tid, roles=("director",))
    target_id = form_int("target_id")
    target = tournament_for(target_id, roles=("director",)) if target_id else None
    back = on_refusal(url_for("season.season", tid=t.id))
    season_svc.set_qualifies_for(t, target, current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(back)


@bp.post("/t/<int:tid>/season/promote")
@login_required
def promote(tid):
    t = tournament_for(tid, roles=("director",))
    if not t.qualifies_for_id:
        abort(409)
    target = tournament_for(t.qualifies_for_id, roles=("director",))  # must direct the target too
    how = request.form.get("how")
    n = form_int("n", lo=1, hi=10000)
    on_refusal(url_for("season.season", tid=t.id))
    try:
        result = season_svc.promote(t, target, current_user, how=how, n=n)
        db.session.commit()
    except ValidationFailed as e:
        db.session.rollback()
        flash("; ".join(f"{k}: {v}" for errs in e.errors.values() for k, v in field_errors_text(errs).items()),
              "error")
        return redirect(url_for("season.season", tid=t.id))
    flash(_("%(n)s teams promoted to %(target)s.", n=len(result["promoted"]), target=target.name), "success")
    for team in result["collisions"]:
        flash(_("Not promoted: the name %(name)s is already used in %(target)s.", name=team.name,
                target=target.name), "error")
    for team in result["no_league"]:
        flash(_("Not promoted: %(target)s has no league in the language of %(name)s.", name=team.name,
                target=target.name), "error")
    for team in result["already"]:
        flash(_("Already promoted: %(name)s.", name=team.name), "success")
    return redirect(url_for("season.season", tid=t.id))
