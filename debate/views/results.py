"""The director's results pages: ballot status per debate, confirmation, entry on an
adjudicator's behalf, problem reports and the audit log."""
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.web import on_refusal, tournament_for
from ..live.events import announce_ballot, announce_problem
from ..models import Adjudicator, Ballot, Debate, DebateAdjudicator, Round, Team
from ..services import audit as audit_svc
from ..services import ballots as svc
from ..services import corrections as corrections_svc
from ..services import problems as problems_svc
from ..services.errors import Refused
from ..services.rounds import rounds_of
from ..text.messages import audit_action_text, error_text, field_errors_text
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


def _index_page(t, rnd, bulk=None):
    rows = results_context(rnd)
    late = svc.late_arrivals([r["debate"].id for r in rows])
    for r in rows:
        r["late"] = late.get(r["debate"].id, [])
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("none", "partial", "complete", "confirmed")}
    problems = problems_svc.open_problems(t)
    confirmers = [] if svc.may_confirm_own(t) else svc.confirmers(t)
    return render_template("results/index.html", t=t, rnd=rnd, rows=rows, counts=counts, problems=problems,
                           bulk=bulk, lone_confirmer=confirmers[0] if len(confirmers) == 1 else None,
                           debates={r["debate"].id: r["debate"] for r in rows})


@bp.get("/rounds/<int:rid>/results")
@login_required
def index(tid, rid):
    t = tournament_for(tid)
    return _index_page(t, _round(t, rid))


@bp.post("/rounds/<int:rid>/confirm")
@login_required
def confirm_round(tid, rid):
    """Confirm every agreeing debate at once; the same screen lists what was not confirmed and why."""
    t = tournament_for(tid)
    rnd = _round(t, rid)
    league_id = request.form.get("league_id", type=int)
    if league_id is not None and league_id not in {rl.league_id for rl in rnd.leagues}:
        abort(404)
    bulk = svc.confirm_round(rnd, current_user, league_id)
    db.session.commit()
    for did in bulk["confirmed"]:
        announce_ballot(db.session.get(Debate, did), 0, "confirmed")
    return _index_page(t, rnd, bulk)


def _debate(t, did) -> Debate:
    d = db.session.get(Debate, did)
    if d is None or d.round.tournament_id != t.id:
        abort(404)
    return d


@bp.route("/debates/<int:did>/correct", methods=["GET", "POST"])
@login_required
def correct(tid, did):
    """A director corrects a result with a reason: first the preview of what it touches (the
    same service call as the API's dry run), then the correction is stored."""
    t = tournament_for(tid, roles=("director",))
    d = _debate(t, did)
    form = request.form if request.method == "POST" else {}
    errors, preview = {}, None
    if request.method == "POST":
        data = {"adjudicator_id": form.get("adjudicator_id"), "winner": form.get("winner"),
                "scores": {r: form.get(f"score_{r}") for r in ("PM", "MG", "LO", "MO")},
                "speakers": {r: form.get(f"speaker_{r}") for r in ("PM", "MG", "LO", "MO") if form.get(f"speaker_{r}")},
                "reason": form.get("reason")}
        store = form.get("step") == "store"
        try:
            out = corrections_svc.correct(d, current_user, data, dry_run=not store)
        except Refused as e:
            db.session.rollback()
            errors = field_errors_text(e.fields) if e.fields else {"": error_text(e.code, e.params)}
        else:
            if store:
                db.session.commit()
                if out.get("forfeit_undone"):
                    announce_ballot(d, None, "forfeit_undone")
                announce_ballot(d, out["ballot"]["id"], out["ballot"]["status"])
                flash(_("Correction stored and confirmed.") if out["self_confirmed"] else
                      _("Correction stored. Another member of the tab staff must confirm it."), "success")
                return redirect(url_for("results.index", tid=t.id, rid=d.round_id) + f"#debate-{d.id}")
            db.session.rollback()
            preview = out
    latest = svc.latest_ballots([d.id]).get(d.id, {})
    return render_template("results/correct.html", t=t, d=d, form=form, errors=errors, preview=preview,
                           latest=latest, **_affected(preview)), (422 if errors else 200)


