"""Appeals: the director's pages and the public appeal form /appeal/<tid>."""
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.extensions import db
from ..core.web import form_int, on_refusal, public_link, tournament_for
from ..documents.pdf import team_codes_pdf as render
from ..live.events import announce_ballot
from ..models import Adjudicator, Appeal, Ballot, Team, Tournament
from ..services import appeals as appeals_svc
from ..services import awards as awards_svc
from ..services.ballots import seat_of
from ..services.errors import Refused
from ..services.rounds import rounds_of
from ..text.i18n import round_title, use_tournament
from ..text.messages import error_text
from .awards import pdf_response

bp = Blueprint("appeals", __name__)

STATUS_NAMES = {"pending": _l("Pending"), "upheld": _l("Upheld"), "partly": _l("Partly upheld"),
                "rejected": _l("Rejected")}


def _now():
    return datetime.now(timezone.utc)


# ===== appeals: the director =====

@bp.get("/t/<int:tid>/appeals")
@login_required
def appeals(tid):
    t = tournament_for(tid)
    rows = appeals_svc.appeals_of(t)
    codes = awards_svc.team_codes(t) if current_user.role_in(t.id) == "director" else {}
    db.session.commit()  # codes made on first view
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.name)).all()
    now = _now()
    # Each league's window opens at its own release of the round's results.
    windows = [(r, lg, appeals_svc.window(r, rl.league_id)) for r in rounds_of(t) for rl in r.leagues
               for lg in [rl.league]]
    ballots = {b.id: b for b in db.session.scalars(select(Ballot).where(Ballot.id.in_(
        [bid for a in rows for bid in (a.correction_ballot_ids or [])])))}
    return render_template("appeals/index.html", t=t, appeals=rows, codes=codes, teams=teams, windows=windows,
                           now=now, status_names=STATUS_NAMES, format_code=awards_svc.format_code,
                           hours=appeals_svc.window_hours(t), ballots=ballots,
                           public_url=public_link(t, "appeals.appeal_form", tid=t.id))


@bp.post("/t/<int:tid>/appeals/<int:aid>/decide")
@login_required
def decide(tid, aid):
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Appeal, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    back = on_refusal(url_for("appeals.appeals", tid=t.id) + f"#appeal-{aid}")
    appeals_svc.decide(a, current_user, request.form.get("decision"), request.form.get("text"), _now())
    db.session.commit()
    flash(_("Decision recorded."), "success")
    return redirect(back)


@bp.post("/t/<int:tid>/appeals/<int:aid>/correction")
@login_required
def correction(tid, aid):
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Appeal, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    adj = db.session.get(Adjudicator, form_int("adjudicator_id", 0))
    if adj is None or a.debate_id is None or seat_of(adj.id, a.debate_id) is None:
        flash(error_text("appeal_no_debate") if a.debate_id is None else _("Choose an adjudicator of this debate."), "error")
        return redirect(url_for("appeals.appeals", tid=t.id) + f"#appeal-{aid}")
    data = {"winner": request.form.get("winner"),
            "scores": {r: request.form.get(f"score_{r}") for r in ("PM", "MG", "LO", "MO")}}
    back = on_refusal(url_for("appeals.appeals", tid=t.id) + f"#appeal-{aid}")
    out = appeals_svc.enter_correction(a, current_user, adj, data)
    db.session.commit()
    if out.get("forfeit_undone"):  # the forfeit's result is gone
        announce_ballot(a.debate, None, "forfeit_undone")
    announce_ballot(a.debate, out["ballot"]["id"], out["ballot"]["status"])  # public once confirmed
    if out["self_confirmed"]:
        flash(_("Corrected ballot entered and confirmed for %(name)s.", name=adj.name), "success")
    else:
        flash(_("Corrected ballot entered for %(name)s. Another member of the tab staff must confirm it.",
                name=adj.name), "success")
    return redirect(back)


@bp.get("/t/<int:tid>/appeals.csv")
@login_required
def appeals_csv(tid):
    t = tournament_for(tid)
    headers = {"id": "ID", "filed_at": _("Filed at"), "team": _("Team"), "filed_by": _("Filed by"),
               "round": _("Round"), "debate": _("Debate"), "text": _("Appeal"), "status": _("Status"),
               "decision": _("Decision"), "decided_at": _("Decided at"), "decided_by": _("Decided by"),
               "corrections": _("Corrected ballots")}
    data = appeals_svc.export_csv(t, headers, {k: str(v) for k, v in STATUS_NAMES.items()}, round_title)
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="appeals-{t.id}.csv"'})


@bp.get("/t/<int:tid>/appeals/codes.pdf")
@login_required
def team_codes_pdf(tid):
    t = tournament_for(tid, roles=("director",))
    codes = awards_svc.team_codes(t)
    db.session.commit()
    url = public_link(t, "appeals.appeal_form", tid=t.id)
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.league_id, Team.name)).all()
    return pdf_response(render(t, [(tm, tm.league, codes[tm.id], url) for tm in teams]), f"team-codes-{t.id}.pdf")


# ===== appeals: the public form =====

@bp.route("/appeal/<int:tid>", methods=["GET", "POST"])
def appeal_form(tid):
    t = db.session.get(Tournament, tid) or abort(404)
    use_tournament(t)
    now = _now()
    error, filed, status, headers = None, None, 200, {}
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        try:
            filed = appeals_svc.file_appeal(t, form.get("team"), form.get("code"), form.get("round_id"),
                                            form.get("text"), now, filed_by=form.get("filed_by", "team"),
                                            address=request.remote_addr or "")
            db.session.commit()
        except Refused as e:
            if e.params.get("record"):
                db.session.commit()  # keep the count of wrong codes
            else:
                db.session.rollback()
            error, status = error_text(e.code, e.params), e.status
            if e.params.get("seconds"):
                headers["Retry-After"] = str(e.params["seconds"])
    rounds = appeals_svc.open_rounds(t, now)
    windows = {r.id: appeals_svc.window(r) for r in rounds}
    return render_template("appeals/public.html", t=t, rounds=rounds, windows=windows, error=error, filed=filed,
                           form=form), status, headers
