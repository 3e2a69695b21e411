"""CSV and XLSX import of teams, adjudicators and rooms.

Column layouts (first row = headers, any order, case-insensitive; templates are downloadable
from the import page):

teams:        league, team, school, region, rural, coach, coach_contact, speaker1, speaker2
              (optional: speaker1_grade, speaker1_gender, speaker2_grade, speaker2_gender, seed,
              needs_access — the team needs a step-free room)
adjudicators: name, region, school, languages, rating, conflict_teams, conflict_schools, contact,
              needs_access (the adjudicator needs a step-free room)
              (languages: "kk ru" or "kk,ru"; conflicts separated by ";")
rooms:        name, accessible, priority

`league` is the league's language code (kk, ru, en) or its name. `region` is a code from
GET /api/v1/regions. A file with any bad row stores nothing.
"""
import csv
import io
import zipfile

from flask import current_app
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from ..core.extensions import read_phase
from . import participants, spreadsheet

COLUMNS = {
    "teams": ["league", "team", "school", "region", "rural", "coach", "coach_contact", "speaker1", "speaker2",
              "speaker1_grade", "speaker1_gender", "speaker2_grade", "speaker2_gender", "seed", "needs_access"],
    "adjudicators": ["name", "region", "school", "languages", "rating", "conflict_teams", "conflict_schools",
                     "contact", "needs_access"],
    "rooms": ["name", "accessible", "priority"],
}
REQUIRED = {
    "teams": ["league", "team", "speaker1", "speaker2"],
    "adjudicators": ["name", "languages"],
    "rooms": ["name"],
}
EXAMPLES = {
    "teams": ["kk", "Астана-1", "№5 мектеп-гимназия", "astana", "no", "Айгүл Серікқызы", "+7 701 000 00 00",
              "Әлия Нұрланқызы", "Дәулет Асқарұлы", "9", "f", "10", "m", "", "no"],
    "adjudicators": ["Гүлнар Ахметова", "karaganda", "№12 лицей", "kk ru", "7.5", "", "", "", "no"],
    "rooms": ["201", "yes", "1"],
}


class ImportError_(Exception):
    """A file-level problem (unreadable, missing columns, too large)."""

    def __init__(self, code, params=None):
        super().__init__(code)
        self.code, self.params = code, params or {}


def limits() -> dict:
    """This installation's import limits (config IMPORT_MAX_ROWS, IMPORT_MAX_BYTES, IMPORT_MAX_COLUMNS)."""
    cfg = current_app.config
    return {"rows": cfg.get("IMPORT_MAX_ROWS", 2000), "bytes": cfg.get("IMPORT_MAX_BYTES", 2 * 1024 * 1024),
            "columns": cfg.get("IMPORT_MAX_COLUMNS", 60)}


def _too_large(lim):
    return ImportError_("import_too_large", {"rows": lim["rows"], "columns": lim["columns"],
                                             "mb": round(lim["bytes"] / (1024 * 1024), 1)})


def read_rows(filename: str, data: bytes, lim: dict | None = None) -> list[dict]:
    """The rows as {column: text}. Refuses a file over the limits (bytes first, then rows and
    columns while reading: nothing beyond the limits is ever held in memory)."""
    lim = lim or limits()
    if len(data) > lim["bytes"]:
        raise _too_large(lim)
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data, lim)
    else:
        rows = _csv_rows(data, lim)
    rows = [r for r in rows if any(str(v).strip() for v in r if v is not None)]
    if not rows:
        raise ImportError_("empty_file")
    header = [str(h or "").strip().casefold() for h in rows[0]]
    out = []
    for r in rows[1:]:
        r = list(r) + [None] * (len(header) - len(r))
        out.append({h: ("" if v is None else str(v).strip()) for h, v in zip(header, r) if h})
    return out


def _capped(rows, lim):
    """At most lim rows + the header, each of at most lim columns (trailing empty cells aside);
    ImportError_ as soon as a row or a cell beyond the limits holds anything."""
    out = []
    for row in rows:
        row = list(row)
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
        if not row:
            continue
        if len(row) > lim["columns"] or len(out) > lim["rows"]:
            raise _too_large(lim)
        out.append(row)
    return out


