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

from . import participants

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
    """A file-level problem (unreadable, missing columns)."""

    def __init__(self, code, params=None):
        super().__init__(code)
        self.code, self.params = code, params or {}


def read_rows(filename: str, data: bytes) -> list[dict]:
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    rows = [r for r in rows if any(str(v).strip() for v in r if v is not None)]
    if not rows:
        raise ImportError_("empty_file")
    header = [str(h or "").strip().casefold() for h in rows[0]]
    out = []
    for r in rows[1:]:
        r = list(r) + [None] * (len(header) - len(r))
        out.append({h: ("" if v is None else str(v).strip()) for h, v in zip(header, r) if h})
    return out


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_("bad_file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportError_("bad_file")
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    # XLSX numbers come back as floats: 9.0 → "9".
    return [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]


def _team_item(row):
    speakers = [{"name": row.get(f"speaker{n}"), "grade": row.get(f"speaker{n}_grade"),
                 "gender": row.get(f"speaker{n}_gender")} for n in (1, 2)]
    return {"league": row.get("league"), "name": row.get("team"),
            "school": {"name": row.get("school"), "region": row.get("region") or None, "rural": row.get("rural")},
            "coach": {"name": row.get("coach"), "contact": row.get("coach_contact")},
            "speakers": speakers, "seed_rank": row.get("seed"), "needs_access": row.get("needs_access")}


def _adjudicator_item(row):
    return {"name": row.get("name"), "region": row.get("region") or None, "school": row.get("school"),
            "languages": row.get("languages"), "rating": row.get("rating"), "contact": row.get("contact"),
            "needs_access": row.get("needs_access"), "conflicts": {"team_names": row.get("conflict_teams"), "schools": row.get("conflict_schools")}}


def _room_item(row):
    return {"name": row.get("name"), "accessible": row.get("accessible"), "priority": row.get("priority")}


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
    are spreadsheet row numbers (the header is row 1) and whose fields are the file's columns."""
    rows = read_rows(filename, data)
    missing = [c for c in REQUIRED[kind] if rows and c not in rows[0]]
    if missing:
        raise ImportError_("missing_columns", {"value": ", ".join(missing)})
    try:
        return ADD[kind](tournament, [ITEM[kind](r) for r in rows])
    except participants.ValidationFailed as e:
        raise participants.ValidationFailed({i + 2: {column_of(kind, f): err for f, err in errs.items()}
                                             for i, errs in e.errors.items()})


def template_csv(kind: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS[kind])
    w.writerow(EXAMPLES[kind])
    return buf.getvalue()


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = kind
    ws.append(COLUMNS[kind])
    ws.append(EXAMPLES[kind])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
