"""The director's round pages: create rounds, draw every league, adjust by hand, release."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.web import on_refusal, tournament_for
from ..live.events import announce_motion_edit, announce_round
from ..models import Adjudicator, Bye, Debate, DebateAdjudicator, Room, Round, Team
from ..services import attendance, draw_edits, replacements, round_lock
from ..services import rounds as svc
from ..services.errors import Refused
from ..services.season import judged_earlier, jury_exclusions
from ..services.undo import delete_round
from ..services.warnings import round_warnings
from ..text.messages import error_text

bp = Blueprint("rounds", __name__, url_prefix="/t/<int:tid>/rounds")


def _round(t, rid) -> Round:
    rnd = db.session.get(Round, rid)
    if rnd is None or rnd.tournament_id != t.id:
        abort(404)
    return rnd


def _round_action(tid, rid, fn, message=None, *, back=None, done=None, then=None):
    """The shape of the director's forms on a round: `fn(rnd)` asks a service for the change (a
    refusal goes back to `back`, by default the round page, with the reason), then commit,
    `then(rnd, what fn returned)` (live announcements, a flash that depends on the outcome), flash
    `message`, and go to `done` (by default where a refusal goes)."""
    rnd = _round(tournament_for(tid, roles=("director",)), rid)
    back = on_refusal(back or url_for("rounds.show", tid=tid, rid=rid))
    result = fn(rnd)
    db.session.commit()
    if then:
        then(rnd, result)
    if message:
        flash(message, "success")
    return redirect(done or back)


@bp.get("/")
@login_required
def index(tid):
    t = tournament_for(tid)
    return render_template("rounds/index.html", t=t, rounds=svc.rounds_of(t), kinds=("prelim",) + svc.ELIM_KINDS)


@bp.post("/new")
@login_required
def create(tid):
    t = tournament_for(tid, roles=("director",))
    on_refusal(url_for("rounds.index", tid=t.id))
    rnd = svc.create_round(t, request.form.get("kind", "prelim"), user=current_user)
    db.session.commit()
    return redirect(url_for("rounds.show", tid=t.id, rid=rnd.id))


def _draw_context(rnd):
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id).options(
        selectinload(Debate.gov).selectinload(Team.school), selectinload(Debate.opp).selectinload(Team.school),
        selectinload(Debate.room), selectinload(Debate.panel).selectinload(DebateAdjudicator.adjudicator))
        .order_by(Debate.bracket.desc(), Debate.bracket_position, Debate.id)).all()
    byes = db.session.scalars(select(Bye).where(Bye.round_id == rnd.id)).all()
    seated = {p.adjudicator_id for d in debates for p in d.panel}
    present = attendance.present_adjudicator_ids(rnd)  # available and not marked absent for the round
    free = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == rnd.tournament_id,
                                                        Adjudicator.available.is_(True))).all()
    free = sorted((a for a in free if a.id not in seated and a.id in present), key=lambda a: -a.rating)
    return debates, byes, free


def _rooms(t):
    return db.session.scalars(select(Room).where(Room.tournament_id == t.id, Room.available.is_(True))
                              .order_by(Room.priority.desc(), Room.name)).all()


def _excluded(t, free):
    """[(adjudicator, reason code)] of the free adjudicators kept off this tournament's jury."""
    reasons = jury_exclusions(t)
    return [(a, reasons[a.id]) for a in free if a.id in reasons]


