"""An adjudicator's private page, reached only through their unguessable key."""
import hmac

from flask import Blueprint, abort, g, render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Adjudicator, DebateAdjudicator, Round

bp = Blueprint("judge", __name__, url_prefix="/j")


def adjudicator_by_key(key: str) -> Adjudicator:
    if not key or len(key) > 64:
        abort(404)
    adj = db.session.scalar(select(Adjudicator).where(Adjudicator.private_key == key))
    # The lookup is by an indexed unique column; compare again in constant time so the
    # response never depends on how much of a guessed key was right.
    if adj is None or not hmac.compare_digest(adj.private_key, key):
        abort(404)
    return adj


def current_assignment(adj):
    """The adjudicator's seat in the latest round whose draw is released, if any."""
    row = db.session.execute(
        select(DebateAdjudicator, Round).join(Round, Round.id == DebateAdjudicator.round_id)
        .where(DebateAdjudicator.adjudicator_id == adj.id, Round.draw_released.is_(True))
        .order_by(Round.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (None, None)


@bp.get("/<key>")
def home(key):
    adj = adjudicator_by_key(key)
    if adj.languages:
        g.page_locale = adj.languages[0]
    seat, rnd = current_assignment(adj)
    return render_template("judge/home.html", adj=adj, seat=seat, rnd=rnd, key=key)
