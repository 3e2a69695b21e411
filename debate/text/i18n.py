"""Language choice, domain vocabulary in three languages, and locale-aware formatting.

The locale comes from, in order: a page that fixes it (an adjudicator's ballot or a league's
public page set g.page_locale, unless the visitor chose a language), the visitor's choice
(?lang= remembered in a cookie), then the browser's Accept-Language.
"""
import os
import re
import tempfile
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_interval
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol
from flask import current_app, g, request
from flask_babel import get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def compiled_catalogs(source: Path, fallback: Path) -> str:
    """The translations directory to serve, with every catalog compiled from its current .po.

    The compiled .mo files are not in the repository, so every way of starting the app (make run,
    gunicorn as in the README or docs/deploy.md, a plain `flask run`) compiles a catalog that is
    missing or older than its .po here, at start-up (a few tens of ms, only when stale). Written
    atomically, so processes starting together do not read half a file. If the package directory
    is read-only, the catalogs are compiled into `fallback` (the instance folder) instead."""
    pos = sorted(source.glob("*/LC_MESSAGES/messages.po"))

    def stale(base: Path) -> list[Path]:
        out = []
        for po in pos:
            mo = base / po.relative_to(source).with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                out.append(po)
        return out

    for base in (source, fallback):
        todo = stale(base)
        try:
            for po in todo:
                mo = base / po.relative_to(source).with_suffix(".mo")
                mo.parent.mkdir(parents=True, exist_ok=True)
                with open(po, "rb") as f:
                    catalog = read_po(f)
                fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                os.chmod(tmp, 0o644)
                os.replace(tmp, mo)
            return str(base)
        except OSError:
            continue
    return str(source)


DEFAULT_TIMEZONE = "Asia/Almaty"  # UTC+5 in the whole country since 1 March 2024


def use_tournament(t) -> None:
    """Times on this request's page, export or document are shown in the tournament's time zone
    (the setting `timezone`). Called where a request loads its tournament; the time zone
    selector below reads it, so every `format_datetime` and `local_time` of the request follows."""
    g.tournament_zone = t.setting("timezone") if t is not None else None


def select_timezone() -> str:
    return g.get("tournament_zone") or current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE


def local_time(dt: datetime | None, zone: str | None = None) -> datetime | None:
    """A stored time (UTC; naive values from SQLite are UTC) in the given zone, else the request's.
    The one conversion every page, export, document and API answer uses."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if zone:
        return dt.astimezone(ZoneInfo(zone))
    return to_user_timezone(dt)


def iso_time(dt: datetime | None, zone: str | None = None) -> str | None:
    """ISO 8601 with the offset of the tournament's zone (API answers and CSV columns)."""
    dt = local_time(dt, zone)
    return dt.isoformat(timespec="seconds") if dt else None


def select_locale() -> str:
    langs = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in langs:
        return chosen
    page = getattr(g, "page_locale", None)
    if page in langs:
        return page
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_choice(response):
    """Keep ?lang= in a cookie so the choice holds on every later page."""
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def locale_code() -> str:
    return str(get_locale() or "kk")


def fmt_mark(value) -> str:
    """A mark or point total in the locale's style: 27,5 in Kazakh and Russian, 27.5 in English.
    Formatted by hand with the locale's symbols: a 2,000-team tab formats ten thousand numbers
    and Babel's general formatter made that the slowest part of the page."""
    if value is None:
        return "—"
    decimal, group = _symbols(locale_code())
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    whole, _sep, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if len(digits) > 3:
        digits = f"{int(digits):,}".replace(",", group)
    return sign + digits + (decimal + frac if frac else "")


QUOTES = {"kk": ("«", "»"), "ru": ("«", "»"), "en": ("“", "”")}
QUOTE_MARKS = "«»“”„‟\""


def quoted(name: str, lang: str) -> str:
    """A name in the quotation marks of the language («Сұңқар», “Falcon”), unless it already
    carries quotes of its own (Ақтау «Сұңқар» stays as it is, never «Ақтау «Сұңқар»»)."""
    name = (name or "").strip()
    if any(ch in QUOTE_MARKS for ch in name):
        return name
    left, right = QUOTES.get(lang, QUOTES["en"])
    return f"{left}{name}{right}"