@bp.get("/<int:rid>/")
@login_required
def show(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    debates, byes, free = _draw_context(rnd)
    warnings = round_warnings(rnd) if debates else {}
    unfilled = {u["debate_id"]: u for u in svc.unfilled_of(rnd)}
    lock = round_lock.lock_state(rnd)
    return render_template("rounds/show.html", t=t, rnd=rnd, debates=debates, byes=byes, free=free, lock=lock,
                           editable=not lock["locked"], is_director=current_user.role_in(t.id) == "director",
                           rooms=_rooms(t) if debates and not lock["locked"] else [],
                           judged_earlier=judged_earlier(t) if debates else {},
                           excluded=_excluded(t, free),
                           warnings=warnings, unfilled=unfilled, motions=svc.motions_of(rnd),
                           league_ids={rl.league_id for rl in rnd.leagues},
                           summaries={rl.league_id: rl.draw_summary or {} for rl in rnd.leagues},
                           step=svc.next_step(rnd, warnings))


@bp.post("/<int:rid>/draw")
@login_required
def draw(tid, rid):
    regenerate = bool(request.form.get("regenerate"))
    return _round_action(tid, rid, lambda rnd: svc.generate_draw(rnd, regenerate=regenerate, user=current_user),
                         _("The draw is ready. Check it, then release it."))


@bp.post("/<int:rid>/allocate")
@login_required
def allocate(tid, rid):
    return _round_action(tid, rid, lambda rnd: svc.allocate_round(rnd, keep_locked=True, user=current_user),
                         then=_flash_allocation)


def _flash_allocation(rnd, unfilled):
    if unfilled:
        flash(_("Panels allocated; %(n)s debates could not get a full valid panel.", n=len(unfilled)), "error")
    else:
        flash(_("Panels allocated. Locked choices were kept."), "success")


@bp.post("/<int:rid>/release")
@login_required
def release(tid, rid):
    """Publish or withdraw a part (draw, motion, results) in one league (form league_id) or in
    every league of the round (no league_id)."""
    what, value = request.form.get("what"), request.form.get("value") == "1"
    league_id = _int_arg(request.form, "league_id") if request.form.get("league_id") else None
    extra = {"silent": request.form.get("silent") == "1"} if what == "results" else {}

    def publish(rnd):
        if what not in ("draw", "motion", "results"):
            abort(400)
        return svc.release(rnd, **{what: value}, **extra, league_id=league_id, user=current_user)

    return _round_action(tid, rid, publish, _("Published.") if value else _("Withdrawn from public pages."),
                         then=lambda rnd, changed: announce_round(rnd, what, league_ids=changed))


@bp.post("/<int:rid>/motion")
@login_required
def motion(tid, rid):
    text = request.form.get("text", "")
    league_id = _int_arg(request.form, "league_id")  # anything else: "unknown league"

    def save(rnd):
        if not text.strip():  # the page asks for a text; the service (and the API) take an empty one
            raise Refused(422, "required")
        svc.set_motion(rnd, league_id, text, request.form.get("info_slide"))

    return _round_action(tid, rid, save, then=lambda rnd, _none: _flash_motion(rnd, league_id))


def _flash_motion(rnd, league_id):
    if announce_motion_edit(rnd, league_id):
        flash(_("Motion corrected. Public pages and projectors show the new text."), "success")
    else:
        flash(_("Motion saved. It stays hidden until you release it."), "success")


def _edit(tid, rid, args, message=None, anchor=""):
    """One manual change of the draw through the edit service; back to the round page."""
    return _round_action(tid, rid, lambda rnd: draw_edits.apply(rnd, args, user=current_user), message,
                         done=url_for("rounds.show", tid=tid, rid=rid) + anchor)


@bp.post("/<int:rid>/debates/<int:did>/swap-sides")
@login_required
def swap_sides(tid, rid, did):
    return _edit(tid, rid, {"op": "swap_sides", "debate_id": did}, anchor=f"#debate-{did}")


@bp.post("/<int:rid>/swap-teams")
@login_required
def swap_teams(tid, rid):
    """Exchange two teams between debates of the same league (or within one debate)."""
    return _edit(tid, rid, {"op": "swap_teams", "team_a": request.form.get("team_a"),
                            "team_b": request.form.get("team_b")}, _("Teams swapped. Check the warnings below."))


PANEL_ACTIONS = {"move": "move", "remove": "remove", "chair": "chair", "lock": "lock_seat",
                 "swap": "swap_adjudicators"}


@bp.post("/<int:rid>/panel")
@login_required
def panel(tid, rid):
    """Move an adjudicator to a debate (or off all panels), make them chair, lock or unlock their
    seat, or swap them with another adjudicator."""
    op = PANEL_ACTIONS.get(request.form.get("action", "move"), "")
    args = {"op": op, **{k: request.form.get(k) for k in ("adjudicator_id", "debate_id", "role", "swap_with")}}
    swapped = _("Adjudicators swapped. Check the warnings below.") if op == "swap_adjudicators" else None
    return _edit(tid, rid, args, swapped)


def _int_arg(source, name):
    value = source.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0


@bp.get("/<int:rid>/panel/preview")
@login_required
def panel_preview(tid, rid):
    """What a planned move or swap would break, for the warnings shown while choosing (JSON)."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    args = {k: request.args.get(k) for k in ("adjudicator_id", "debate_id", "role", "swap_with")}
    op = "swap_adjudicators" if args["swap_with"] else "move" if args["debate_id"] else "remove"
    plan = draw_edits.preview(rnd, {"op": op, **args})
    out = [{"debate_id": d.id, "label": plan.label(d.id),
            "warnings": [{"text": error_text(code, params), "new": new} for code, params, new in ws]}
           for d, ws in plan.touched_warnings()]
    return jsonify(debates=out, new=sum(1 for d in out for w in d["warnings"] if w["new"]))


@bp.post("/<int:rid>/rooms")
@login_required
def rooms(tid, rid):
    """Put one debate in a chosen room (exchanging with the debate that had it), or re-assign all."""
    if request.form.get("action") == "reassign":
        return _edit(tid, rid, {"op": "reassign_rooms"}, _("Rooms re-assigned. Rooms chosen by hand were kept."))
    return _edit(tid, rid, {"op": "set_room", "debate_id": request.form.get("debate_id"),
                            "room_id": request.form.get("room_id")})


@bp.get("/<int:rid>/unlock")
@login_required
def unlock_form(tid, rid):
    """Before unlocking a confirmed round: what the unlock exposes, and the reason to give."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    return render_template("rounds/unlock.html", t=t, rnd=rnd, lock=round_lock.lock_state(rnd),
                           preview=round_lock.unlock_preview(rnd))


