"""The director's results pages: ballot status per debate, confirmation, entry on an
adjudicator's behalf, problem reports and the audit log."""
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..live import announce_ballot
from ..messages import error_text, field_errors_text
from ..models import Adjudicator, AuditEntry, Ballot, Debate, DebateAdjudicator, ProblemReport
from ..services import ballots as svc
from ..services.errors import Refused
from ..web import on_refusal, tournament_for
from .rounds import _round

bp = Blueprint("results", __name__, url_prefix="/t/<int:tid>")


def results_context(rnd):
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id).options(
        selectinload(Debate.gov), selectinload(Debate.opp), selectinload(Debate.room),
        selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator)).order_by(Debate.league_id, Debate.id)).all()
    latest = svc.latest_ballots([d.id for d in debates])
    rows = []
    for d in debates:
        mine = latest.get(d.id, {})
        status = "confirmed" if d.forfeit else svc.debate_status([p.adjudicator_id for p in d.panel], mine)
        winners = {b.winner for b in mine.values()}
        rows.append({"debate": d, "ballots": mine, "status": status, "split": len(winners) > 1})
    return rows


@bp.get("/rounds/<int:rid>/results")
@login_required
def index(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    rows = results_context(rnd)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("none", "partial", "complete", "confirmed")}
    problems = db.session.scalars(select(ProblemReport).where(ProblemReport.tournament_id == t.id,
                                                              ProblemReport.resolved.is_(False))
                                  .order_by(ProblemReport.at.desc())).all()
    return render_template("results/index.html", t=t, rnd=rnd, rows=rows, counts=counts, problems=problems)


def _ballot(t, bid) -> Ballot:
    b = db.session.get(Ballot, bid)
    if b is None or b.debate.round.tournament_id != t.id:
        abort(404)
    return b


@bp.post("/ballots/<int:bid>/confirm")
@login_required
def confirm(tid, bid):
    t = tournament_for(tid)
    b = _ballot(t, bid)
    back = on_refusal(url_for("results.index", tid=t.id, rid=b.debate.round_id) + f"#debate-{b.debate_id}")
    svc.confirm_ballot(b, current_user)
    db.session.commit()
    announce_ballot(b.debate, b.id, "confirmed")
    return redirect(back)


@bp.post("/debates/<int:did>/confirm-all")
@login_required
def confirm_all(tid, did):
    t = tournament_for(tid)
    d = db.session.get(Debate, did)
    if d is None or d.round.tournament_id != t.id:
        abort(404)
    refused = 0
    for b in svc.latest_ballots([d.id]).get(d.id, {}).values():
        if b.status == "submitted":
            try:
                svc.confirm_ballot(b, current_user)
            except Refused:
                refused += 1
    db.session.commit()
    if refused:
        flash(error_text("own_entry"), "error")
    announce_ballot(d, 0, "confirmed")
    return redirect(url_for("results.index", tid=t.id, rid=d.round_id) + f"#debate-{d.id}")


def _debate(t, did) -> Debate:
    d = db.session.get(Debate, did)
    if d is None or d.round.tournament_id != t.id:
        abort(404)
    return d


@bp.get("/debates/<int:did>/forfeit")
@login_required
def forfeit_confirm(tid, did):
    """The confirm step before a forfeit: which team did not appear, and what follows."""
    t = tournament_for(tid, roles=("director",))
    d = _debate(t, did)
    return render_template("results/forfeit.html", t=t, d=d, forfeit_points=t.setting("forfeit_points"))


@bp.post("/debates/<int:did>/forfeit")
@login_required
def forfeit(tid, did):
    t = tournament_for(tid, roles=("director",))
    d = _debate(t, did)
    back = url_for("results.index", tid=t.id, rid=d.round_id) + f"#debate-{d.id}"
    on_refusal(back)
    svc.record_forfeit(d, request.form.get("absent"), user=current_user)
    db.session.commit()
    announce_ballot(d, None, "confirmed")
    flash(_("Forfeit recorded: %(team)s wins.", team=(d.gov if d.winner == "gov" else d.opp).name), "success")
    return redirect(back)


@bp.route("/debates/<int:did>/enter/<int:aid>", methods=["GET", "POST"])
@login_required
def enter(tid, did, aid):
    """Tab staff type in a paper ballot for an adjudicator; recorded as entered by them."""
    t = tournament_for(tid)
    d = db.session.get(Debate, did)
    adj = db.session.get(Adjudicator, aid)
    if d is None or adj is None or d.round.tournament_id != t.id or svc.seat_of(adj.id, d.id) is None:
        abort(404)
    errors = {}
    if request.method == "POST":
        data = {"debate_id": d.id, "client_id": request.form.get("client_id") or str(uuid.uuid4()),
                "winner": request.form.get("winner"),
                "scores": {r: request.form.get(f"score_{r}") for r in ("PM", "MG", "LO", "MO")},
                "speakers": {r: request.form.get(f"speaker_{r}") for r in ("PM", "MG", "LO", "MO")
                             if request.form.get(f"speaker_{r}")}}
        try:
            svc.submit_ballot(adj, data, entered_by=current_user)
            db.session.commit()
            flash(_("Ballot entered for %(name)s. Another member of the tab staff must confirm it.", name=adj.name),
                  "success")
            return redirect(url_for("results.index", tid=t.id, rid=d.round_id) + f"#debate-{d.id}")
        except Refused as e:
            db.session.rollback()
            errors = field_errors_text(e.fields) if e.fields else {"": error_text(e.code)}
    return render_template("results/enter.html", t=t, d=d, adj=adj, errors=errors, form=request.form,
                           client_id=str(uuid.uuid4()))


@bp.get("/debates/<int:did>/ballots")
@login_required
def history(tid, did):
    """Every version of every ballot of a debate."""
    t = tournament_for(tid)
    d = db.session.get(Debate, did)
    if d is None or d.round.tournament_id != t.id:
        abort(404)
    ballots = db.session.scalars(select(Ballot).where(Ballot.debate_id == d.id)
                                 .order_by(Ballot.adjudicator_id, Ballot.version)).all()
    return render_template("results/history.html", t=t, d=d, ballots=ballots)


@bp.get("/audit")
@login_required
def audit_log(tid):
    t = tournament_for(tid, roles=("director",))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.tournament_id == t.id)
                                 .options(selectinload(AuditEntry.user), selectinload(AuditEntry.adjudicator))
                                 .order_by(AuditEntry.id.desc()).limit(500)).all()
    return render_template("results/audit.html", t=t, entries=entries)


@bp.post("/problems/<int:pid>/resolve")
@login_required
def resolve_problem(tid, pid):
    t = tournament_for(tid)
    p = db.session.get(ProblemReport, pid)
    if p is None or p.tournament_id != t.id:
        abort(404)
    p.resolved = True
    db.session.commit()
    return redirect(request.referrer or url_for("director.dashboard", tid=t.id))


