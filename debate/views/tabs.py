"""The director's tabs: team and speaker standings, nominations, the break, releases, exports."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..core.extensions import db
from ..core.web import form_int, form_ints, on_refusal, tournament_for
from ..live.events import announce_tournament
from ..models import League
from ..services import standings as svc
from ..services.rounds import Refused
from ..services.undo import delete_break
from ..text.i18n import METRIC_NAMES, fmt_mark
from ..text.messages import error_text

bp = Blueprint("tabs", __name__, url_prefix="/t/<int:tid>/leagues/<int:lid>")


def _league(t, lid) -> League:
    lg = db.session.get(League, lid)
    if lg is None or lg.tournament_id != t.id:
        abort(404)
    return lg


def _memo(fn):
    """fn with its results remembered for this call: a tab shows ten thousand numbers but only
    a few hundred distinct ones."""
    seen = {}

    def call(value):
        out = seen.get(value)
        if out is None:
            out = seen[value] = fn(value)
        return out
    return call


def _tie_ids(text) -> set:
    return {int(x) for x in (text or "").split(",") if x.strip().isdigit()}


# The two big tables (2,000 teams, 4,000 speakers) are rendered here, one f-string per row,
# rather than by a Jinja loop: ~6x faster (each Jinja {{ }} is a generator step and an
# escape() call). Every text that is not ours is escaped: names, translated metric names and
# formatted numbers (once per distinct value); the rest are ints and fixed strings.

def team_table(rows, cut, num, withdrawn=frozenset()):
    """<tr> rows of the team tab: rank (= if tied), team (marked if withdrawn), wins, points,
    draw strength, separated by (the metric that ranks the team below the one above it; = inside
    a tie)."""
    metric = {m: escape(str(label)) for m, label in METRIC_NAMES.items()}
    mark = f' <span class="tag">{escape(_("withdrawn"))}</span>'
    out = []
    for i, (r, name) in enumerate(rows, 1):
        sep = metric.get(r.separated_by, "") if r.separated_by else ("=" if r.tied else "")
        out.append(f'<tr class="{"cut" if i == cut else ""}"><td>{r.rank}{"=" if r.tied else ""}</td>'
                   f'<td>{escape(name)}{mark if r.team_id in withdrawn else ""}</td><td class="num">{r.wins}</td><td class="num">{num(r.speaker_points)}</td>'
                   f'<td class="num">{r.draw_strength}</td><td class="muted">{sep}</td></tr>')
    return Markup("\n".join(out))


def speaker_table(rows, num):
    """<tr> rows of the speaker tab: rank (— for speakers who missed too many rounds, muted),
    speaker, team, total, average, speeches."""
    teams = _memo(escape)
    out = []
    for r, name, team in rows:
        if r.ranked:
            head = f'<tr class=""><td>{r.rank}{"=" if r.tied else ""}</td>'
        else:
            head = '<tr class="muted"><td>—</td>'
        out.append(f'{head}<td>{escape(name)}</td><td>{teams(team)}</td><td class="num">{num(r.total)}</td>'
                   f'<td class="num">{num(r.average)}</td><td class="num">{r.speeches}</td></tr>')
    return Markup("\n".join(out))


@bp.get("/standings")
@login_required
def standings(tid, lid):
    t = tournament_for(tid)
    league = _league(t, lid)
    cut = int(t.setting("break_size"))
    num = _memo(lambda v: escape(fmt_mark(v)))
    with svc.quiet_gc():
        teams = svc.team_rows(league)
        tied = _tie_ids(request.args.get("tie"))
        noms = {kind: [(name if name is not None else row.speaker_id, row.count, num(row.points))
                       for row, name in rows] for kind, rows in svc.nomination_rows(league).items()}
        html = render_template("tabs/standings.html", t=t, league=league, cut=cut, seeds=svc.break_of(league),
                               team_rows_html=team_table(teams, cut, num, svc.withdrawn_team_ids(league)),
                               tie_choices=[(r.team_id, name) for r, name in teams if r.team_id in tied],
                               speaker_rows_html=speaker_table(svc.speaker_rows(league), num),
                               nominations=noms)
        del teams, noms
        svc.forget()
    return html


@bp.post("/break")
@login_required
def make_break(tid, lid):
    t = tournament_for(tid, roles=("director",))
    league = _league(t, lid)
    size = form_int("size", t.setting("break_size"), lo=2, hi=1024)
    include = form_ints("include") or None
    try:
        svc.make_break(league, size, include=include, user=current_user)
        db.session.commit()
        flash(_("The break is announced: %(n)s teams.", n=size), "success")
    except Refused as e:
        db.session.rollback()
        flash(error_text(e.code, e.params), "error")
        if e.code == "tie_at_cut":
            return redirect(url_for("tabs.standings", tid=t.id, lid=lid, tie=",".join(map(str, e.params["team_ids"])),
                                    places=e.params["places_left"], size=size) + "#break")
    return redirect(url_for("tabs.standings", tid=t.id, lid=lid) + "#break")


@bp.post("/break/delete")
@login_required
def undo_break(tid, lid):
    """Undo the league's break before its first elimination draw (the box must be ticked)."""
    t = tournament_for(tid, roles=("director",))
    league = _league(t, lid)
    back = on_refusal(url_for("tabs.standings", tid=t.id, lid=lid) + "#break")
    delete_break(league, user=current_user, confirmed=request.form.get("confirm") == "1")
    db.session.commit()
    flash(_("The break was undone."), "success")
    return redirect(back)


@bp.post("/release")
@login_required
def release(tid, lid):
    t = tournament_for(tid, roles=("director",))
    for key in ("team_standings", "speaker_standings", "bracket"):
        if key in request.form:
            setattr(t, f"{key}_released", request.form.get(key) == "1")
    db.session.commit()
    announce_tournament(t)
    flash(_("Saved."), "success")
    return redirect(url_for("tabs.standings", tid=t.id, lid=lid))
