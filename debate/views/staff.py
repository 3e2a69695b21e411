"""Tab staff of a tournament: a director adds an account as staff (a new staff account, or an
existing account by its username) and removes staff again. Staff enter and confirm ballots;
they do not change settings, draw, release or delete (see tests/test_roles_matrix.py)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.extensions import db
from ..core.web import tournament_for
from ..models import TournamentMember, User
from ..services.accounts import create_user
from ..services.audit import audit

bp = Blueprint("staff", __name__, url_prefix="/t/<int:tid>/staff")


def _members(t):
    return db.session.execute(select(TournamentMember, User).join(User, TournamentMember.user_id == User.id)
                              .where(TournamentMember.tournament_id == t.id).order_by(User.username)).all()


@bp.route("/", methods=["GET", "POST"])
@login_required
def index(tid):
    t = tournament_for(tid, roles=("director",))
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        username = " ".join((form.get("username") or "").split())
        password = form.get("password") or ""
        user = db.session.scalar(select(User).where(User.username == username)) if username else None
        if not username or len(username) > 80:
            errors["username"] = _("Enter a username (at most 80 characters).")
        elif user is None and len(password) < 8:
            errors["password"] = _("A new account needs a password of at least 8 characters.")
        elif user is not None and user.role_in(t.id) is not None:
            errors["username"] = _("This account already works on this tournament.")
        if not errors:
            created = user is None
            if created:
                user = create_user(username, password, role="staff")
            db.session.add(TournamentMember(user_id=user.id, tournament_id=t.id, role="staff"))
            db.session.flush()
            audit(t.id, "staff_added", user, user=current_user, username=user.username, created=created)
            db.session.commit()
            flash(_("%(name)s was added as tab staff.", name=user.username), "success")
            return redirect(url_for("staff.index", tid=t.id))
    return render_template("staff/index.html", t=t, members=_members(t), errors=errors, form=form), \
        (422 if errors else 200)


@bp.post("/<int:uid>/remove")
@login_required
def remove(tid, uid):
    t = tournament_for(tid, roles=("director",))
    m = db.session.scalar(select(TournamentMember).where(TournamentMember.tournament_id == t.id,
                                                         TournamentMember.user_id == uid,
                                                         TournamentMember.role == "staff"))
    if m is None:
        flash(_("Only tab staff can be removed here."), "error")
    else:
        audit(t.id, "staff_removed", m.user, user=current_user, username=m.user.username)
        db.session.delete(m)
        db.session.commit()
        flash(_("Removed from this tournament's tab staff."), "success")
    return redirect(url_for("staff.index", tid=t.id))
