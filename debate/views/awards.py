"""Awards and documents, the season, the organiser's reports and appeals: the director's
pages, the public verification page /verify/<code> and the public appeal form /appeal/<tid>."""
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..i18n import LANGUAGE_LEAGUE_NAMES, STAGE_NAMES, locale_code, round_title
from ..messages import error_text, field_errors_text
from ..models import Adjudicator, Appeal, Award, Ballot, Team, Tournament, TournamentMember
from ..services import appeals as appeals_svc
from ..services import awards as awards_svc
from ..services import reports as reports_svc
from ..services import season as season_svc
from ..services.ballots import BallotRefused, seat_of
from ..services.participants import ValidationFailed
from ..web import tournament_for

bp = Blueprint("awards", __name__)

CATEGORY_NAMES = {
    "diplomas": _l("Diplomas of I, II and III degree"),
    "speakers": _l("Best speakers"),
    "nominations": _l("Best orator and best analyst"),
    "gratitude": _l("Letters of gratitude to coaches"),
    "participation": _l("Certificates of participation"),
}
KIND_NAMES = {
    "degree": _l("Diploma of %(degree)s degree"),
    "best_speaker": _l("Diploma: best speaker, %(place)s place"),
    "orator": _l("Diploma: best orator"),
    "analyst": _l("Diploma: best analyst"),
    "gratitude": _l("Letter of gratitude"),
    "participation": _l("Certificate of participation"),
}
PLACING_NAMES = {"champion": _l("Champion"), "finalist": _l("Finalist"), "semifinalist": _l("Semifinalist"),
                 "quarterfinalist": _l("Quarterfinalist"), "octofinalist": _l("Octofinalist")}
STATUS_NAMES = {"pending": _l("Pending"), "upheld": _l("Upheld"), "partly": _l("Partly upheld"),
                "rejected": _l("Rejected")}
MESSAGES = {
    "appeal_bad_team_or_code": _l("The team name or the appeal code is not right."),
    "appeal_too_many_attempts": _l("Too many wrong codes for this team. Try again in an hour or ask the tab room."),
    "appeal_unknown_round": _l("Choose the round."),
    "appeal_not_open": _l("The results of this round have not been announced yet."),
    "appeal_window_closed": _l("The time for appeals against this round has ended."),
    "appeal_team_not_in_round": _l("This team did not debate in that round."),
    "appeal_text_length": _l("Describe the appeal in 10 to 3000 characters."),
    "appeal_already_pending": _l("This team already has an appeal on this round waiting for a decision."),
    "appeal_no_debate": _l("The appeal is not about a debate, so there is no ballot to correct."),
    "season_cycle": _l("A tournament cannot qualify into itself or an earlier stage of its own season."),
    "not_qualifying_target": _l("This tournament does not qualify into that one."),
    "tournament_not_finished": _l("The tournament is not finished: some debates have no confirmed result."),
    "promote_how": _l("Choose the breaking teams or a number of teams per league."),
    "choice": _l("Not one of the allowed values."),
    "required": _l("This field is required."),
}


def _msg(code, params=None):
    m = MESSAGES.get(code)
    return str(m) if m is not None else error_text(code, params or {})


def kind_label(a) -> str:
    roman = {1: "I", 2: "II", 3: "III"}
    return str(KIND_NAMES[a.kind]) % {"degree": roman.get(a.degree, a.degree), "place": roman.get(a.place, a.place)}


def _now():
    return datetime.now(timezone.utc)


def _pdf(data: bytes, filename: str, inline=False) -> Response:
    disp = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disp}; filename="{filename}"'})


# ===== awards =====

