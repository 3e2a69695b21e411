"""The printed documents' final wording, read as a whole: one of each document (diploma, best
speaker, best orator, letter of gratitude, certificate of participation) in each language is
rendered to PDF, turned into text with pdftotext and compared with the approved sample in
tests/data/documents/<kind>-<lang>.txt. Any change of wording is a visible diff there.

To approve a new wording: UPDATE_DOCUMENT_SAMPLES=1 pytest tests/test_document_wording.py,
then read the changed samples before committing them.
"""
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale

from debate.core.extensions import db
from debate.models import Award, League, Tournament
from debate.text.i18n import format_date_range, quoted
from debate.models.awards import TEAM_SEPARATOR
from debate.documents.pdf import _texts, awards_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

SAMPLES = Path(__file__).parent / "data" / "documents"
NAMES = {"kk": "Мектеп оқушылары арасындағы республикалық дебат турнирі",
         "ru": "Республиканский турнир по дебатам среди школьников",
         "en": "Republican School Debate Tournament"}
LEAGUES = {"kk": "Қазақ лигасы", "ru": "Русская лига", "en": "English league"}
# kk: a team name that carries its own quotes, and a letter for two teams (plural);
# ru: plain names, one team; en: two teams.
PEOPLE = {
    "kk": ("Әлия Нұрланқызы", "Ақтау «Сұңқар»", "Гүлнар Ахметова", ["Ақтау «Сұңқар»", "Тұлпар"]),
    "ru": ("Анастасия Ким", "Логос", "Ирина Ким", ["Логос"]),
    "en": ("Amina Kim", "Oral Eagles", "Dana Omarova", ["Oral Eagles", "Oral Falcons"]),
}
KINDS = ("degree", "best_speaker", "orator", "gratitude", "participation")


def _text(data: bytes, tmp_path) -> str:
    p = tmp_path / "doc.pdf"
    p.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout
    return "\n".join(" ".join(line.split()) for line in out.splitlines() if line.strip()) + "\n"


@pytest.fixture
def documents(app):
    with app.app_context():
        t = Tournament(name=NAMES["en"], names=NAMES, stage="republican", start_date=date(2023, 2, 16),
                       end_date=date(2023, 2, 17), venue="Әл-Фараби атындағы Оқушылар сарайы, Астана",
                       venues={"ru": "Дворец школьников имени аль-Фараби, Астана",
                               "en": "Al-Farabi Palace of Schoolchildren, Astana"},
                       settings={"public_url": "https://debate.example.kz"})
        db.session.add(t)
        db.session.flush()
        out = {}
        for n, (lang, lname) in enumerate(LEAGUES.items()):
            lg = League(tournament_id=t.id, language=lang, name=lname)
            db.session.add(lg)
            db.session.flush()
            pupil, team, coach, teams = PEOPLE[lang]
            for k, kind in enumerate(KINDS):
                a = Award(tournament_id=t.id, league_id=lg.id, kind=kind, code=f"ABCD{n}{k}EFGHJKLMNP"[:16],
                          degree=1 if kind == "degree" else None, place=2 if kind == "best_speaker" else None,
                          recipient=coach if kind == "gratitude" else pupil,
                          team_name=TEAM_SEPARATOR.join(teams) if kind == "gratitude" else team)
                db.session.add(a)
                out[(kind, lang)] = a
        db.session.commit()
        yield out


@pytest.mark.parametrize("lang", list(LEAGUES))
@pytest.mark.parametrize("kind", KINDS)
def test_document_reads_as_approved(app, documents, tmp_path, kind, lang):
    with app.test_request_context():
        a = db.session.merge(documents[(kind, lang)])
        text = _text(awards_pdf([a]), tmp_path)
    sample = SAMPLES / f"{kind}-{lang}.txt"
    if os.environ.get("UPDATE_DOCUMENT_SAMPLES"):
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_text(text, encoding="utf-8")
    assert text == sample.read_text(encoding="utf-8")


def test_no_doubled_quotes_or_hedges(app, documents):
    """Whatever the samples say: no «…«…»» around a name with quotes, no "(а)" or "(-ын)" hedges."""
    with app.test_request_context():
        for (kind, lang), a in documents.items():
            a = db.session.merge(a)
            with force_locale(lang):
                words = " ".join(str(v) for v in _texts(a).values())
            assert "««" not in words and "»»" not in words and "«Ақтау «" not in words
            assert "(а)" not in words and "(команд" not in words and "(s)" not in words


def test_quotes_and_date_ranges_per_language():
    assert quoted("Ақтау «Сұңқар»", "kk") == "Ақтау «Сұңқар»"
    assert quoted("Сұңқар", "kk") == "«Сұңқар»" and quoted(" Логос ", "ru") == "«Логос»"
    assert quoted("Oral Eagles", "en") == "“Oral Eagles”" and quoted('"Eagles" of Oral', "en") == '"Eagles" of Oral'
    assert format_date_range(date(2023, 2, 16), date(2023, 2, 17), "kk") .replace("\u202f", " ") == "2023 ж. 16–17 ақпан"
    assert format_date_range(date(2023, 2, 16), date(2023, 2, 17), "ru") .replace("\u202f", " ").replace("\xa0", " ") == "16–17 февраля 2023 г."
    assert format_date_range(date(2023, 2, 16), None, "en") == "February 16, 2023"
    assert "1" in format_date_range(date(2023, 2, 28), date(2023, 3, 1), "ru")
    assert format_date_range(None, None, "kk") == ""
