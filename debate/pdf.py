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
from flask_babel import force_locale, gettext as _, ngettext, pgettext
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .i18n import STAGE_NAMES, format_date_range, quoted
from .services.awards import format_code
from .web import is_loopback, public_link

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
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
        place_line = ", ".join(x for x in (t.venue, when) if x)
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