@bp.get("/t/<int:tid>/awards")
@login_required
def index(tid):
    t = tournament_for(tid, roles=("director",))
    leagues = []
    for lg in t.leagues:
        noms = {k: awards_svc.nominee(lg, k) for k in ("orator", "analyst")}
        candidates = [(s, tm) for tm in db.session.scalars(select(Team).where(Team.league_id == lg.id)
                                                            .order_by(Team.name)) for s in tm.speakers]
        leagues.append((lg, awards_svc.league_placings(lg), noms, candidates))
    try:
        degree_map, degree_error = awards_svc.parse_degree_map(t.setting("award_degrees")), None
    except ValueError:
        degree_map, degree_error = awards_svc.DEFAULT_DEGREES, True
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id))}
    return render_template("awards/index.html", t=t, leagues=leagues, counts=awards_svc.counts(t),
                           categories=CATEGORY_NAMES, degree_map=degree_map, degree_error=degree_error,
                           teams=teams, n_best=t.setting("best_speakers_awarded"),
                           placing_names=PLACING_NAMES)


@bp.post("/t/<int:tid>/awards/prepare")
@login_required
def prepare(tid):
    t = tournament_for(tid, roles=("director",))
    try:
        stats = awards_svc.sync_awards(t, user=current_user)
    except ValueError:
        db.session.rollback()
        flash(_("The setting for diploma degrees is not valid; fix it in the settings."), "error")
        return redirect(url_for("awards.index", tid=t.id))
    db.session.commit()
    flash(_("Documents prepared: %(created)s new, %(updated)s changed, %(revoked)s withdrawn.", **stats), "success")
    return redirect(url_for("awards.index", tid=t.id))


@bp.post("/t/<int:tid>/awards/leagues/<int:lid>/nominee")
@login_required
def choose(tid, lid):
    t = tournament_for(tid, roles=("director",))
    league = awards_svc.league_of(t, lid) or abort(404)
    try:
        awards_svc.choose_nominee(league, request.form.get("kind"), request.form.get("speaker_id", type=int),
                                  current_user)
        db.session.commit()
        flash(_("Saved. Prepare the documents again to issue them."), "success")
    except ValueError:
        db.session.rollback()
        flash(_("Choose a speaker of this league."), "error")
    return redirect(url_for("awards.index", tid=t.id) + f"#league-{league.id}")


@bp.get("/t/<int:tid>/awards/<category>.pdf")
@login_required
def download(tid, category):
    from ..pdf import awards_pdf
    t = tournament_for(tid, roles=("director",))
    if category not in awards_svc.CATEGORIES:
        abort(404)
    lid = request.args.get("league", type=int)
    rows = awards_svc.awards_of(t, category, league_id=lid)
    return _pdf(awards_pdf(rows, title=f"{t.name} · {CATEGORY_NAMES[category]}"), f"{category}-{t.id}.pdf")


@bp.get("/t/<int:tid>/awards/doc/<int:aid>.pdf")
@login_required
def document(tid, aid):
    from ..pdf import awards_pdf
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Award, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    return _pdf(awards_pdf([a], title=t.name), f"document-{a.id}.pdf", inline=True)


@bp.get("/t/<int:tid>/awards/list")
@login_required
def listing(tid):
    t = tournament_for(tid, roles=("director",))
    return render_template("awards/list.html", t=t, awards=awards_svc.awards_of(t), kind_label=kind_label,
                           format_code=awards_svc.format_code)


@bp.get("/verify/<code>")
def verify(code):
    a = awards_svc.find_by_code(code)
    if a is None or a.revoked:
        return render_template("awards/verify.html", a=None, withdrawn=a is not None, code=code), \
            (410 if a is not None else 404)
    return render_template("awards/verify.html", a=a, kind_label=kind_label(a), code=awards_svc.format_code(a.code),
                           stage=STAGE_NAMES.get(a.tournament.stage, ""))


@bp.get("/verify")
def verify_form():
    code = awards_svc.normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("awards.verify", code=code))
    return render_template("awards/verify.html", a=None, ask=True, code="")


# ===== season =====

def _directed_tournaments():
    return db.session.scalars(select(Tournament).join(TournamentMember).where(
        TournamentMember.user_id == current_user.id, TournamentMember.role == "director")
        .order_by(Tournament.created_at.desc())).all()


