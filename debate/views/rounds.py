"""The director's round pages: create rounds, draw every league, adjust by hand, release."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..live import announce_motion_edit, announce_round
from ..messages import error_text
from ..models import Adjudicator, Bye, Debate, DebateAdjudicator, Room, Round, Team
from ..services import rounds as svc
from ..services.audit import audit
from ..services.season import judged_earlier
from ..services.warnings import move_preview, round_warnings
from ..web import form_int, on_refusal, tournament_for

bp = Blueprint("rounds", __name__, url_prefix="/t/<int:tid>/rounds")


def _round(t, rid) -> Round:
    rnd = db.session.get(Round, rid)
    if rnd is None or rnd.tournament_id != t.id:
        abort(404)
    return rnd


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
    free = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == rnd.tournament_id,
                                                        Adjudicator.available.is_(True))).all()
    free = sorted((a for a in free if a.id not in seated), key=lambda a: -a.rating)
    return debates, byes, free


def _rooms(t):
    return db.session.scalars(select(Room).where(Room.tournament_id == t.id, Room.available.is_(True))
                              .order_by(Room.priority.desc(), Room.name)).all()


@bp.get("/<int:rid>/")
@login_required
def show(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    debates, byes, free = _draw_context(rnd)
    warnings = round_warnings(rnd) if debates else {}
    unfilled = {u["debate_id"]: u for u in svc.unfilled_of(rnd)}
    return render_template("rounds/show.html", t=t, rnd=rnd, debates=debates, byes=byes, free=free,
                           rooms=_rooms(t) if debates else [], judged_earlier=judged_earlier(t) if debates else {},
                           warnings=warnings, unfilled=unfilled, motions=svc.motions_of(rnd),
                           league_ids={rl.league_id for rl in rnd.leagues},
                           summaries={rl.league_id: rl.draw_summary or {} for rl in rnd.leagues})


@bp.post("/<int:rid>/draw")
@login_required
def draw(tid, rid):
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    back = on_refusal(url_for("rounds.show", tid=t.id, rid=rid))
    svc.generate_draw(rnd, regenerate=bool(request.form.get("regenerate")), user=current_user)
    db.session.commit()
    flash(_("The draw is ready. Check it, then release it."), "success")
    return redirect(back)


@bp.post("/<int:rid>/allocate")
@login_required
def allocate(tid, rid):
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    unfilled = svc.allocate_round(rnd, keep_locked=True, user=current_user)
    db.session.commit()
    if unfilled:
        flash(_("Panels allocated; %(n)s debates could not get a full valid panel.", n=len(unfilled)), "error")
    else:
        flash(_("Panels allocated. Locked choices were kept."), "success")
    return redirect(url_for("rounds.show", tid=t.id, rid=rid))


@bp.post("/<int:rid>/release")
@login_required
def release(tid, rid):
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    what = request.form.get("what")
    value = request.form.get("value") == "1"
    back = on_refusal(url_for("rounds.show", tid=t.id, rid=rid))
    svc.release(rnd, **{what: value}, user=current_user) if what in ("draw", "motion", "results") else abort(400)
    if what == "results":
        rnd.silent = request.form.get("silent") == "1"
    db.session.commit()
    announce_round(rnd, what)
    flash(_("Published.") if value else _("Withdrawn from public pages."), "success")
    return redirect(back)


@bp.post("/<int:rid>/motion")
@login_required
def motion(tid, rid):
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    text = request.form.get("text", "")
    if not text.strip():
        flash(error_text("required"), "error")
        return redirect(url_for("rounds.show", tid=t.id, rid=rid))
    back = on_refusal(url_for("rounds.show", tid=t.id, rid=rid))
    league_id = _int_arg(request.form, "league_id")  # anything else: "unknown league"
    svc.set_motion(rnd, league_id, text, request.form.get("info_slide"))
    db.session.commit()
    if announce_motion_edit(rnd, league_id):
        flash(_("Motion corrected. Public pages and projectors show the new text."), "success")
    else:
        flash(_("Motion saved. It stays hidden until you release it."), "success")
    return redirect(back)


def _debate(rnd, did) -> Debate:
    d = db.session.get(Debate, did)
    if d is None or d.round_id != rnd.id:
        abort(404)
    return d


@bp.post("/<int:rid>/debates/<int:did>/swap-sides")
@login_required
def swap_sides(tid, rid, did):
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    d = _debate(rnd, did)
    d.gov_team_id, d.opp_team_id = d.opp_team_id, d.gov_team_id
    d.flags = [f for f in (d.flags or []) if f not in ("coin_toss", "side_forced", "side_choice_pending")] + ["sides_manual"]
    audit(t.id, "sides_swapped", d, user=current_user)
    db.session.commit()
    return redirect(url_for("rounds.show", tid=t.id, rid=rid) + f"#debate-{d.id}")


@bp.post("/<int:rid>/swap-teams")
@login_required
def swap_teams(tid, rid):
    """Exchange two teams between debates of the same league (or within one debate)."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    a, b = form_int("team_a", 0), form_int("team_b", 0)
    if a == b:
        flash(error_text("same_team"), "error")
        return redirect(url_for("rounds.show", tid=t.id, rid=rid))
    slots = {}
    for d in rnd.debates:
        for side in ("gov", "opp"):
            slots[getattr(d, f"{side}_team_id")] = (d, side)
    if a not in slots or b not in slots or slots[a][0].league_id != slots[b][0].league_id:
        flash(_("Both teams must be in this round's draw of the same league."), "error")
        return redirect(url_for("rounds.show", tid=t.id, rid=rid))
    (da, sa), (dbb, sb) = slots[a], slots[b]
    setattr(da, f"{sa}_team_id", b)
    setattr(dbb, f"{sb}_team_id", a)
    for d in {da, dbb}:
        d.flags = list(d.flags or []) + ["teams_manual"]
    audit(t.id, "teams_swapped", rnd, user=current_user, team_a=a, team_b=b)
    db.session.commit()
    flash(_("Teams swapped. Check the warnings below."), "success")
    return redirect(url_for("rounds.show", tid=t.id, rid=rid))


