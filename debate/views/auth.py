import unicodedata
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.extensions import db, login_manager
from ..core.web import on_refusal
from ..services import accounts
from ..services.errors import Refused
from ..text.messages import field_errors_text

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


def sign_in(user) -> None:
    """Start a server-side session for this browser (services/accounts.py) and sign the user in."""
    session["sid"] = accounts.start_session(user)
    db.session.commit()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        user, problem, wait = accounts.check_login(request.form.get("username", ""), request.form.get("password", ""),
                                                   request.remote_addr or "")
        if problem == "throttled":
            error, status, headers = _("Too many attempts. Wait a few minutes and try again."), 429, {"Retry-After": str(wait)}
        elif user is None:
            error, status = _("Wrong username or password."), 401
        else:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("director.tournaments"))
    return render_template("auth/login.html", error=error), status, headers


@bp.post("/logout")
@login_required
def logout():
    accounts.end_session(session.pop("sid", None))
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.home"))


@bp.get("/account")
@login_required
def account():
    return _account_page({}, 200)


def _account_page(errors, status):
    tokens = accounts.tokens_of(current_user)
    return render_template("auth/account.html", errors=errors, tokens=tokens,
                           expires={t.id: accounts.token_expires_at(t) for t in tokens},
                           token_days=current_app.config["API_TOKEN_DAYS"]), status


@bp.post("/account/password")
@login_required
def change_password():
    user = current_user._get_current_object()
    try:
        accounts.change_password(user, request.form.get("current", ""), request.form.get("new", ""),
                                 request.form.get("repeat", ""))
    except Refused as e:
        db.session.rollback()
        return _account_page(field_errors_text(e.fields or {}), 422)
    session.pop("sid", None)
    sign_in(user)  # every other session and token has ended; this browser stays signed in
    flash(_("Your password has been changed. You have been signed out everywhere else, and your API tokens no longer work."),
          "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    back = on_refusal(url_for("auth.account"))
    accounts.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("The API token has been revoked."), "success")
    return redirect(back)