@bp.post("/<int:rid>/unlock")
@login_required
def unlock(tid, rid):
    reason = request.form.get("reason")
    return _round_action(tid, rid, lambda rnd: round_lock.unlock(rnd, reason, current_user),
                         _("The round is unlocked for a correction. It locks again when you lock it or when its "
                           "next ballot is confirmed."),
                         back=url_for("rounds.unlock_form", tid=tid, rid=rid),
                         done=url_for("rounds.show", tid=tid, rid=rid))


@bp.post("/<int:rid>/lock")
@login_required
def lock(tid, rid):
    return _round_action(tid, rid, lambda rnd: round_lock.relock(rnd, current_user), _("The round is locked again."))


@bp.get("/<int:rid>/checkin")
@login_required
def checkin(tid, rid):
    """The registration desk: who takes part in the round, one tap per person, search by name
    (?q= without JavaScript; the page's script filters as you type)."""
    t = tournament_for(tid)
    rnd = _round(t, rid)
    q = " ".join((request.args.get("q") or "").split())[:100]
    return render_template("rounds/checkin.html", t=t, rnd=rnd, desk=attendance.desk(rnd), q=q, locked=bool(rnd.debates),
                           needle=q.casefold())


@bp.post("/<int:rid>/checkin")
@login_required
def checkin_tap(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    q = " ".join((request.form.get("q") or "").split())[:100]
    wants_json = request.accept_mimetypes.best == "application/json"
    back = url_for("rounds.checkin", tid=t.id, rid=rid, q=q or None)
    if not wants_json:
        on_refusal(back)
    try:
        obj_id = int(request.form.get("id", ""))
    except ValueError:
        obj_id = 0
    try:
        present = attendance.toggle(rnd, request.form.get("kind"), obj_id, user=current_user)
    except Refused as e:
        if not wants_json:
            raise
        db.session.rollback()
        return jsonify({"error": {"code": e.code, "message": error_text(e.code, e.params)}}), e.status
    db.session.commit()
    if wants_json:
        desk = attendance.desk(rnd)
        return jsonify({"present": present, "counts": {str(c["league"].id): [c["present"], c["total"]]
                                                      for c in desk["counts"]},
                        "adjudicators": [desk["adjudicators_present"], desk["adjudicators_total"]]})
    return redirect(back + f"#p-{request.form.get('kind')}-{obj_id}")


@bp.get("/<int:rid>/replace")
@login_required
def replace_form(tid, rid):
    """An adjudicator leaves during a drawn round: the debates that lose them and the proposed
    replacements, before one confirmation."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    on_refusal(url_for("rounds.show", tid=t.id, rid=rid))
    ids = [int(v) for v in request.args.getlist("adjudicator_id") if v.isdigit()]
    changes = replacements.plan(rnd, {"adjudicators": ids})
    leaving = db.session.scalars(select(Adjudicator).where(Adjudicator.id.in_(ids))).all()
    return render_template("rounds/replace.html", t=t, rnd=rnd, changes=changes, leaving=leaving)


@bp.post("/<int:rid>/replace")
@login_required
def replace(tid, rid):
    args = {"adjudicators": [int(v) for v in request.form.getlist("adjudicator_id") if v.isdigit()],
            "withdraw": request.form.get("withdraw") == "1"}
    return _round_action(tid, rid, lambda rnd: replacements.apply(rnd, args, user=current_user),
                         then=_announce_replacements)


def _announce_replacements(rnd, changes):
    announce_round(rnd, "draw", league_ids={c["debate"].league_id for c in changes
                                            if rnd.draw_public(c["debate"].league_id)})
    flash(ngettext("%(num)d debate has a new panel.", "%(num)d debates have new panels.", len(changes)), "success")


@bp.post("/<int:rid>/silent")
@login_required
def silent(tid, rid):
    """A silent round's results stay hidden from the public (usually the last prelims, until the break)."""
    silent = request.form.get("value") == "1"
    return _round_action(tid, rid, lambda rnd: svc.release(rnd, silent=silent, user=current_user),
                         then=lambda rnd, changed: announce_round(rnd, "results", league_ids=changed))


@bp.post("/<int:rid>/delete")
@login_required
def delete(tid, rid):
    """Undo a round with no ballot and no later round (the box must be ticked to confirm)."""
    confirmed = request.form.get("confirm") == "1"
    return _round_action(tid, rid, lambda rnd: delete_round(rnd, user=current_user, confirmed=confirmed),
                         _("The round was deleted."), back=url_for("rounds.show", tid=tid, rid=rid) + "#delete",
                         done=url_for("rounds.index", tid=tid))
