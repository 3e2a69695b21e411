"""An adjudicator's private pages, reached only through their unguessable key: the current
assignment, the ballot (phone-first; works without JavaScript too) and "report a problem"."""
import hmac
import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.web import on_refusal
from ..live.events import announce_ballot_submitted, announce_problem
from ..models import Adjudicator, Ballot, Debate, DebateAdjudicator, ProblemReport, Round, RoundLeague, Team, Tournament
from ..services import attendance
from ..services import ballots as svc
from ..services.errors import Refused
from ..services.problems import answered_for
from ..services.rounds import motions_of
from ..tab.results import ROLES, parse_mark
from ..text.i18n import use_tournament
from ..text.messages import error_text, field_errors_text

bp = Blueprint("judge", __name__, url_prefix="/j")


def adjudicator_by_key(key: str) -> Adjudicator:
    if not key or len(key) > 64:
        abort(404)
    adj = db.session.scalar(select(Adjudicator).where(Adjudicator.private_key == key))
    # The lookup is by an indexed unique column; compare again in constant time so the
    # response never depends on how much of a guessed key was right.
    if adj is None or not hmac.compare_digest(adj.private_key, key):
        abort(404)
    use_tournament(db.session.get(Tournament, adj.tournament_id))
    return adj


def seats(adj):
    """The adjudicator's seats in rounds whose draw is released in the debate's league, newest first."""
    return db.session.execute(
        select(DebateAdjudicator, Round).join(Round, Round.id == DebateAdjudicator.round_id)
        .join(Debate, Debate.id == DebateAdjudicator.debate_id)
        .join(RoundLeague, and_(RoundLeague.round_id == Round.id, RoundLeague.league_id == Debate.league_id))
        .where(DebateAdjudicator.adjudicator_id == adj.id, RoundLeague.draw_released.is_(True))
        .order_by(Round.seq.desc())).all()


def current_assignment(adj):
    rows = seats(adj)
    return (rows[0][0], rows[0][1]) if rows else (None, None)


def _page_locale(adj, debate=None):
    # A ballot defaults to its league's language; otherwise the adjudicator's first language.
    g.page_locale = debate.league.language if debate is not None else (adj.languages or ["kk"])[0]


@bp.get("/<key>")
def home(key):
    adj = adjudicator_by_key(key)
    seat, rnd = current_assignment(adj)
    debate = seat.debate if seat else None
    _page_locale(adj, debate)
    motion = motions_of(rnd).get(debate.league_id) if debate is not None and rnd.motion_public(debate.league_id) \
        else None
    mine = None
    if debate is not None:
        mine = db.session.scalar(select(Ballot).where(Ballot.debate_id == debate.id, Ballot.adjudicator_id == adj.id)
                                 .order_by(Ballot.version.desc()).limit(1))
    next_round = attendance.next_undrawn_round(adj.tournament_id) if adj.available else None
    return render_template("judge/home.html", adj=adj, seat=seat, rnd=rnd, key=key, debate=debate, motion=motion,
                           mine=mine, past=seats(adj)[1:], answers=answered_for(adj.id), next_round=next_round,
                           here=attendance.confirmed_here(adj, next_round),
                           result_public=debate is not None and debate.confirmed_at is not None
                           and rnd.results_public(debate.league_id))


@bp.post("/<key>/here")
def here(key):
    """The adjudicator's own check-in: present for the next round not yet drawn."""
    adj = adjudicator_by_key(key)
    _page_locale(adj)
    on_refusal(url_for("judge.home", key=key))
    attendance.adjudicator_here(adj)
    db.session.commit()
    flash(_("You are checked in for this round."), "success")
    return redirect(url_for("judge.home", key=key) + "#here")


# Everything the ballot page shows, in one query instead of a lazy load for each.
_BALLOT_PAGE = (joinedload(Debate.round).joinedload(Round.tournament), joinedload(Debate.league),
                joinedload(Debate.room), joinedload(Debate.gov).joinedload(Team.speakers),
                joinedload(Debate.opp).joinedload(Team.speakers))


def _debate_for(adj, did) -> Debate:
    debate = db.session.get(Debate, did, options=_BALLOT_PAGE)
    if debate is None or svc.seat_of(adj.id, debate.id) is None or not debate.round.draw_public(debate.league_id):
        abort(404)
    return debate