def _csv_rows(data: bytes, lim):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("bad_file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _capped(csv.reader(io.StringIO(text), dialect), lim)
    except csv.Error:  # a field over csv's limit, a NUL byte
        raise ImportError_("bad_file")


def _xlsx_rows(data: bytes, lim):
    """Streaming (read-only) openpyxl: the sheet's declared size is checked before any row is
    read, then rows are read one at a time, never wider than the column limit, stopping at the
    row limit. A zip whose parts unpack beyond 20 times the byte limit is refused unread."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > 20 * lim["bytes"]:
                raise _too_large(lim)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportError_:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds for a damaged file
        raise ImportError_("bad_file")
    try:
        ws = wb.worksheets[0]
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ws.calculate_dimension())
        except (ValueError, TypeError):  # no or a broken <dimension>: the row-by-row caps still hold
            max_col = max_row = None
        if (max_col or 0) > lim["columns"] or (max_row or 0) > lim["rows"] + 1:
            raise _too_large(lim)
        _refuse_wide_rows(ws, lim)
        rows = _capped(ws.iter_rows(min_row=1, max_row=lim["rows"] + 2, min_col=1, max_col=lim["columns"] + 1,
                                    values_only=True), lim)
    except ImportError_:
        raise
    except Exception:
        raise ImportError_("bad_file")
    finally:
        wb.close()
    # XLSX numbers come back as floats: 9.0 → "9".
    return [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]


def _refuse_wide_rows(ws, lim):
    """A sheet without a (true) declared size: openpyxl's read-only reader parses one row at a
    time and pads it to the widest cell; refuse a row with a value beyond the column limit as
    soon as it is parsed, before any padding (openpyxl 3.1 ReadOnlyWorksheet._get_row)."""
    pad = ws._get_row

    def checked(row, min_col=1, max_col=None, values_only=False):
        if any(c["column"] > lim["columns"] and c["value"] not in (None, "") for c in row):
            raise _too_large(lim)
        return pad(row, min_col, max_col, values_only)

    ws._get_row = checked


YES = ("1", "true", "yes", "y", "иә", "да", "x", "+")
NO = ("", "0", "false", "no", "n", "жоқ", "нет", "-")


def _yes_no(value):
    """A spreadsheet's yes/no word as a boolean; any other text is passed on for the service to
    refuse (not_a_bool) with the row number."""
    s = str(value or "").strip().casefold()
    if s in YES:
        return True
    if s in NO:
        return False
    return value


def _team_item(row):
    speakers = [{"name": row.get(f"speaker{n}"), "grade": row.get(f"speaker{n}_grade"),
                 "gender": row.get(f"speaker{n}_gender")} for n in (1, 2)]
    return {"league": row.get("league"), "name": row.get("team"),
            "school": {"name": row.get("school"), "region": row.get("region") or None, "rural": _yes_no(row.get("rural"))},
            "coach": {"name": row.get("coach"), "contact": row.get("coach_contact")},
            "speakers": speakers, "seed_rank": row.get("seed"), "needs_access": _yes_no(row.get("needs_access"))}


def _adjudicator_item(row):
    return {"name": row.get("name"), "region": row.get("region") or None, "school": row.get("school"),
            "languages": row.get("languages"), "rating": row.get("rating"), "contact": row.get("contact"),
            "needs_access": _yes_no(row.get("needs_access")), "conflicts": {"team_names": row.get("conflict_teams"), "schools": row.get("conflict_schools")}}


def _room_item(row):
    return {"name": row.get("name"), "accessible": _yes_no(row.get("accessible")), "priority": row.get("priority")}


# The field names of participants' errors → the file's own columns, so an error names the
# column the organiser typed in (speaker2, not speakers.1.name).
FIELD_COLUMNS = {
    "teams": {"league": "league", "league_id": "league", "name": "team", "school.name": "school",
              "school.region": "region", "school.rural": "rural", "coach.name": "coach",
              "coach.contact": "coach_contact", "speakers": "speaker1, speaker2", "seed_rank": "seed",
              "needs_access": "needs_access",
              **{f"speakers.{i}.{part}": f"speaker{i + 1}{suffix}" for i in (0, 1)
                 for part, suffix in (("name", ""), ("grade", "_grade"), ("gender", "_gender"))}},
    "adjudicators": {"school.name": "school", "conflicts.team_names": "conflict_teams",
                     "conflicts.team_ids": "conflict_teams", "conflicts.schools": "conflict_schools"},
    "rooms": {},
}


def column_of(kind: str, field: str) -> str:
    """The file's column for a field of the item built from a row (the field itself if unknown)."""
    return FIELD_COLUMNS[kind].get(field, field)


ITEM = {"teams": _team_item, "adjudicators": _adjudicator_item, "rooms": _room_item}
ADD = {"teams": participants.add_teams, "adjudicators": participants.add_adjudicators,
       "rooms": participants.add_rooms}


def import_file(tournament, kind: str, filename: str, data: bytes):
    """Store every row or none. Raises ImportError_ or participants.ValidationFailed whose keys
    are spreadsheet row numbers (the header is row 1) and whose fields are the file's columns.

    The file is read and every row checked in a read phase, without the database's write lock;
    only a good file is then written, in the request's one short write transaction (checked
    again there, so a name added meanwhile is still caught)."""
    with read_phase():
        rows = read_rows(filename, data)
        missing = [c for c in REQUIRED[kind] if rows and c not in rows[0]]
        if missing:
            raise ImportError_("missing_columns", {"value": ", ".join(missing)})
        items = [ITEM[kind](r) for r in rows]
        _rows_numbered(kind, tournament, items, check_only=True)
    return _rows_numbered(kind, tournament, items)


def _rows_numbered(kind, tournament, items, check_only=False):
    try:
        return ADD[kind](tournament, items, check_only=check_only)
    except participants.ValidationFailed as e:
        raise participants.ValidationFailed({i + 2: {column_of(kind, f): err for f, err in errs.items()}
                                             for i, errs in e.errors.items()})


def template_csv(kind: str) -> bytes:
    return spreadsheet.write_csv(COLUMNS[kind], [EXAMPLES[kind]])


def template_xlsx(kind: str) -> bytes:
    return spreadsheet.write_xlsx([(kind, COLUMNS[kind], [EXAMPLES[kind]])])
