"""Diplomas, letters of gratitude and certificates as PDF (ReportLab), and the teams' appeal
code slips.

Each document is written in its league's language (flask_babel.force_locale) with the
shipped Noto Serif font (SIL Open Font License, static/fonts/OFL.txt), which has every
Kazakh letter. Each carries its verification code and a QR code of the public address
/verify/<code>.
"""
import io
from pathlib import Path

import qrcode
from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ..core.web import is_loopback, public_link
from ..services.awards import format_code
from ..text.i18n import ROUND_KIND_NAMES, STAGE_NAMES, format_date_range, quoted

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
NAVY = HexColor("#1d3557")
GOLD = HexColor("#b8892b")
INK = HexColor("#1b1b1b")
SOFT = HexColor("#5a5a5a")
PAPER = HexColor("#fdfaf2")
ROMAN = {1: "I", 2: "II", 3: "III"}

_fonts_ready = False


def _fonts():
    global _fonts_ready
    if not _fonts_ready:
        pdfmetrics.registerFont(TTFont("Serif", str(FONT_DIR / "NotoSerif-Regular.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-Bold", str(FONT_DIR / "NotoSerif-Bold.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-Italic", str(FONT_DIR / "NotoSerif-Italic.ttf")))
        _fonts_ready = True


def verify_url(a) -> str:
    return public_link(a.tournament, "awards.verify", code=a.code)


def _loopback_banner(c, url: str, w, h):
    """A sheet whose QR codes and links carry this computer's own address says so across its top,
    in the language of the person printing it."""
    if not is_loopback(url):
        return
    c.saveState()
    c.setFillColor(HexColor("#b00020"))
    c.setFont("Serif-Bold", 10)
    text = _("Not for handing out: the links and QR codes point to %(url)s, which phones cannot open. "
             "Set the tournament's public address and print again.", url=url)
    y = h - 7 * mm
    for line in _wrap(text, "Serif-Bold", 10, w - 20 * mm):
        c.drawCentredString(w / 2, y, line)
        y -= 4.5 * mm
    c.restoreState()


def _qr_image(data: str) -> ImageReader:
    img = qrcode.make(data, border=1, box_size=8)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


def _fit(text, font, size, width, minimum=10):
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _wrap(text, font, size, width) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and pdfmetrics.stringWidth(trial, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def _centred_block(c, text, font, size, y, width, leading=None, colour=INK) -> float:
    """Draw wrapped, centred text from y downwards; return the y below it."""
    leading = leading or size * 1.35
    c.setFont(font, size)
    c.setFillColor(colour)
    pw = c._pagesize[0]
    for line in _wrap(text, font, size, width):
        c.drawCentredString(pw / 2, y, line)
        y -= leading
    return y


def _frame(c, w, h):
    c.setFillColor(PAPER)
    c.rect(0, 0, w, h, stroke=0, fill=1)
    c.setStrokeColor(NAVY)
    c.setLineWidth(5)
    c.rect(10 * mm, 10 * mm, w - 20 * mm, h - 20 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(14 * mm, 14 * mm, w - 28 * mm, h - 28 * mm)
    c.setLineWidth(0.5)
    c.rect(15.5 * mm, 15.5 * mm, w - 31 * mm, h - 31 * mm)
    # corner ornaments: gold diamonds
    c.setFillColor(GOLD)
    for x, y in ((14 * mm, 14 * mm), (w - 14 * mm, 14 * mm), (14 * mm, h - 14 * mm), (w - 14 * mm, h - 14 * mm)):
        p = c.beginPath()
        p.moveTo(x, y - 4 * mm)
        p.lineTo(x + 4 * mm, y)
        p.lineTo(x, y + 4 * mm)
        p.lineTo(x - 4 * mm, y)
        p.close()
        c.drawPath(p, stroke=0, fill=1)


def _rule(c, y, w, length=60 * mm):
    c.setStrokeColor(GOLD)
    c.setLineWidth(1)
    c.line(w / 2 - length / 2, y, w / 2 + length / 2, y)
    c.setFillColor(GOLD)
    c.circle(w / 2, y, 1.4 * mm, stroke=0, fill=1)


def _texts(a) -> dict:
    """The words of one document, in the current (forced) locale: the league's language. Team
    names are quoted here, in the marks of that language (never inside a msgid), and a name that
    already carries quotes is left as it is."""
    lang = a.league.language
    team = quoted(a.team_name or "", lang)
    if a.kind == "degree":
        return {"title": _("Diploma"), "subtitle": _("%(degree)s degree", degree=ROMAN.get(a.degree, a.degree)),
                "lead": _("is awarded to"), "name": a.recipient, "body": _("team %(team)s", team=team)}
    if a.kind == "best_speaker":
        return {"title": _("Diploma"), "subtitle": _("Best speaker · %(place)s place", place=ROMAN.get(a.place, a.place)),
                "lead": _("is awarded to"), "name": a.recipient,
                "body": _("team %(team)s, for the speaker points collected in the preliminary rounds.", team=team)}
    if a.kind in ("orator", "analyst"):
        return {"title": _("Diploma"), "subtitle": _("Best orator") if a.kind == "orator" else _("Best analyst"),
                "lead": _("is awarded to"), "name": a.recipient, "body": _("team %(team)s", team=team)}
    if a.kind == "gratitude":
        names = a.team_names
        return {"title": _("Letter of gratitude"), "subtitle": "",
                "lead": pgettext("letter of gratitude", "is presented to"), "name": a.recipient,
                "body": ngettext("for preparing the team %(teams)s for the tournament.",
                                 "for preparing the teams %(teams)s for the tournament.", len(names),
                                 teams=", ".join(quoted(n, lang) for n in names))}
    return {"title": pgettext("document title", "Certificate of participation"), "subtitle": "",
            "lead": pgettext("certificate", "This certifies that"), "name": a.recipient,
            "body": _("took part in the tournament as a member of the team %(team)s.", team=team)}


def _draw_award(c, a):
    w, h = c._pagesize
    t = a.tournament
    _frame(c, w, h)
    with force_locale(a.league.language):
        words = _texts(a)
        stage = str(STAGE_NAMES.get(t.stage, ""))
        when = format_date_range(t.start_date, t.end_date, a.league.language)
        place_line = ", ".join(x for x in (t.venue_in(a.league.language), when) if x)
        director = _("Tournament director")
        verify_label = _("Check this document:")
        code_label = _("Code")
    top = h - 30 * mm
    c.setFillColor(SOFT)
    c.setFont("Serif", 11)
    c.drawCentredString(w / 2, top, stage.upper())
    name = t.name_in(a.league.language)
    y = _centred_block(c, name, "Serif-Bold", _fit(name, "Serif-Bold", 16, w - 80 * mm), top - 8 * mm,
                       w - 80 * mm, colour=NAVY)
    # the league under the tournament's name, so the body never ends on a dangling league name
    c.setFont("Serif", 12)
    c.setFillColor(SOFT)
    c.drawCentredString(w / 2, y + 1 * mm, a.league.name)
    y -= 7 * mm
    title = words["title"].upper()
    c.setFont("Serif-Bold", _fit(title, "Serif-Bold", 46, w - 60 * mm))
    c.setFillColor(NAVY)
    c.drawCentredString(w / 2, y - 8 * mm, title)
    y -= 14 * mm
    if words["subtitle"]:
        c.setFont("Serif-Bold", 20)
        c.setFillColor(GOLD)
        c.drawCentredString(w / 2, y - 6 * mm, words["subtitle"])
        y -= 10 * mm
    _rule(c, y - 4 * mm, w)
    y -= 13 * mm
    c.setFont("Serif-Italic", 14)
    c.setFillColor(SOFT)
    c.drawCentredString(w / 2, y, words["lead"])
    y -= 13 * mm
    size = _fit(words["name"], "Serif-Bold", 32, w - 70 * mm, minimum=16)
    c.setFont("Serif-Bold", size)
    c.setFillColor(INK)
    c.drawCentredString(w / 2, y, words["name"])
    y -= 11 * mm
    _centred_block(c, words["body"], "Serif", 14, y, w - 110 * mm)
    # footer: place and date, signature, QR
    base = 26 * mm
    c.setFont("Serif", 11)
    c.setFillColor(INK)
    if place_line:
        c.drawString(26 * mm, base + 10 * mm, place_line)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(26 * mm, base, 96 * mm, base)
    c.setFont("Serif", 9)
    c.setFillColor(SOFT)
    c.drawString(26 * mm, base - 5 * mm, director)
    url = verify_url(a)
    _loopback_banner(c, url, w, h)
    qr = 28 * mm
    c.drawImage(_qr_image(url), w - 26 * mm - qr, base - 6 * mm, qr, qr)
    c.setFont("Serif", 8)
    c.drawRightString(w - 26 * mm - qr - 3 * mm, base + 14 * mm, verify_label)
    c.drawRightString(w - 26 * mm - qr - 3 * mm, base + 9 * mm, url)
    c.setFont("Serif-Bold", 10)
    c.setFillColor(INK)
    c.drawRightString(w - 26 * mm - qr - 3 * mm, base + 3 * mm, f"{code_label}: {format_code(a.code)}")


def awards_pdf(awards, title="") -> bytes:
    """One PDF, one landscape A4 page per document."""
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), pageCompression=1)
    c.setTitle(title)
    c.setAuthor("Debate tab")
    for a in awards:
        _draw_award(c, a)
        c.showPage()
    if not awards:
        c.showPage()
    c.save()
    return buf.getvalue()


def team_codes_pdf(t, rows) -> bytes:
    """Slips to cut out and hand to each team at registration: team, league, appeal code, and
    where to file. rows: [(team, league, code)]. The text is in each league's language."""
    _fonts()
    buf = io.BytesIO()
    w, h = A4
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(t.name)
    slip_h, per_page = 46 * mm, 6
    for i, (team, league, code, url) in enumerate(rows):
        if i and i % per_page == 0:
            c.showPage()
        if i % per_page == 0:
            _loopback_banner(c, url, w, h)
        y = h - 15 * mm - (i % per_page) * slip_h
        c.setStrokeColor(SOFT)
        c.setDash(3, 3)
        c.rect(15 * mm, y - slip_h + 4 * mm, w - 30 * mm, slip_h - 4 * mm)
        c.setDash()
        with force_locale(league.language):
            head = _("Appeal code of the team")
            how = _("An appeal may be filed within the appeal window after a round's results are "
                    "announced, at %(url)s, with the team's name and this code.", url=url)
        c.setFont("Serif", 9)
        c.setFillColor(SOFT)
        c.drawString(20 * mm, y - 9 * mm, f"{t.name_in(league.language)} · {league.name}")
        c.setFont("Serif-Bold", 14)
        c.setFillColor(INK)
        c.drawString(20 * mm, y - 17 * mm, team.name)
        c.setFont("Serif", 10)
        c.drawString(20 * mm, y - 24 * mm, head)
        c.setFont("Serif-Bold", 18)
        c.setFillColor(NAVY)
        c.drawString(20 * mm + pdfmetrics.stringWidth(head, "Serif", 10) + 4 * mm, y - 24.5 * mm, format_code(code))
        c.setFont("Serif", 8)
        c.setFillColor(SOFT)
        yy = y - 31 * mm
        for line in _wrap(how, "Serif", 8, w - 45 * mm):
            c.drawString(20 * mm, yy, line)
            yy -= 4 * mm
    c.showPage()
    c.save()
    return buf.getvalue()


# ----- the paper fallback: a round's ballots, door sheets and motion slips -----

def _mark_text(value) -> str:
    return f"{value:g}"


def _ballot_page(c, pack, lg, d, seat):
    """One adjudicator's paper ballot for one debate (A4 portrait, black on white)."""
    w, h = A4
    left, right = 18 * mm, w - 18 * mm
    _loopback_banner(c, seat.url, w, h)
    with force_locale(lg.language):
        words = {
            "ballot": _("Paper ballot"), "room": _("Room"), "adj": _("Adjudicator"),
            "role": _("Chair") if seat.chair else _("Panellist"), "motion": _("Motion"),
            "range": _("Marks from %(min)s to %(max)s, in steps of %(step)s.", min=_mark_text(pack.score_min),
                       max=_mark_text(pack.score_max), step=_mark_text(pack.score_step)),
            "gov": _("Government"), "opp": _("Opposition"),
            "roles": {"PM": _("Prime Minister"), "MG": _("Member of Government"),
                      "LO": _("Leader of Opposition"), "MO": _("Member of Opposition")},
            "speaker": _("Speaker"), "mark": _("Mark"), "total": _("Total"),
            "winner": _("Winner"), "sign": _("Signature"),
            "reserve": _("Reserve"), "substitute": _("If another speaker spoke, write their name."),
            "qr": _("Or send this ballot from your phone:"),
            "orator": _("Best orator"), "analyst": _("Best analyst"),
            "title": round_title_text(pack.round),
        }
    c.setFillColor(INK)
    y = h - 20 * mm
    c.setFont("Serif", 10)
    c.drawString(left, y, f"{pack.tournament} · {lg.name} · {words['title']}")
    y -= 10 * mm
    c.setFont("Serif-Bold", 20)
    c.drawString(left, y, words["ballot"])
    c.drawRightString(right, y, f"{words['room']}: {d.room}")
    y -= 8 * mm
    c.setFont("Serif", 11)
    c.drawString(left, y, f"{words['adj']}: {seat.name} ({words['role']})")
    y -= 7 * mm
    if lg.motion:
        c.setFont("Serif-Bold", 10)
        c.drawString(left, y, f"{words['motion']}:")
        c.setFont("Serif", 10)
        for line in _wrap(lg.motion, "Serif", 10, right - left - 20 * mm):
            c.drawString(left + 20 * mm, y, line)
            y -= 5 * mm
        y -= 2 * mm
    c.setFont("Serif-Bold", 10)
    c.drawString(left, y, words["range"])
    y -= 9 * mm
    for side, team, roles in (("gov", d.gov, ("PM", "MG")), ("opp", d.opp, ("LO", "MO"))):
        c.setFont("Serif-Bold", 13)
        c.drawString(left, y, f"{words[side]}: {team.name}")
        y -= 3 * mm
        c.setLineWidth(0.8)
        c.setStrokeColor(INK)
        for i, role in enumerate(roles):
            y -= 11 * mm
            name = team.speakers[i] if i < len(team.speakers) else ""
            c.setFont("Serif", 10)
            c.drawString(left, y + 3 * mm, words["roles"][role])
            c.setFont("Serif-Bold", 12)
            c.drawString(left + 55 * mm, y + 3 * mm, name)
            c.rect(right - 30 * mm, y, 30 * mm, 10 * mm)  # the mark
        y -= 11 * mm
        c.setFont("Serif-Bold", 11)
        c.drawRightString(right - 33 * mm, y + 3 * mm, words["total"])
        c.rect(right - 30 * mm, y, 30 * mm, 10 * mm)
        c.setFont("Serif", 8)
        note = words["substitute"] + (f" {words['reserve']}: {team.reserve}." if team.reserve else "")
        c.drawString(left, y + 3 * mm, note)
        y -= 10 * mm
    c.setFont("Serif-Bold", 12)
    c.drawString(left, y, f"{words['winner']}:")
    for i, side in enumerate(("gov", "opp")):
        x = left + 30 * mm + i * 60 * mm
        c.rect(x, y - 1 * mm, 5 * mm, 5 * mm)
        c.setFont("Serif", 11)
        c.drawString(x + 7 * mm, y, words[side])
    y -= 12 * mm
    c.setFont("Serif", 10)
    for label in (words["orator"], words["analyst"]):
        c.drawString(left, y, f"{label}:")
        c.line(left + 35 * mm, y - 1 * mm, left + 110 * mm, y - 1 * mm)
        y -= 9 * mm
    y -= 4 * mm
    c.drawString(left, y, f"{words['sign']}:")
    c.line(left + 25 * mm, y - 1 * mm, left + 90 * mm, y - 1 * mm)
    qr = 30 * mm
    c.drawImage(_qr_image(seat.url), right - qr, 15 * mm, qr, qr)
    c.setFont("Serif", 8)
    c.drawRightString(right - qr - 3 * mm, 15 * mm + qr - 4 * mm, words["qr"])
    c.drawRightString(right - qr - 3 * mm, 15 * mm + qr - 8 * mm, seat.url)


def _door_page(c, pack, lg, d):
    """The sheet on a room's door: the debate, its sides and its panel, readable from afar."""
    w, h = A4
    left, right = 20 * mm, w - 20 * mm
    with force_locale(lg.language):
        words = {"room": _("Room"), "gov": _("Government"), "opp": _("Opposition"), "panel": _("Panel"),
                 "chair": _("Chair"), "title": round_title_text(pack.round)}
    c.setFillColor(INK)
    c.setFont("Serif", 12)
    c.drawString(left, h - 22 * mm, f"{pack.tournament} · {lg.name} · {words['title']}")
    c.setFont("Serif-Bold", 54)
    room = f"{words['room']} {d.room}"
    c.setFont("Serif-Bold", _fit(room, "Serif-Bold", 54, right - left))
    c.drawCentredString(w / 2, h - 55 * mm, room)
    y = h - 85 * mm
    for side, team in (("gov", d.gov), ("opp", d.opp)):
        c.setFont("Serif", 16)
        c.drawString(left, y, words[side])
        y -= 12 * mm
        c.setFont("Serif-Bold", _fit(team.name, "Serif-Bold", 30, right - left))
        c.drawString(left, y, team.name)
        y -= 9 * mm
        c.setFont("Serif", 13)
        c.drawString(left, y, ", ".join(team.speakers))
        y -= 18 * mm
    c.setFont("Serif", 16)
    c.drawString(left, y, words["panel"])
    y -= 10 * mm
    c.setFont("Serif", 14)
    for seat in d.panel:
        c.drawString(left, y, seat.name + (f" ({words['chair']})" if seat.chair else ""))
        y -= 8 * mm


def _motion_slips(c, pack, lg):
    """Motion slips to cut out and hand to the teams, six to a page."""
    w, h = A4
    with force_locale(lg.language):
        head = f"{pack.tournament} · {lg.name} · {round_title_text(pack.round)} · {_('Motion')}"
    slip_h, per_page = 46 * mm, 6
    for i in range(per_page):
        y = h - 12 * mm - i * slip_h
        c.setStrokeColor(SOFT)
        c.setDash(3, 3)
        c.rect(15 * mm, y - slip_h + 4 * mm, w - 30 * mm, slip_h - 4 * mm)
        c.setDash()
        c.setFillColor(INK)
        c.setFont("Serif", 9)
        c.drawString(20 * mm, y - 8 * mm, head)
        yy = y - 17 * mm
        for line in _wrap(lg.slip_motion, "Serif-Bold", 13, w - 45 * mm)[:4]:
            c.setFont("Serif-Bold", 13)
            c.drawString(20 * mm, yy, line)
            yy -= 6 * mm
    c.showPage()


def round_title_text(rnd) -> str:
    """The round's title in the current (forced) locale."""
    if rnd.kind == "prelim":
        return _("Round %(n)s", n=rnd.number)
    return str(ROUND_KIND_NAMES.get(rnd.kind, rnd.kind))


def round_pack_pdf(pack) -> bytes:
    """One PDF for a round (A4, black on white): per league, in its language, a ballot per
    adjudicator per debate, a door sheet per room, then the motion slips if asked for."""
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{pack.tournament} · {pack.round.kind} {pack.round.number}")
    c.setAuthor("Debate tab")
    pages = 0
    for lg in pack.leagues:
        for d in lg.debates:
            if d.forfeit:
                continue
            for seat in d.panel:
                _ballot_page(c, pack, lg, d, seat)
                c.showPage()
                pages += 1
        for d in lg.debates:
            _door_page(c, pack, lg, d)
            c.showPage()
            pages += 1
        if lg.slip_motion:
            _motion_slips(c, pack, lg)
            pages += 1
    if not pages:
        c.showPage()
    c.save()
    return buf.getvalue()
