"""The director's tournament pages: list, create, edit, dashboard."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import settings as settings_mod
from ..core.extensions import db
from ..core.web import on_refusal, tournament_for
from ..models import Adjudicator, Room, Team, Tournament, TournamentMember
from ..models.people import may_create_tournaments
from ..models.tournament import LANGUAGES, STAGES
from ..services.erasure import anonymise_tournament, delete_tournament
from ..services.participants import ValidationFailed
from ..services.tournaments import create_tournament, update_tournament
from ..text.i18n import PLACING_NAMES
from .forms import errors_for_form, setting_text, settings_from_form, settings_shown

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
    data["names"] = {lang: form.get(f"name_{lang}") for lang in LANGUAGES if f"name_{lang}" in form}
    data["venues"] = {lang: form.get(f"venue_{lang}") for lang in LANGUAGES if f"venue_{lang}" in form}
    leagues = [{"language": lang, "name": form.get(f"league_{lang}_name")}
               for lang in LANGUAGES if form.get(f"league_{lang}")]
    data["leagues"] = leagues
    data["settings"] = settings_from_form(form)
    return data


def _form_errors(e: ValidationFailed) -> dict:
    """The service's errors by the form's field names: "names.kk" is the field name_kk, "venues.kk" venue_kk."""
    out = {}
    for field, text in errors_for_form(e.errors).items():
        head, _dot, lang = field.partition(".")
        out[{"names": "name_", "venues": "venue_"}[head] + lang if head in ("names", "venues") and lang else field] = text
    return out


def _form(t, data, errors):
    """The tournament form; after an error every field shows what was typed, with the reason beside it."""
    values = {**settings_mod.form_values(t), **(data.get("settings") or {})}
    stage = data.get("stage") or (t.stage if t else "republican")
    return render_template("director/tournament_form.html", t=t, data=data, errors=errors, stages=STAGES,
                           languages=LANGUAGES, groups=settings_mod.grouped(), shown=settings_shown(values),
                           stage=stage, setting_text=setting_text, placings=settings_mod.PLACINGS,
                           timezones=settings_mod.KAZAKHSTAN_TIMEZONES, placing_names=PLACING_NAMES,
                           settings_open=bool(t) or any(k.startswith("settings.") for k in errors)), \
        (422 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not may_create_tournaments(current_user):
        abort(403)  # an access check, like tournament_for; the service refuses too (and the API)
    errors, data = {}, {}
    if request.method == "POST":
        data = _tournament_form_data(request.form)
        try:
            t = create_tournament(current_user, data, source="form")
            db.session.commit()
            flash(_("Tournament created."), "success")
            return redirect(url_for("director.dashboard", tid=t.id))
        except ValidationFailed as e:
            db.session.rollback()
            errors = _form_errors(e)
    return _form(None, data, errors)


@bp.route("/<int:tid>/edit", methods=["GET", "POST"])
@login_required
def edit(tid):
    t = tournament_for(tid, roles=("director",))
    errors, data = {}, {}
    if request.method == "POST":
        data = _tournament_form_data(request.form)
        try:
            update_tournament(t, data, source="form", user=current_user)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("director.dashboard", tid=t.id))
        except ValidationFailed as e:
            db.session.rollback()
            t = tournament_for(tid, roles=("director",))
            errors = _form_errors(e)
    return _form(t, data, errors)


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


@bp.post("/<int:tid>/anonymise")
@login_required
def anonymise(tid):
    t = tournament_for(tid, roles=("director",))
    back = on_refusal(url_for("director.edit", tid=t.id) + "#erase")
    counts = anonymise_tournament(t, request.form.get("confirm"), user=current_user)
    db.session.commit()
    flash(_("Anonymised: %(speakers)s speakers and %(coaches)s coaches. Results and standings are unchanged.",
            **counts), "success")
    return redirect(back)


@bp.post("/<int:tid>/delete")
@login_required
def delete(tid):
    t = tournament_for(tid, roles=("director",))
    on_refusal(url_for("director.edit", tid=t.id) + "#erase")
    name = t.name
    delete_tournament(t, request.form.get("confirm"), user=current_user)
    db.session.commit()
    flash(_("The tournament %(name)s was deleted.", name=name), "success")
    return redirect(url_for("director.tournaments"))
