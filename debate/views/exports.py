"""Downloads for the tab room: /t/<tid>/export/<what>.<csv|xlsx>?league=<lid>

what: standings (teams), speakers, results, ballots (every version, with who entered and who
confirmed it). Column names in the page's language (?lang= or the browser's). Without
?league= every league of the tournament is exported, one after another (the first column
names the league). Only the tournament's own directors and tab staff (tournament_for).
"""
from flask import Blueprint, Response, abort, request
from flask_login import login_required

from ..core.extensions import db
from ..core.web import tournament_for
from ..models import League
from ..services import exports as svc
from ..services.transfer import dumps, export_tournament

bp = Blueprint("exports", __name__, url_prefix="/t/<int:tid>/export")

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/tournament.json")
@login_required
def tournament_json(tid):
    """The whole tournament as one file (services/transfer.py; the same as `flask debate export`),
    offered before anonymising or deleting it. Directors only: it holds private keys and contacts."""
    t = tournament_for(tid, roles=("director",))
    resp = Response(dumps(export_tournament(t.id)) + "\n", mimetype="application/json")
    resp.headers["Content-Disposition"] = f'attachment; filename="tournament-{t.id}.json"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/<what>.<fmt>")
@login_required
def download(tid, what, fmt):
    t = tournament_for(tid)
    if what not in svc.KINDS or fmt not in svc.FORMATS:
        abort(404)
    lid = request.args.get("league", type=int)
    if lid is not None:
        league = db.session.get(League, lid)
        if league is None or league.tournament_id != t.id:
            abort(404)
        leagues = [league]
    else:
        leagues = list(t.leagues)
    head, rows = svc.table(what, leagues)
    if fmt == "csv":
        body = svc.to_csv(head, rows)
    else:
        body = svc.to_xlsx(head, rows, svc.sheet_titles()[what])
    name = f"{what}-t{t.id}" + (f"-l{leagues[0].id}" if lid is not None else "") + f".{fmt}"
    resp = Response(body, mimetype=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