def format_date_range(start: date | None, end: date | None, lang: str) -> str:
    """The dates of a tournament in the language: 16–17 февраля 2023 г., 2023 ж. 16–17 ақпан,
    February 16–17, 2023; one date when it lasts a day."""
    start, end = start or end, end or start
    if start is None:
        return ""
    if start == end:
        return babel_format_date(end, "long", locale=lang)
    if (start.year, start.month) == (end.year, end.month):
        return re.sub(rf"\b{end.day}\b", f"{start.day}–{end.day}", babel_format_date(end, "long", locale=lang), count=1)
    return format_interval(start, end, "yMMMd", locale=lang)


@lru_cache(maxsize=8)
def _symbols(locale: str) -> tuple[str, str]:
    from babel.numbers import get_group_symbol
    return get_decimal_symbol(locale), get_group_symbol(locale)


STAGE_NAMES = {
    "district": _l("District stage"),
    "city": _l("City stage"),
    "regional": _l("Regional stage"),
    "republican": _l("Republican stage"),
}
SIDE_NAMES = {"gov": _l("Government"), "opp": _l("Opposition")}
ROLE_NAMES = {
    "PM": _l("Prime Minister"), "MG": _l("Member of Government"),
    "LO": _l("Leader of Opposition"), "MO": _l("Member of Opposition"),
}
ROUND_KIND_NAMES = {
    "prelim": _l("Preliminary round"), "octofinal": _l("Octofinal"),
    "quarterfinal": _l("Quarterfinal"), "semifinal": _l("Semifinal"), "final": _l("Final"),
}
LANGUAGE_LEAGUE_NAMES = {"kk": _l("Kazakh league"), "ru": _l("Russian league"), "en": _l("English league")}
PANEL_ROLE_NAMES = {"chair": _l("Chair"), "panellist": _l("Panellist")}


def forfeit_label(debate) -> str:
    """"Forfeit: <team> did not appear" for a forfeited debate (else "")."""
    if not getattr(debate, "forfeit", None):
        return ""
    team = debate.gov if debate.forfeit == "gov" else debate.opp
    return str(_l("Forfeit: %(team)s did not appear", team=team.name if team is not None else "—"))


def round_title(rnd) -> str:
    if rnd.kind == "prelim":
        return str(_l("Round %(n)s", n=rnd.number))
    return str(ROUND_KIND_NAMES.get(rnd.kind, rnd.kind))


def region_name(region) -> str:
    return region.name(locale_code()) if region else ""

FLAG_NAMES = {
    "pullup:gov": _l("Government team pulled up"), "pullup:opp": _l("Opposition team pulled up"),
    "avoided_rematch": _l("Changed to avoid a rematch"), "avoided_school": _l("Changed to keep a school apart"),
    "avoided_region": _l("Changed to keep a region apart"), "rematch": _l("Rematch (unavoidable)"),
    "same_school": _l("Same school (unavoidable)"), "same_region": _l("Same region (unavoidable)"),
    "side_forced": _l("Sides from side history"), "coin_toss": _l("Sides by coin toss"),
    "side_choice_pending": _l("Higher seed chooses the side"), "sides_manual": _l("Sides set by hand"),
    "teams_manual": _l("Teams changed by hand"),
}

PLACING_NAMES = {"champion": _l("Champion"), "finalist": _l("Finalist"), "semifinalist": _l("Semifinalist"),
                 "quarterfinalist": _l("Quarterfinalist"), "octofinalist": _l("Octofinalist")}

METRIC_NAMES = {
    "wins": _l("wins"), "speaker_points": _l("speaker points"), "average_points": _l("average points"),
    "draw_strength": _l("draw strength"), "margin": _l("margin"), "ballots_won": _l("ballots won"),
    "who_beat_whom": _l("who beat whom"),
}


def decimal_sep() -> str:
    return get_decimal_symbol(locale_code())
