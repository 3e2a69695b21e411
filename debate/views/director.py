"""The director's tournament pages: list, create, edit, dashboard."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import settings as settings_mod
from ..extensions import db
from ..models import Adjudicator, Room, Team, Tournament, TournamentMember
from ..models.people import may_create_tournaments
from ..models.tournament import LANGUAGES, STAGES
from ..services.participants import ValidationFailed
from ..services.tournaments import create_tournament, update_tournament
from ..web import tournament_for
from .forms import errors_for_form

bp = Blueprint("director", __name__, url_prefix="/t")


@bp.get("/")
@login_required
def tournaments():
    rows = db.session.scalars(select(Tournament).join(TournamentMember).where(
        TournamentMember.user_id == current_user.id).order_by(Tournament.created_at.desc())).all()
    return render_template("director/tournaments.html", tournaments=rows)


def _tournament_form_data(form) -> dict:
    data = {"name": form.get("name"), "stage": form.get("stage"), "start_date": form.get("start_date"),
            "end_date": form.get("end_date"), "venue": form.get("venue")}
    leagues = [{"language": lang, "name": form.get(f"league_{lang}_name")}
               for lang in LANGUAGES if form.get(f"league_{lang}")]
    data["leagues"] = leagues
    raw = {}
    for key, (default, kind, _label) in settings_mod.SETTINGS.items():
        if kind is bool:
            if f"setting_{key}_present" in form:
                raw[key] = bool(form.get(f"setting_{key}"))
        elif form.get(f"setting_{key}", "") != "":
            raw[key] = form.get(f"setting_{key}")
    data["settings"] = raw
    return data


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not may_create_tournaments(current_user):
        abort(403)  # an access check, like tournament_for; the service refuses too (and the API)
    errors, data = {}, {}
    if request.method == "POST":
        data = _tournament_form_data(request.form)
        try:
            t = create_tournament(current_user, data)
            db.session.commit()
            flash(_("Tournament created."), "success")
            return redirect(url_for("director.dashboard", tid=t.id))
        except ValidationFailed as e:
            db.session.rollback()
            errors = errors_for_form(e.errors)
    return render_template("director/tournament_form.html", t=None, data=data, errors=errors,
                           stages=STAGES, languages=LANGUAGES, settings=settings_mod.SETTINGS,
                           values=settings_mod.defaults()), (422 if errors else 200)


@bp.route("/<int:tid>/edit", methods=["GET", "POST"])
@login_required
def edit(tid):
    t = tournament_for(tid, roles=("director",))
    errors = {}
    if request.method == "POST":
        data = _tournament_form_data(request.form)
        try:
            update_tournament(t, data)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("director.dashboard", tid=t.id))
        except ValidationFailed as e:
            db.session.rollback()
            t = tournament_for(tid, roles=("director",))
            errors = errors_for_form(e.errors)
    return render_template("director/tournament_form.html", t=t, data={}, errors=errors, stages=STAGES,
                           languages=LANGUAGES, settings=settings_mod.SETTINGS,
                           values=settings_mod.effective(t)), (422 if errors else 200)


@bp.get("/<int:tid>/")
@login_required
def dashboard(tid):
    t = tournament_for(tid)
    counts = {}
    for lg in t.leagues:
        counts[lg.id] = db.session.scalar(select(func.count()).select_from(Team).where(Team.league_id == lg.id))
    n_adj = db.session.scalar(select(func.count()).select_from(Adjudicator).where(Adjudicator.tournament_id == t.id))
    n_rooms = db.session.scalar(select(func.count()).select_from(Room).where(Room.tournament_id == t.id))
    return render_template("director/dashboard.html", t=t, counts=counts, n_adj=n_adj, n_rooms=n_rooms)
