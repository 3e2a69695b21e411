"""Awards and documents: the director's pages and the public verification page /verify/<code>."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.extensions import db
from ..core.web import form_int, on_refusal, tournament_for
from ..documents.pdf import awards_pdf
from ..models import Award, Team
from ..services import awards as awards_svc
from ..text.i18n import PLACING_NAMES, STAGE_NAMES

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


def kind_label(a) -> str:
    roman = {1: "I", 2: "II", 3: "III"}
    return str(KIND_NAMES[a.kind]) % {"degree": roman.get(a.degree, a.degree), "place": roman.get(a.place, a.place)}


def pdf_response(data: bytes, filename: str, inline=False) -> Response:
    disp = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disp}; filename="{filename}"'})


@bp.get("/t/<int:tid>/awards")
@login_required
def index(tid):
    t = tournament_for(tid, roles=("director",))
    leagues = []
    for lg in t.leagues:
        noms = {k: awards_svc.nominee(lg, k) for k in ("orator", "analyst")}
        candidates = [(s, tm) for tm in db.session.scalars(select(Team).where(Team.league_id == lg.id)
                                                            .order_by(Team.name)) for s in tm.speakers]
        leagues.append((lg, awards_svc.league_placings(lg), noms, candidates, awards_svc.diploma_tie(lg)))
    try:
        degree_map, degree_error = awards_svc.parse_degree_map(t.setting("award_degrees")), None
    except ValueError:
        degree_map, degree_error = awards_svc.DEFAULT_DEGREES, True
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id))}
    return render_template("awards/index.html", t=t, leagues=leagues, counts=awards_svc.counts(t),
                           categories=CATEGORY_NAMES, degree_map=degree_map, degree_error=degree_error,
                           teams=teams, n_best=t.setting("best_speakers_awarded"),
                           placing_names=PLACING_NAMES, share_rule=t.setting("diploma_rule") == "share",
                           share=t.setting("diploma_share"), split=t.setting("diploma_split"))


@bp.post("/t/<int:tid>/awards/prepare")
@login_required
def prepare(tid):
    t = tournament_for(tid, roles=("director",))
    on_refusal(url_for("awards.index", tid=t.id))  # a tied nomination: the director chooses first
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
        awards_svc.choose_nominee(league, request.form.get("kind"), form_int("speaker_id"),
                                  current_user)
        db.session.commit()
        flash(_("Saved. Prepare the documents again to issue them."), "success")
    except ValueError:
        db.session.rollback()
        flash(_("Choose a speaker of this league."), "error")
    return redirect(url_for("awards.index", tid=t.id) + f"#league-{league.id}")


@bp.post("/t/<int:tid>/awards/leagues/<int:lid>/diploma-tie")
@login_required
def decide_tie(tid, lid):
    t = tournament_for(tid, roles=("director",))
    league = awards_svc.league_of(t, lid) or abort(404)
    on_refusal(url_for("awards.index", tid=t.id) + f"#league-{league.id}")
    awards_svc.choose_diploma_tie(league, request.form.get("degree", type=int),
                                  request.form.getlist("team_id", type=int), current_user)
    db.session.commit()
    flash(_("Saved. Prepare the documents again to issue them."), "success")
    return redirect(url_for("awards.index", tid=t.id) + f"#league-{league.id}")


@bp.get("/t/<int:tid>/awards/<category>.pdf")
@login_required
def download(tid, category):
    t = tournament_for(tid, roles=("director",))
    if category not in awards_svc.CATEGORIES:
        abort(404)
    lid = request.args.get("league", type=int)
    rows = awards_svc.awards_of(t, category, league_id=lid)
    return pdf_response(awards_pdf(rows, title=f"{t.name} · {CATEGORY_NAMES[category]}"), f"{category}-{t.id}.pdf")


@bp.get("/t/<int:tid>/awards/doc/<int:aid>.pdf")
@login_required
def document(tid, aid):
    t = tournament_for(tid, roles=("director",))
    a = db.session.get(Award, aid)
    if a is None or a.tournament_id != t.id:
        abort(404)
    return pdf_response(awards_pdf([a], title=t.name), f"document-{a.id}.pdf", inline=True)


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
                           stage=STAGE_NAMES.get(a.tournament.stage, ""), superseded=a.superseded)


@bp.get("/verify")
def verify_form():
    code = awards_svc.normalise_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("awards.verify", code=code))
    return render_template("awards/verify.html", a=None, ask=True, code="")