@bp.get("/t/<int:tid>/season")
@login_required
def season(tid):
    t = tournament_for(tid, roles=("director",))
    target = db.session.get(Tournament, t.qualifies_for_id) if t.qualifies_for_id else None
    adjs = {a.id: a for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id))}
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id))}
    return render_template("awards/season.html", t=t, target=target,
                           options=[x for x in _directed_tournaments() if x.id != t.id],
                           earlier=season_svc.earlier_tournaments(t), finished=season_svc.is_finished(t),
                           conflicts=season_svc.earlier_stage_conflicts(t), judged=season_svc.judged_earlier(t),
                           adjs=adjs, teams=teams, result=None)


@bp.post("/t/<int:tid>/season/qualifies")
@login_required
def qualifies(tid):
    t = tournament_for(tid, roles=("director",))
    target_id = request.form.get("target_id", type=int)
    target = tournament_for(target_id, roles=("director",)) if target_id else None
    try:
        season_svc.set_qualifies_for(t, target, current_user)
        db.session.commit()
        flash(_("Saved."), "success")
    except season_svc.SeasonRefused as e:
        db.session.rollback()
        flash(_msg(e.code), "error")
    return redirect(url_for("awards.season", tid=t.id))


@bp.post("/t/<int:tid>/season/promote")
@login_required
def promote(tid):
    t = tournament_for(tid, roles=("director",))
    if not t.qualifies_for_id:
        abort(409)
    target = tournament_for(t.qualifies_for_id, roles=("director",))  # must direct the target too
    how = request.form.get("how")
    n = request.form.get("n", type=int)
    try:
        result = season_svc.promote(t, target, current_user, how=how, n=n)
        db.session.commit()
    except season_svc.SeasonRefused as e:
        db.session.rollback()
        flash(_msg(e.code), "error")
        return redirect(url_for("awards.season", tid=t.id))
    except ValidationFailed as e:
        db.session.rollback()
        flash("; ".join(f"{k}: {v}" for errs in e.errors.values() for k, v in field_errors_text(errs).items()),
              "error")
        return redirect(url_for("awards.season", tid=t.id))
    flash(_("%(n)s teams promoted to %(target)s.", n=len(result["promoted"]), target=target.name), "success")
    for team in result["collisions"]:
        flash(_("Not promoted: the name %(name)s is already used in %(target)s.", name=team.name,
                target=target.name), "error")
    for team in result["no_league"]:
        flash(_("Not promoted: %(target)s has no league in the language of %(name)s.", name=team.name,
                target=target.name), "error")
    for team in result["already"]:
        flash(_("Already promoted: %(name)s.", name=team.name), "success")
    return redirect(url_for("awards.season", tid=t.id))


# ===== reports =====

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


# ===== appeals: the director =====

@bp.get("/t/<int:tid>/appeals")
@login_required
def appeals(tid):
    t = tournament_for(tid)
    rows = appeals_svc.appeals_of(t)
    codes = awards_svc.team_codes(t) if current_user.role_in(t.id) == "director" else {}
    db.session.commit()  # codes made on first view
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.name)).all()
    now = _now()
    from ..services.rounds import rounds_of
    windows = [(r, appeals_svc.window(r)) for r in rounds_of(t)]
    ballots = {b.id: b for b in db.session.scalars(select(Ballot).where(Ballot.id.in_(
        [bid for a in rows for bid in (a.correction_ballot_ids or [])])))}
    return render_template("appeals/index.html", t=t, appeals=rows, codes=codes, teams=teams, windows=windows,
                           now=now, status_names=STATUS_NAMES, format_code=awards_svc.format_code,
                           hours=appeals_svc.window_hours(t), ballots=ballots,
                           public_url=url_for("awards.appeal_form", tid=t.id, _external=True))