@bp.post("/<int:rid>/panel")
@login_required
def panel(tid, rid):
    """Move an adjudicator to a debate (or off all panels), set their role, lock or unlock."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    adj = db.session.get(Adjudicator, form_int("adjudicator_id", 0))
    if adj is None or adj.tournament_id != t.id:
        abort(404)
    action = request.form.get("action", "move")
    if action == "swap":
        return _swap_adjudicators(t, rnd, adj)
    seat = db.session.scalar(select(DebateAdjudicator).where(DebateAdjudicator.round_id == rnd.id,
                                                             DebateAdjudicator.adjudicator_id == adj.id))
    if action == "lock" and seat:
        seat.locked = not seat.locked
    elif action == "remove" and seat:
        db.session.delete(seat)
    elif action == "chair" and seat:
        for p in seat.debate.panel:
            if p.role == "chair":
                p.role = "panellist"
        seat.role, seat.locked = "chair", True
    elif action == "move":
        target = _debate(rnd, form_int("debate_id", 0))
        role = "chair" if request.form.get("role") == "chair" else "panellist"
        if seat:
            db.session.delete(seat)
            db.session.flush()
        if role == "chair":
            for p in target.panel:
                if p.role == "chair":
                    p.role = "panellist"
        db.session.add(DebateAdjudicator(round_id=rnd.id, debate_id=target.id, adjudicator_id=adj.id, role=role,
                                         position=0 if role == "chair" else len(target.panel) + 1, locked=True))
    audit(t.id, f"panel_{action}", rnd, user=current_user, adjudicator_id=adj.id)
    db.session.commit()
    return redirect(url_for("rounds.show", tid=t.id, rid=rid))


def _seat(rnd, adj_id):
    return db.session.scalar(select(DebateAdjudicator).where(DebateAdjudicator.round_id == rnd.id,
                                                             DebateAdjudicator.adjudicator_id == adj_id))


def _swap_adjudicators(t, rnd, adj):
    """Exchange the seats (debate and role) of two adjudicators; both seats end up locked."""
    other = db.session.get(Adjudicator, _int_arg(request.form, "swap_with"))
    if other is None or other.tournament_id != t.id or other.id == adj.id:
        flash(error_text("same_adjudicator"), "error")
        return redirect(url_for("rounds.show", tid=t.id, rid=rnd.id) + "#move")
    a, b = _seat(rnd, adj.id), _seat(rnd, other.id)
    if a is None and b is None:
        flash(error_text("neither_seated"), "error")
        return redirect(url_for("rounds.show", tid=t.id, rid=rnd.id) + "#move")
    # Delete and re-insert: updating both rows in place trips the one-seat-per-round constraint.
    new = [DebateAdjudicator(round_id=rnd.id, debate_id=s.debate_id, adjudicator_id=n.id, role=s.role,
                             position=s.position, locked=True) for s, n in ((a, other), (b, adj)) if s is not None]
    for s in (a, b):
        if s is not None:
            db.session.delete(s)
    db.session.flush()
    db.session.add_all(new)
    audit(t.id, "panel_swap", rnd, user=current_user, adjudicator_id=adj.id, swap_with=other.id)
    db.session.commit()
    flash(_("Adjudicators swapped. Check the warnings below."), "success")
    return redirect(url_for("rounds.show", tid=t.id, rid=rnd.id))


def _int_arg(source, name):
    value = source.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0


@bp.get("/<int:rid>/panel/preview")
@login_required
def panel_preview(tid, rid):
    """What a planned move or swap would break, for the warnings shown while choosing (JSON)."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    adj_id, debate_id = _int_arg(request.args, "adjudicator_id"), _int_arg(request.args, "debate_id")
    swap_with = _int_arg(request.args, "swap_with") or None
    role = "chair" if request.args.get("role") == "chair" else "panellist"
    touched = move_preview(rnd, adj_id, debate_id or None, role, swap_with)
    out = [{"debate_id": d.id, "label": f"{d.room.name + ': ' if d.room else ''}{d.gov.name} / {d.opp.name}",
            "warnings": [{"text": error_text(code, params), "new": new} for code, params, new in ws]}
           for d, ws in touched]
    return jsonify(debates=out, new=sum(1 for d in out for w in d["warnings"] if w["new"]))


@bp.post("/<int:rid>/rooms")
@login_required
def rooms(tid, rid):
    """Put one debate in a chosen room (exchanging with the debate that had it), or re-assign all."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    back = on_refusal(url_for("rounds.show", tid=t.id, rid=rid))
    if request.form.get("action") == "reassign":
        svc.reassign_rooms(rnd, user=current_user)
        db.session.commit()
        flash(_("Rooms re-assigned. Rooms chosen by hand were kept."), "success")
    else:
        d = _debate(rnd, _int_arg(request.form, "debate_id"))
        svc.set_room(rnd, d, db.session.get(Room, _int_arg(request.form, "room_id")), user=current_user)
        db.session.commit()
    return redirect(back)


@bp.post("/<int:rid>/silent")
@login_required
def silent(tid, rid):
    """A silent round's results stay hidden from the public (usually the last prelims, until the break)."""
    t = tournament_for(tid, roles=("director",))
    rnd = _round(t, rid)
    rnd.silent = request.form.get("value") == "1"
    audit(t.id, "round_silent", rnd, user=current_user, silent=rnd.silent)
    db.session.commit()
    announce_round(rnd, "results")
    return redirect(url_for("rounds.show", tid=t.id, rid=rid))
