"""Export a whole tournament to JSON and import it back (`flask --app wsgi debate export/import`).

The file format (format "debate-tournament", version 1):

* ``tables``: for every table of the tournament (see TABLES), a list of rows in id order.
* Ids in the file are *local to the file*: each table's rows are numbered 1, 2, 3 ... in the
  order of their database ids, and every reference (foreign keys, and the ids kept inside JSON
  columns: ballot speakers and nominations, audit-log objects and details, appeal corrections,
  draw summaries) uses these numbers. Exporting a tournament, importing it and exporting the
  copy therefore gives the same file byte for byte, whatever ids the databases hand out.
* Accounts are referred to by username (``users``: username and site role). Importing matches
  them to existing accounts; a username the database does not have is created as a *disabled*
  account with its site role (no usable password), so every "entered by", "confirmed by" and audit entry keeps
  its author. Set a password with `flask --app wsgi debate create-director NAME` if needed.
* Regions are referred to by their code. A tournament's link to the next stage of the season
  (qualifies_for) and promotions between tournaments are not exported: they point outside it.
* Secrets (adjudicators' private keys, diploma verification codes, team appeal codes) are
  exported and KEPT on import when the database does not use them yet (a restore: printed QR
  codes and diplomas keep working). When they are taken (importing a copy next to the original
  in the same database) they are RE-ISSUED for the copy, and the import says how many. Ballot
  client ids (unique across the database) are likewise kept, or replaced in a copy.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import select

from ..core.extensions import db
from ..models import Adjudicator, Award, Ballot, Team, TeamAppealCode, Tournament, User
from ..models.awards import new_team_code, new_verification_code
from ..models.participants import new_private_key

FORMAT, VERSION = "debate-tournament", 1

# (table, column linking it to an already exported parent table, that parent), in insert order.
TABLES = [
    ("tournaments", None, None),
    ("leagues", "tournament_id", "tournaments"),
    ("schools", "tournament_id", "tournaments"),
    ("coaches", "tournament_id", "tournaments"),
    ("teams", "tournament_id", "tournaments"),
    ("speakers", "team_id", "teams"),
    ("adjudicators", "tournament_id", "tournaments"),
    ("adjudicator_team_conflicts", "adjudicator_id", "adjudicators"),
    ("adjudicator_school_conflicts", "adjudicator_id", "adjudicators"),
    ("rooms", "tournament_id", "tournaments"),
    ("rounds", "tournament_id", "tournaments"),
    ("round_leagues", "round_id", "rounds"),
    ("motions", "round_id", "rounds"),
    ("debates", "round_id", "rounds"),
    ("debate_adjudicators", "round_id", "rounds"),
    ("byes", "round_id", "rounds"),
    ("round_attendance", "round_id", "rounds"),
    ("break_seeds", "league_id", "leagues"),
    ("ballots", "debate_id", "debates"),
    ("feedback", "tournament_id", "tournaments"),
    ("problem_reports", "tournament_id", "tournaments"),
    ("team_appeal_codes", "team_id", "teams"),
    ("nomination_choices", "league_id", "leagues"),
    ("diploma_tie_choices", "league_id", "leagues"),
    ("awards", "tournament_id", "tournaments"),
    ("appeals", "tournament_id", "tournaments"),
    ("tournament_members", "tournament_id", "tournaments"),
    ("audit_log", "tournament_id", "tournaments"),
]
# Tables deliberately not in the file: accounts and their tokens/sessions/login attempts are site-wide,
# regions are fixed rows, promotions link two tournaments. tests/test_transfer.py fails when a
# new table appears in neither list.
NOT_EXPORTED = {"users", "api_tokens", "login_sessions", "login_attempts", "regions", "promotions", "alembic_version"}
# References that leave the tournament: dropped on export.
DROPPED = {("tournaments", "qualifies_for_id")}

# Audit-log object_type (lower-case class name) -> table.
OBJECT_TABLES = {"ballot": "ballots", "debate": "debates", "round": "rounds", "league": "leagues",
                 "tournament": "tournaments", "team": "teams", "adjudicator": "adjudicators",
                 "appeal": "appeals", "nominationchoice": "nomination_choices", "award": "awards",
                 "room": "rooms", "speaker": "speakers", "problemreport": "problem_reports"}
# Ids kept inside audit details, by key.
DETAIL_IDS = {"speaker_id": "speakers", "team_id": "teams", "round_id": "rounds", "ballot_id": "ballots",
              "team_a": "teams", "team_b": "teams", "debate_id": "debates", "adjudicator_id": "adjudicators"}


class ImportRefused(Exception):
    pass


def _table(name):
    return db.metadata.tables[name]


def _fk_target(col):
    fks = list(col.foreign_keys)
    return fks[0].column.table.name if fks else None


def _plain(value):
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _unplain(value):
    if isinstance(value, dict) and len(value) == 1:
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
    return value


class _Ids:
    """old id -> new id per table (export: database id -> file number; import: the reverse)."""

    def __init__(self):
        self.maps: dict[str, dict] = {}

    def __call__(self, table, value):
        if value is None:
            return None
        try:
            return self.maps.get(table, {}).get(int(value), value)
        except (TypeError, ValueError):
            return value


def _fix_json(table: str, row: dict, ids: _Ids) -> None:
    """Translate the ids kept inside JSON columns (in place)."""
    if table == "ballots":
        for col in ("speakers", "nominations"):
            if isinstance(row.get(col), dict):
                row[col] = {k: ids("speakers", v) for k, v in row[col].items()}
    elif table == "appeals" and isinstance(row.get("correction_ballot_ids"), list):
        row["correction_ballot_ids"] = [ids("ballots", v) for v in row["correction_ballot_ids"]]
    elif table == "round_leagues" and isinstance(row.get("draw_summary"), dict):
        s = row["draw_summary"]
        if isinstance(s.get("unfilled"), list):
            s["unfilled"] = [{**u, "debate_id": ids("debates", u.get("debate_id"))} if isinstance(u, dict) else u
                             for u in s["unfilled"]]
    elif table == "audit_log":
        target = OBJECT_TABLES.get(row.get("object_type"))
        if target:
            row["object_id"] = ids(target, row.get("object_id"))
        d = row.get("details")
        if isinstance(d, dict):
            for key, tbl in DETAIL_IDS.items():
                if key in d and not isinstance(d[key], (dict, list, bool)):
                    d[key] = ids(tbl, d[key])
            if isinstance(d.get("seeds"), list):
                d["seeds"] = [[s[0], ids("teams", s[1])] if isinstance(s, (list, tuple)) and len(s) == 2 else s
                              for s in d["seeds"]]


def export_tournament(tid: int) -> dict:
    if db.session.get(Tournament, tid) is None:
        raise LookupError(f"No tournament {tid}.")
    ids = _Ids()
    db_ids: dict[str, list] = {}
    out_tables: dict[str, list] = {}
    usernames = {}
    raw: dict[str, list] = {}
    for name, link, parent in TABLES:
        tbl = _table(name)
        q = select(tbl).order_by(tbl.c.id)
        q = q.where(tbl.c.id == tid) if link is None else q.where(tbl.c[link].in_(db_ids[parent] or [-1]))
        rows = [dict(r._mapping) for r in db.session.execute(q)]
        db_ids[name] = [r["id"] for r in rows]
        ids.maps[name] = {r["id"]: i + 1 for i, r in enumerate(rows)}
        raw[name] = rows
    user_ids = {r[c.name] for name, rows in raw.items() for r in rows for c in _table(name).columns
                if _fk_target(c) == "users" and r[c.name] is not None}
    if user_ids:
        for u in db.session.execute(select(User.id, User.username, User.role).where(User.id.in_(user_ids))):
            usernames[u.id] = (u.username, u.role)
    for name, _link, _parent in TABLES:
        tbl = _table(name)
        rows_out = []
        for r in raw[name]:
            row = {}
            for c in tbl.columns:
                v = r[c.name]
                target = _fk_target(c)
                if c.name == "id":
                    v = ids.maps[name][v]
                elif (name, c.name) in DROPPED:
                    v = None
                elif target == "users":
                    v = usernames.get(v, (None,))[0] if v is not None else None
                elif target and target != "regions":
                    v = ids(target, v)
                row[c.name] = v
            _fix_json(name, row, ids)
            rows_out.append({k: _plain(v) for k, v in row.items()})
        out_tables[name] = rows_out
    users = sorted({v for v in usernames.values()})
    return {"format": FORMAT, "version": VERSION,
            "users": [{"username": u, "role": role} for u, role in users], "tables": out_tables}


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def _secret_taken(model, column, value) -> bool:
    return db.session.scalar(select(model.id).where(column == value)) is not None


def import_tournament(data: dict, name: str | None = None) -> tuple[int, dict]:
    """Create the tournament in `data` as a new tournament (new ids) in one transaction.
    Returns (new tournament id, counts). The caller commits."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("Not a tournament export (format must be %r)." % FORMAT)
    if data.get("version") != VERSION:
        raise ImportRefused(f"Unsupported export version {data.get('version')!r} (this program reads {VERSION}).")
    tables = data.get("tables") or {}
    if len(tables.get("tournaments") or []) != 1:
        raise ImportRefused("The file must hold exactly one tournament.")
    # Accounts by username.
    user_ids = {}
    for u in data.get("users") or []:
        user = db.session.scalar(select(User).where(User.username == u["username"]))
        if user is None:
            role = u.get("role") if u.get("role") in ("director", "staff") else "staff"
            user = User(username=u["username"], role=role, password_hash="!disabled")  # cannot log in
            db.session.add(user)
            db.session.flush()
        user_ids[u["username"]] = user.id
    ids = _Ids()
    counts = {"reissued_keys": 0, "reissued_codes": 0, "new_client_ids": 0}
    for tname, _link, _parent in TABLES:
        tbl = _table(tname)
        ids.maps[tname] = {}
        for src in tables.get(tname) or []:
            row = {k: _unplain(v) for k, v in src.items() if k in tbl.c}
            local = row.pop("id")
            for c in tbl.columns:
                if c.name not in row or c.name == "id":
                    continue
                target = _fk_target(c)
                if target == "users":
                    row[c.name] = user_ids.get(row[c.name]) if row[c.name] is not None else None
                elif target and target != "regions" and row[c.name] is not None:
                    if row[c.name] not in ids.maps.get(target, {}):
                        raise ImportRefused(f"{tname}.{c.name} refers to a missing {target} row {row[c.name]}.")
                    row[c.name] = ids.maps[target][row[c.name]]
            _fix_json(tname, row, ids)
            if tname == "tournaments" and name:
                row["name"] = name
            if tname == "adjudicators" and _secret_taken(Adjudicator, Adjudicator.private_key, row.get("private_key")):
                row["private_key"] = new_private_key()
                counts["reissued_keys"] += 1
            if tname == "teams" and (not row.get("private_key")
                                     or _secret_taken(Team, Team.private_key, row.get("private_key"))):
                row["private_key"] = new_private_key()  # teams' private pages (feedback, appeals)
                counts["reissued_keys"] += 1
            if tname == "awards" and _secret_taken(Award, Award.code, row.get("code")):
                row["code"] = new_verification_code()
                counts["reissued_codes"] += 1
            if tname == "team_appeal_codes" and _secret_taken(TeamAppealCode, TeamAppealCode.code, row.get("code")):
                row["code"] = new_team_code()
                counts["reissued_codes"] += 1
            if tname == "ballots" and _secret_taken(Ballot, Ballot.client_id, row.get("client_id")):
                row["client_id"] = str(uuid.uuid4())  # client ids are unique across the database
                counts["new_client_ids"] += 1
            new_id = db.session.execute(tbl.insert().values(**row).returning(tbl.c.id)).scalar_one()
            ids.maps[tname][local] = new_id
        counts[tname] = len(ids.maps[tname])
    return ids.maps["tournaments"][1], counts
