"""The director's live dashboard: which debates and which adjudicators still owe ballots, which
ballots wait for confirmation, and problem reports, updated from "staff" Socket.IO events.

/t/<tid>/live       the page (static/js/live.js joins "staff<tid>" and re-fetches live.json)
/t/<tid>/live.json  the dashboard fragment, for the same signed-in staff only
"""
import time

from flask import Blueprint, jsonify, render_template, url_for
from flask_login import login_required

from ..core.web import tournament_for
from ..live.events import install_handlers
from ..services.problems import open_problems
from ..services.rounds import rounds_of
from .results import results_context

bp = Blueprint("live", __name__, url_prefix="/t/<int:tid>")
# Socket.IO handlers ("join", "state") go on each app's Socket.IO server when the views are registered.
bp.record(lambda state: install_handlers())


def dashboard_data(t):
    rounds = [r for r in rounds_of(t) if r.debates]
    # Rounds still owing ballots, and always the newest round with a draw.
    shown = [r for r in rounds if any(d.confirmed_at is None for d in r.debates)]
    if rounds and rounds[-1] not in shown:
        shown.append(rounds[-1])
    out = []
    for rnd in reversed(shown):
        rows = results_context(rnd)
        items = []
        for row in rows:
            d = row["debate"]
            missing = [p.adjudicator.name for p in d.panel if p.adjudicator_id not in row["ballots"]]
            to_confirm = [p.adjudicator.name for p in d.panel
                          if (b := row["ballots"].get(p.adjudicator_id)) is not None and b.status == "submitted"]
            items.append({"debate": d, "status": row["status"], "split": row["split"], "missing": missing,
                          "to_confirm": to_confirm})
        counts = {s: sum(1 for i in items if i["status"] == s) for s in ("none", "partial", "complete", "confirmed")}
        owing = sum(len(i["missing"]) for i in items)
        items.sort(key=lambda i: ({"none": 0, "partial": 1, "complete": 2, "confirmed": 3}[i["status"]], i["debate"].id))
        out.append({"round": rnd, "rows": items, "counts": counts, "owing": owing, "total": len(items)})
    problems = open_problems(t)
    return {"rounds": out, "problems": problems}


def _render(t):
    return render_template("director/_live.html", t=t, data=dashboard_data(t))


@bp.get("/live")
@login_required
def dashboard(tid):
    t = tournament_for(tid)
    config = {"tournament": t.id, "league": None, "staff": True, "parts": ["staff"],
              "json_url": url_for("live.dashboard_json", tid=t.id), "server_time": int(time.time() * 1000)}
    return render_template("director/live.html", t=t, fragment=_render(t), config=config)


@bp.get("/live.json")
@login_required
def dashboard_json(tid):
    t = tournament_for(tid)
    resp = jsonify({"tournament": t.id, "server_time": int(time.time() * 1000),
                    "parts": {"staff": {"available": True, "html": _render(t)}}})
    resp.headers["Cache-Control"] = "no-store"
    return resp
