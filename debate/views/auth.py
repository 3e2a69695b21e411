import unicodedata
from urllib.parse import urljoin, urlsplit

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
    r"""A same-site path to go to after signing in, or None. Browsers drop tabs and newlines
    inside a URL and read a backslash as a slash, so `/\t/evil.example/` or `/\evil.example`
    would be `//evil.example/` to them: any control character, whitespace or backslash is refused
    (a CR would also break the Location header), then the path must stay on this site once
    resolved against it, as the browser resolves it."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(unicodedata.category(ch)[0] in "CZ" for ch in target):
        return None
    base = "http://same.site/"
    parts = urlsplit(urljoin(base, target))
    if parts.scheme != "http" or parts.netloc != "same.site" or parts.path.startswith("//"):
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
