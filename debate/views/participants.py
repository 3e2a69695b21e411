"""The director's pages for teams, adjudicators and rooms, and the CSV/XLSX import."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.web import on_refusal, public_link, tournament_for
from ..documents.qr import qr_svg_data_uri
from ..models import Adjudicator, Region, Room, Team
from ..models.participants import new_private_key
from ..models.people import SECRET_ROLES, may_see_secrets
from ..models.tournament import LANGUAGES
from ..services import imports
from ..services import participants as svc
from ..text.messages import error_text, field_errors_text
from ..text.sorting import sort_key
from .forms import adjudicator_item, errors_for_form, room_item, team_item

bp = Blueprint("participants", __name__, url_prefix="/t/<int:tid>")

KINDS = {
    "teams": (Team, team_item, svc.add_teams, svc.update_team),
    "adjudicators": (Adjudicator, adjudicator_item, svc.add_adjudicators, svc.update_adjudicator),
    "rooms": (Room, room_item, svc.add_rooms, svc.update_room),
}


def _regions():
    return db.session.scalars(select(Region).order_by(Region.kind.desc(), Region.code)).all()


def _load(t, kind):
    model = KINDS[kind][0]
    q = select(model).where(model.tournament_id == t.id)
    if kind == "teams":
        q = q.options(selectinload(Team.speakers), selectinload(Team.school), selectinload(Team.coach))
    elif kind == "adjudicators":
        q = q.options(selectinload(Adjudicator.team_conflicts), selectinload(Adjudicator.school_conflicts))
    rows = db.session.scalars(q).all()
    search = (request.args.get("q") or "").strip().casefold()
    if search:
        rows = [r for r in rows if search in r.name.casefold() or
                (kind == "teams" and any(search in s.name.casefold() for s in r.speakers))]
    return sorted(rows, key=lambda r: sort_key(r.name))


@bp.get("/<any(teams, adjudicators, rooms):kind>/")
@login_required
def listing(tid, kind):
    t = tournament_for(tid)
    rows = _load(t, kind)
    return render_template(f"participants/{kind}.html", t=t, rows=rows, q=request.args.get("q", ""),
                           secrets=may_see_secrets(current_user, t.id))


def _form_context(t, kind):
    ctx = {"regions": _regions(), "languages": LANGUAGES}
    if kind == "adjudicators":
        ctx["teams"] = sorted(db.session.scalars(select(Team).where(Team.tournament_id == t.id)).all(),
                              key=lambda x: sort_key(x.name))
    return ctx


@bp.route("/<any(teams, adjudicators, rooms):kind>/new", methods=["GET", "POST"])
@bp.route("/<any(teams, adjudicators, rooms):kind>/<int:oid>/edit", methods=["GET", "POST"])
@login_required
def form(tid, kind, oid=None):
    t = tournament_for(tid, roles=SECRET_ROLES)  # the forms show contacts and the private link
    model, to_item, add, update = KINDS[kind]
    obj = None
    if oid is not None:
        obj = db.session.get(model, oid)
        if obj is None or obj.tournament_id != t.id:
            abort(404)
    errors = {}
    if request.method == "POST":
        item = to_item(request.form)
        try:
            if obj is None:
                add(t, [item])
            else:
                update(t, obj, item, user=current_user)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("participants.listing", tid=t.id, kind=kind))
        except svc.ValidationFailed as e:
            db.session.rollback()
            errors = errors_for_form(e.errors)
            t = tournament_for(tid, roles=("director",))
            obj = db.session.get(model, oid) if oid else None
    return render_template(f"participants/{kind[:-1]}_form.html", t=t, obj=obj, errors=errors,
                           form=request.form, **_form_context(t, kind)), (422 if errors else 200)


def _own(t, kind, oid):
    obj = db.session.get(KINDS[kind][0], oid)
    if obj is None or obj.tournament_id != t.id:
        abort(404)
    return obj


@bp.post("/<any(teams, adjudicators, rooms):kind>/<int:oid>/delete")
@login_required
def delete(tid, kind, oid):
    """Delete a participant who appears nowhere in the record; else say why and offer withdrawal."""
    t = tournament_for(tid, roles=("director",))
    obj = _own(t, kind, oid)
    on_refusal(url_for("participants.form", tid=t.id, kind=kind, oid=oid))
    name = obj.name
    svc.delete_participant(obj, user=current_user)
    db.session.commit()
    flash(_("Deleted: %(name)s", name=name), "success")
    return redirect(url_for("participants.listing", tid=t.id, kind=kind))


@bp.post("/<any(teams, adjudicators):kind>/<int:oid>/withdraw")
@login_required
def withdraw(tid, kind, oid):
    """Withdraw a team or an adjudicator for the rest of the tournament (value=0) or bring them
    back (value=1). Their results stay."""
    t = tournament_for(tid, roles=("director",))
    obj = _own(t, kind, oid)
    back = on_refusal(url_for("participants.listing", tid=t.id, kind=kind))
    back_in = request.form.get("value") == "1"
    if kind == "teams":
        svc.set_team_active(obj, back_in, user=current_user)
    else:
        svc.set_adjudicator_available(obj, back_in, user=current_user)
    db.session.commit()
    flash(_("%(name)s is taking part again.", name=obj.name) if back_in else
          _("%(name)s is withdrawn: in no later draw; their results stay.", name=obj.name), "success")
    return redirect(back)


@bp.post("/adjudicators/<int:oid>/reissue-key")
@login_required
def reissue_key(tid, oid):
    t = tournament_for(tid, roles=("director",))
    adj = db.session.get(Adjudicator, oid)
    if adj is None or adj.tournament_id != t.id:
        abort(404)
    adj.private_key = new_private_key()  # the old link stops working at once
    db.session.commit()
    flash(_("A new private link was issued for %(name)s; the old one no longer works.", name=adj.name), "success")
    return redirect(url_for("participants.listing", tid=t.id, kind="adjudicators"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_page(tid):
    t = tournament_for(tid, roles=("director",))
    row_errors, file_error, status = [], None, 200
    if request.method == "POST":
        kind = request.form.get("kind")
        upload = request.files.get("file")
        if kind not in imports.COLUMNS or upload is None or not upload.filename:
            file_error = error_text("required")
        else:
            try:
                created = imports.import_file(t, kind, upload.filename, upload.read())
                db.session.commit()
                flash(_("Imported %(n)s rows.", n=len(created)), "success")
                return redirect(url_for("participants.listing", tid=t.id, kind=kind))
            except imports.ImportError_ as e:
                db.session.rollback()
                file_error = error_text(e.code, e.params)
            except svc.ValidationFailed as e:
                db.session.rollback()
                row_errors = [(row, field_errors_text(errs)) for row, errs in sorted(e.errors.items())]
        status = 422
    return render_template("participants/import.html", t=t, columns=imports.COLUMNS, required=imports.REQUIRED,
                           row_errors=row_errors, file_error=file_error), status


@bp.get("/import/template/<any(teams, adjudicators, rooms):kind>.<any(csv, xlsx):fmt>")
@login_required
def import_template(tid, kind, fmt):
    tournament_for(tid)
    if fmt == "csv":
        return Response(imports.template_csv(kind), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={kind}.csv"})
    return Response(imports.template_xlsx(kind),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={kind}.xlsx"})


@bp.get("/adjudicators/links")
@login_required
def adjudicator_links(tid):
    """A printable sheet: every adjudicator's private link as a QR code, to cut and hand out."""
    t = tournament_for(tid, roles=SECRET_ROLES)
    adjs = sorted(db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)).all(),
                  key=lambda a: sort_key(a.name))
    cards = [(a, public_link(t, "judge.home", key=a.private_key)) for a in adjs]
    return render_template("participants/links.html", t=t,
                           cards=[(a, url, qr_svg_data_uri(url)) for a, url in cards])
