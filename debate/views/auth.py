from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from ..extensions import db, login_manager
from ..services.accounts import check_login

bp = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Please sign in to open this page."), "info")
    return redirect(url_for("auth.login", next=request.path))


def _safe_next(target):
    # Only local paths, so a crafted link cannot send a director elsewhere after signing in.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user, problem = check_login(request.form.get("username", ""), request.form.get("password", ""))
        if problem == "locked":
            error = _("Too many attempts. Wait a few minutes and try again.")
        elif user is None:
            error = _("Wrong username or password.")
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("director.tournaments"))
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.home"))