def _form_data(form, debate):
    speakers = {r: form.get(f"speaker_{r}") for r in ROLES if form.get(f"speaker_{r}")}
    for side, roles in (("gov", ("PM", "MG")), ("opp", ("LO", "MO"))):
        if form.get(f"iron_{side}") and form.get(f"iron_{side}_speaker"):  # an iron person: both speeches
            speakers.update({r: form.get(f"iron_{side}_speaker") for r in roles})
    return {"debate_id": debate.id, "client_id": form.get("client_id") or str(uuid.uuid4()),
            "winner": form.get("winner"),
            "scores": {r: form.get(f"score_{r}", "") for r in ROLES},
            "speakers": speakers,
            "nominations": {k: form.get(f"nominate_{k}") for k in ("orator", "analyst") if form.get(f"nominate_{k}")}}


@bp.route("/<key>/ballot/<int:did>", methods=["GET", "POST"])
def ballot(key, did):
    adj = adjudicator_by_key(key)
    debate = _debate_for(adj, did)
    _page_locale(adj, debate)
    rnd = debate.round
    rules = svc.score_rules(rnd.tournament, rnd)
    errors, review, stored = {}, None, None
    closed = debate.confirmed_at is not None  # the ballot window is closed: shown, not offered
    status = 409 if closed and request.method == "POST" else 200
    if request.method == "POST" and closed and request.form.get("step") == "send":
        try:
            svc.submit_as(adj.id, _form_data(request.form, debate))
        except Refused as e:
            if e.code in svc.KEEP_ON_REFUSAL:
                db.session.commit()  # what it carried stays in the audit log
            else:
                db.session.rollback()
        else:
            db.session.rollback()
    elif request.method == "POST" and not closed:
        data = _form_data(request.form, debate)
        if request.form.get("step") == "send":
            try:
                # A signed-in person using a key counts as entering the ballot (cannot confirm it).
                stored, created = svc.submit_as(adj.id, data,
                                                entered_by=current_user if current_user.is_authenticated else None)
            except Refused as e:
                if e.status == 503:  # busy: 503 with Retry-After (web.page_refusal), the form kept
                    raise
                if e.code in svc.KEEP_ON_REFUSAL:
                    db.session.commit()  # closed meanwhile: what it carried stays in the audit log
                    closed, status = True, 409
                else:
                    db.session.rollback()
                    errors = field_errors_text(e.fields) if e.fields else {"": error_text(e.code)}
            else:
                # The page below shows what was just read: keep it loaded across the commit.
                session = db.session()
                session.expire_on_commit = False
                try:
                    db.session.commit()
                finally:
                    session.expire_on_commit = True
                if created:
                    announce_ballot_submitted(stored.tournament_id, stored.round_id, stored.debate_id, stored.id)
        else:
            try:
                svc._clean(data, debate, rules)  # validate only
                review = _review(data, debate)
            except Refused as e:
                errors = field_errors_text(e.fields)
    motion = motions_of(rnd).get(debate.league_id) if rnd.motion_public(debate.league_id) else None
    return render_template("judge/ballot.html", adj=adj, key=key, debate=debate, rnd=rnd, rules=rules,
                           errors=errors, review=review, stored=stored, form=request.form, motion=motion,
                           closed=closed, result_public=closed and rnd.results_public(debate.league_id),
                           client_id=request.form.get("client_id") or str(uuid.uuid4())), (422 if errors else status)


def _review(data, debate):
    scores = {r: parse_mark(v) for r, v in data["scores"].items() if v not in (None, "")}
    gov = sum(scores.get(r, 0) for r in ("PM", "MG"))
    opp = sum(scores.get(r, 0) for r in ("LO", "MO"))
    return {"winner": data["winner"], "gov": gov, "opp": opp, "scores": scores, "has_scores": bool(scores)}


@bp.post("/<key>/problem")
def problem(key):
    adj = adjudicator_by_key(key)
    _page_locale(adj)
    message = " ".join((request.form.get("message") or "").split())[:1000]
    seat, _rnd = current_assignment(adj)
    if not message:
        flash(error_text("required"), "error")
    else:
        db.session.add(ProblemReport(tournament_id=adj.tournament_id, adjudicator_id=adj.id,
                                     debate_id=seat.debate_id if seat else None, message=message))
        db.session.commit()
        announce_problem(adj.tournament_id)
        flash(_("Your message reached the tab room. Someone will come to you."), "success")
    return redirect(url_for("judge.home", key=key))
