"""The kk, ru and en catalogs cover every string the code and templates ask for.

The messages are re-extracted from the source on every run (the same command as
`make extract-messages`, into a temporary file), so a template or view that gains a
string nobody has translated fails here, even if the committed .pot was not updated.
No Flask app is needed.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "debate" / "translations"
LANGS = ("kk", "ru", "en")

# kk/ru strings that may legitimately equal the English msgid. Keep this short: each entry
# must read the same in every language. (Strings with no letters outside placeholders, such
# as "%(a)s – %(b)s", are exempt automatically.)
SAME_IN_EVERY_LANGUAGE = {
    "CSV", "XLSX", "JSON", "API",  # file formats and acronyms
    "KK", "RU", "EN",  # language codes shown on the language switcher
}

# Expected plural rules (what gettext needs to pick "1 команда / 2 команды / 5 команд").
PLURALS = {
    "kk": (2, "(n != 1)"),
    "ru": (3, "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "en": (2, "(n != 1)"),
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    cmd = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
           "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
           "--ignore-dirs=.* _* node_modules bench tests migrations", "-o", str(out), "."]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(out, "rb") as f:
        pot = read_po(f)
    messages = [m for m in pot if m.id]
    assert len(messages) > 50, "extraction found suspiciously few messages"
    return messages


@pytest.fixture(scope="module")
def catalogs():
    result = {}
    for lang in LANGS:
        with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
            result[lang] = read_po(f, locale=lang)
    return result


def _ids(message):
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message):
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _label(message):
    return _ids(message)[0]


@pytest.mark.parametrize("lang", LANGS)
def test_every_extracted_string_is_translated(lang, extracted, catalogs):
    cat = catalogs[lang]
    problems = []
    for m in extracted:
        entry = cat.get(m.id, context=m.context)
        if entry is None:
            problems.append(f"missing from catalog: {_label(m)!r}")
            continue
        strings = _strings(entry)
        if not isinstance(m.id, str) and len(strings) != cat.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {cat.num_plurals}: {_label(m)!r}")
        if not strings or any(not s.strip() for s in strings):
            problems.append(f"empty translation: {_label(m)!r}")
    assert not problems, (f"{lang}: {len(problems)} problem(s); run `make update-catalogs` and "
                          f"translate:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("lang", LANGS)
def test_no_fuzzy_entries(lang, catalogs):
    cat = catalogs[lang]
    fuzzy = [_label(m) for m in cat if m.id and m.fuzzy]
    assert not cat.fuzzy, f"{lang}: the catalog header is marked fuzzy"
    assert not fuzzy, f"{lang}: fuzzy entries are not used at runtime: {fuzzy}"


@pytest.mark.parametrize("lang", LANGS)
def test_header_language_and_plural_forms(lang, catalogs):
    cat = catalogs[lang]
    assert str(cat.locale) == lang
    nplurals, expr = PLURALS[lang]
    header = dict(cat.mime_headers)
    got = header["Plural-Forms"].replace(" ", "")
    assert got == f"nplurals={nplurals};plural={expr};".replace(" ", ""), got


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_are_kept(lang, catalogs):
    problems = []
    for m in catalogs[lang]:
        if not m.id:
            continue
        wanted = set()
        for msgid in _ids(m):
            wanted |= set(PLACEHOLDER.findall(msgid))
        for s in _strings(m):
            if not s:
                continue  # reported by test_every_extracted_string_is_translated
            got = set(PLACEHOLDER.findall(s))
            if got != wanted:
                problems.append(f"{_label(m)!r} -> {s!r}: expected {sorted(wanted)}, found {sorted(got)}")
    assert not problems, f"{lang}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_babel_format_checks_pass(lang, catalogs):
    errors = [(msg.id, [str(e) for e in errs]) for msg, errs in catalogs[lang].check()]
    assert not errors, errors


def _has_words(text):
    return bool(re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text)))


@pytest.mark.parametrize("lang", ("kk", "ru"))
def test_not_left_in_english(lang, catalogs):
    untranslated = []
    for m in catalogs[lang]:
        if not m.id:
            continue
        ids = {i.strip() for i in _ids(m)}
        if ids & SAME_IN_EVERY_LANGUAGE or not any(_has_words(i) for i in ids):
            continue
        if any(s.strip() in ids for s in _strings(m) if s):
            untranslated.append(_label(m))
    assert not untranslated, f"{lang}: msgstr equals the English msgid: {untranslated}"