@bp.post("/t/<int:tid>/appeals/<int:aid>/decide")
@login_required
def decide(tid, aid):
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Appeal, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    try:
        appeals_svc.decide(a, current_user, request.form.get("decision"), request.form.get("text"), _now())
        db.session.commit()
        flash(_("Decision recorded."), "success")
    except appeals_svc.AppealRefused as e:
        db.session.rollback()
        flash(_msg(e.code), "error")
    return redirect(url_for("awards.appeals", tid=t.id) + f"#appeal-{aid}")


@bp.post("/t/<int:tid>/appeals/<int:aid>/correction")
@login_required
def correction(tid, aid):
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Appeal, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    adj = db.session.get(Adjudicator, request.form.get("adjudicator_id", type=int) or 0)
    if adj is None or a.debate_id is None or seat_of(adj.id, a.debate_id) is None:
        flash(_msg("appeal_no_debate") if a.debate_id is None else _("Choose an adjudicator of this debate."), "error")
        return redirect(url_for("awards.appeals", tid=t.id) + f"#appeal-{aid}")
    data = {"winner": request.form.get("winner"),
            "scores": {r: request.form.get(f"score_{r}") for r in ("PM", "MG", "LO", "MO")}}
    try:
        appeals_svc.enter_correction(a, current_user, adj, data)
        db.session.commit()
        flash(_("Corrected ballot entered for %(name)s. Another member of the tab staff must confirm it.",
                name=adj.name), "success")
    except BallotRefused as e:
        db.session.rollback()
        detail = "; ".join(field_errors_text(e.fields).values()) if e.fields else error_text(e.code)
        flash(detail, "error")
    except appeals_svc.AppealRefused as e:
        db.session.rollback()
        flash(_msg(e.code), "error")
    return redirect(url_for("awards.appeals", tid=t.id) + f"#appeal-{aid}")


@bp.get("/t/<int:tid>/appeals.csv")
@login_required
def appeals_csv(tid):
    t = tournament_for(tid)
    headers = {"id": "ID", "filed_at": _("Filed at"), "team": _("Team"), "filed_by": _("Filed by"),
               "round": _("Round"), "debate": _("Debate"), "text": _("Appeal"), "status": _("Status"),
               "decision": _("Decision"), "decided_at": _("Decided at"), "decided_by": _("Decided by"),
               "corrections": _("Corrected ballots")}
    data = appeals_svc.export_csv(t, headers, {k: str(v) for k, v in STATUS_NAMES.items()}, round_title)
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="appeals-{t.id}.csv"'})


@bp.get("/t/<int:tid>/appeals/codes.pdf")
@login_required
def team_codes_pdf(tid):
    from ..pdf import team_codes_pdf as render
    t = tournament_for(tid, roles=("director",))
    codes = awards_svc.team_codes(t)
    db.session.commit()
    url = url_for("awards.appeal_form", tid=t.id, _external=True)
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).order_by(Team.league_id, Team.name)).all()
    return _pdf(render(t, [(tm, tm.league, codes[tm.id], url) for tm in teams]), f"team-codes-{t.id}.pdf")


# ===== appeals: the public form =====

@bp.route("/appeal/<int:tid>", methods=["GET", "POST"])
def appeal_form(tid):
    t = db.session.get(Tournament, tid) or abort(404)
    now = _now()
    error, filed = None, None
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        try:
            filed = appeals_svc.file_appeal(t, form.get("team"), form.get("code"), form.get("round_id"),
                                            form.get("text"), now, filed_by=form.get("filed_by", "team"))
            db.session.commit()
        except appeals_svc.AppealRefused as e:
            if e.params.get("record"):
                db.session.commit()  # keep the count of wrong codes
            else:
                db.session.rollback()
            error = _msg(e.code)
    rounds = appeals_svc.open_rounds(t, now)
    windows = {r.id: appeals_svc.window(r) for r in rounds}
    status = 200 if error is None else 422
    if error == str(MESSAGES["appeal_too_many_attempts"]):
        status = 429
    return render_template("appeals/public.html", t=t, rounds=rounds, windows=windows, error=error, filed=filed,
                           form=form), status

