"""The paper fallback (#20 item 5): a round's printed pack (one PDF), and the keyboard-only form
in which tab staff type paper ballots (through services.ballots.submit_ballot, entered_by)."""
import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.extensions import db
from ..core.web import tournament_for
from ..documents.pdf import round_pack_pdf
from ..live.events import announce_ballot_submitted
from ..services import ballots as ballots_svc
from ..services import paper as svc
from ..services.ballots import score_rules
from ..services.errors import Refused
from ..text.messages import error_text, field_errors_text
from .awards import pdf_response
from .rounds import _round

bp = Blueprint("paper", __name__, url_prefix="/t/<int:tid>/rounds/<int:rid>")


@bp.get("/paper.pdf")
@login_required
def pack(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    data = round_pack_pdf(svc.round_pack(t, rnd, include_motions=request.args.get("motions") == "1"))
    return pdf_response(data, f"round-{rnd.seq}-paper.pdf", inline=True)


@bp.route("/paper-entry", methods=["GET", "POST"])
@login_required
def entry(tid, rid):
    t = tournament_for(tid)
    rnd = _round(t, rid)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            debate, adj = svc.find_seat(rnd, form.get("seat"))
            data = svc.paper_ballot_data(debate, form)
            data["client_id"] = data["client_id"] or str(uuid.uuid4())
            ballot, created = ballots_svc.submit_ballot(adj, data, entered_by=current_user)
            db.session.commit()
        except Refused as e:
            db.session.rollback()
            errors = field_errors_text(e.fields) if e.fields else {"": error_text(e.code)}
        else:
            if created:
                announce_ballot_submitted(t.id, rnd.id, ballot.debate_id, ballot.id)
            flash(_("Paper ballot stored: %(seat)s. Another member of the tab staff must confirm it.",
                    seat=form.get("seat")), "success")
            return redirect(url_for("paper.entry", tid=t.id, rid=rnd.id))
    choices = svc.entry_choices(rnd)
    return render_template("rounds/paper_entry.html", t=t, rnd=rnd, choices=choices, rules=score_rules(t, rnd),
                           seat_label=svc.seat_label, errors=errors, form=form,
                           client_id=str(uuid.uuid4())), (422 if errors else 200)