def _affected(preview) -> dict:
    """The later rounds and the teams a preview (of a correction or an undone forfeit) names, by id."""
    affected = preview["affected"] if preview else {"rounds": [], "standings": []}
    later = db.session.scalars(select(Round).where(Round.id.in_(affected["rounds"])))
    teams = db.session.scalars(select(Team).where(Team.id.in_([m["team_id"] for m in affected["standings"]])))
    return {"later": {r.id: r for r in later}, "teams": {tm.id: tm for tm in teams}}


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
    d = _debate(t, did)
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


@bp.route("/debates/<int:did>/forfeit/undo", methods=["GET", "POST"])
@login_required
def forfeit_undo(tid, did):
    """A forfeit recorded by mistake (the team was there) is undone with a reason: first the
    preview of what it touches (later rounds, standings, break, issued documents), then it is
    stored and audited; the debate then has no result and takes ballots again."""
    t = tournament_for(tid, roles=("director",))
    d = _debate(t, did)
    form = request.form if request.method == "POST" else {}
    errors, preview, status = {}, None, 200
    if request.method == "POST":
        store = form.get("step") == "store"
        try:
            out = corrections_svc.undo_forfeit(d, current_user, form.get("reason"), dry_run=not store)
        except Refused as e:
            db.session.rollback()
            errors = field_errors_text(e.fields) if e.fields else {"": error_text(e.code, e.params)}
            status = e.status
        else:
            if store:
                db.session.commit()
                announce_ballot(d, None, "forfeit_undone")
                flash(_("The forfeit is undone: the debate has no result until its ballots are confirmed."),
                      "success")
                return redirect(url_for("results.index", tid=t.id, rid=d.round_id) + f"#debate-{d.id}")
            db.session.rollback()
            preview = out
    return render_template("results/forfeit_undo.html", t=t, d=d, form=form, errors=errors, preview=preview,
                           **_affected(preview)), status


@bp.route("/debates/<int:did>/enter/<int:aid>", methods=["GET", "POST"])
@login_required
def enter(tid, did, aid):
    """Tab staff type in a paper ballot for an adjudicator; recorded as entered by them."""
    t = tournament_for(tid)
    d = _debate(t, did)
    adj = db.session.get(Adjudicator, aid)
    if adj is None or svc.seat_of(adj.id, d.id) is None:
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
    d = _debate(t, did)
    ballots = db.session.scalars(select(Ballot).where(Ballot.debate_id == d.id)
                                 .order_by(Ballot.adjudicator_id, Ballot.version)).all()
    return render_template("results/history.html", t=t, d=d, ballots=ballots)


@bp.get("/audit")
@login_required
def audit_log(tid):
    """The audit log in words: each entry with its round, who did it and what, filterable by round,
    person and kind."""
    t = tournament_for(tid, roles=("director",))
    filters = {k: request.args.get(k, "") for k in ("round", "person", "kind")}
    entries, rounds_by_entry = audit_svc.entries_of(t, round_id=_int(filters["round"]), person=filters["person"],
                                                    kind=filters["kind"] or None)
    return render_template("results/audit.html", t=t, entries=entries, round_of=rounds_by_entry, filters=filters,
                           rounds=rounds_of(t), people=audit_svc.people_of(t), kinds=audit_svc.kinds_of(t),
                           action_text=audit_action_text, names=audit_svc.names_for(entries))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.post("/problems/<int:pid>/resolve")
@login_required
def resolve_problem(tid, pid):
    t = tournament_for(tid)
    back = on_refusal(_same_page(t))
    problems_svc.resolve(problems_svc.problem_of(t, pid), current_user)
    db.session.commit()
    announce_problem(t.id)
    return redirect(back)


@bp.post("/problems/<int:pid>/answer")
@login_required
def answer_problem(tid, pid):
    """The tab room answers a report; the adjudicator sees the answer on their page."""
    t = tournament_for(tid)
    back = on_refusal(_same_page(t))
    problems_svc.answer(problems_svc.problem_of(t, pid), current_user, request.form.get("answer", ""))
    db.session.commit()
    announce_problem(t.id)
    flash(_("Answer sent: the adjudicator sees it on their page."), "success")
    return redirect(back)


def _same_page(t):
    ref = request.referrer or ""
    return ref if ref.startswith(request.host_url) else url_for("director.dashboard", tid=t.id)
