"""The organiser's reports: pages and XLSX."""
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _
from flask_login import login_required

from ..core.web import tournament_for
from ..services import reports as reports_svc
from ..services import season as season_svc
from ..text.i18n import LANGUAGE_LEAGUE_NAMES, STAGE_NAMES, locale_code

bp = Blueprint("reports", __name__)


def _now():
    return datetime.now(timezone.utc)


def report_labels() -> dict:
    labels = {
        "summary": _("Summary"), "item": _("Item"), "value": _("Value"), "tournament": _("Tournament"),
        "tournaments": _("Tournaments"), "stage": _("Stage"),
        "debaters": _("Debaters"), "teams": _("Teams"), "schools": _("Schools"), "rural_schools": _("Rural schools"),
        "coaches": _("Coaches"), "adjudicators": _("Adjudicators"), "rounds": _("Rounds"), "debates": _("Debates"),
        "ballots": _("Ballots (confirmed)"), "ballot_versions": _("Ballots submitted (all versions)"),
        "regions": _("Regions represented"), "distinct_debaters": _("Distinct debaters (name, school, region)"),
        "by_region": _("By region"), "by_league": _("By league"), "by_setting": _("Rural and urban"),
        "by_grade": _("By grade"), "by_gender": _("By gender"), "results": _("Results by region"),
        "region": _("Region"), "league": _("League"), "school_type": _("School"), "grade": _("Grade"),
        "gender": _("Gender"), "not_recorded": _("Not recorded"),
        "setting_urban": _("Urban school"), "setting_rural": _("Rural school"), "setting_none": _("Not recorded"),
        "gender_f": _("Girls"), "gender_m": _("Boys"), "gender_none": _("Not recorded"),
        "res_teams": _("Teams"), "res_debaters": _("Debaters"), "res_debates": _("Debates"), "res_wins": _("Wins"),
        "res_breaking": _("Teams breaking"),
    }
    for k, v in LANGUAGE_LEAGUE_NAMES.items():
        labels["league_" + k] = str(v)
    for k, v in STAGE_NAMES.items():
        labels["stage_" + k] = str(v)
    return labels


def _report(t, scope):
    if scope == "tournament":
        return reports_svc.tournament_report(t)
    if scope == "season":
        return reports_svc.season_report(t)
    abort(404)


@bp.get("/t/<int:tid>/reports")
@login_required
def reports(tid):
    t = tournament_for(tid, roles=("director",))
    return render_template("reports/index.html", t=t, season=season_svc.season_of(t))


@bp.get("/t/<int:tid>/reports/<scope>")
@login_required
def report_page(tid, scope):
    t = tournament_for(tid, roles=("director",))
    rep = _report(t, scope)
    return render_template("reports/report.html", t=t, scope=scope, r=rep, labels=report_labels(),
                           regions=reports_svc.region_rows(rep, locale_code()),
                           grades=reports_svc.sorted_grades(rep), NONE=reports_svc.NONE, now=_now())


@bp.get("/t/<int:tid>/reports/<scope>.xlsx")
@login_required
def report_xlsx(tid, scope):
    t = tournament_for(tid, roles=("director",))
    rep = _report(t, scope)
    data = reports_svc.xlsx(rep, report_labels(), locale_code())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="report-{scope}-{t.id}-{locale_code()}.xlsx"'})
