"""The OpenAPI 3.1 description served at /api/v1/openapi.json.

Operations are described here; tests/test_api_openapi.py fails when an API route exists in
the app without a description here or the other way round, so it cannot drift.
"""
from .. import settings as settings_mod

ERROR = {"$ref": "#/components/schemas/Error"}


def _obj(props: dict, required=()):
    return {"type": "object", "properties": props, "required": list(required)}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
NSTR = {"type": ["string", "null"]}

# Every tournament setting with its JSON type (booleans are JSON booleans: "no" is a 422): filled
# in from the settings' one declaration when the document is built (_with_settings).
SETTINGS_IN = {"type": "object"}

SCHEMAS = {
    "Error": _obj({"error": _obj({"code": STR, "message": STR, "fields": {"type": "object"}},
                                 ["code", "message"])}, ["error"]),
    "League": _obj({"id": INT, "language": {"enum": ["kk", "ru", "en"]}, "name": STR}, ["id", "language", "name"]),
    "Tournament": _obj({"id": INT, "name": STR, "stage": {"enum": ["district", "city", "regional", "republican"]},
                        "leagues": {"type": "array", "items": {"$ref": "#/components/schemas/League"}},
                        "settings": {"type": "object"}, "start_date": NSTR, "end_date": NSTR, "venue": NSTR},
                       ["id", "name", "stage", "leagues", "settings"]),
    "TournamentIn": _obj({"name": {"type": "string", "maxLength": 200},
                          "stage": {"enum": ["district", "city", "regional", "republican"]},
                          "start_date": NSTR, "end_date": NSTR, "venue": {"type": ["string", "null"], "maxLength": 200},
                          "leagues": {"type": "array", "items": _obj({"language": {"enum": ["kk", "ru", "en"]},
                                                                      "name": STR}, ["language"])},
                          "settings": SETTINGS_IN}, ["name"]),
    "Speaker": _obj({"id": INT, "name": STR}, ["id", "name"]),
    "Team": _obj({"id": INT, "league_id": INT, "name": STR,
                  "speakers": {"type": "array", "items": {"$ref": "#/components/schemas/Speaker"}}},
                 ["id", "league_id", "name", "speakers"]),
    "TeamIn": _obj({"league_id": INT, "name": STR, "school": _obj({"name": STR, "region": STR, "rural": BOOL}),
                    "coach": _obj({"name": STR, "contact": STR}), "seed_rank": INT, "needs_access": BOOL,
                    "speakers": {"type": "array", "minItems": 2, "maxItems": 2,
                                 "items": _obj({"name": STR, "grade": INT, "gender": {"enum": ["f", "m"]}}, ["name"])}},
                   ["league_id", "name", "speakers"]),
    # private_key, private_url and contact: for the tournament's directors only (docs/security.md)
    "Adjudicator": _obj({"id": INT, "name": STR, "private_key": STR, "private_url": STR, "contact": NSTR},
                        ["id", "name"]),
    "AdjudicatorIn": _obj({"name": STR, "region": STR, "school": STR,
                           "languages": {"type": "array", "items": {"enum": ["kk", "ru", "en"]}},
                           "rating": NUM, "conflicts": _obj({"team_ids": {"type": "array", "items": INT},
                                                             "team_names": {"type": "array", "items": STR},
                                                             "schools": {"type": "array", "items": STR}})},
                          ["name", "languages"]),
    "Room": _obj({"id": INT, "name": STR}, ["id", "name"]),
    "RoomIn": _obj({"name": STR, "accessible": BOOL, "priority": INT}, ["name"]),
    "ApiToken": _obj({"id": INT, "created_at": STR, "expires_at": STR, "current": BOOL},
                     ["id", "created_at", "expires_at", "current"]),
    "Region": _obj({"code": STR, "kind": STR, "names": _obj({"kk": STR, "ru": STR, "en": STR})}, ["code", "names"]),
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _one_or_list(name):
    return {"oneOf": [_ref(name), {"type": "array", "items": _ref(name)}]}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes):
    return {str(c): {"description": "error", **_json(ERROR)} for c in codes}


def _op(summary, ok_status, ok_schema, *, body=None, secured=True, errors=(401, 403, 404, 422)):
    op = {"summary": summary, "responses": {str(ok_status): {"description": "ok", **_json(ok_schema)},
                                            **_errors(*errors)}}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if secured:
        op["security"] = [{"bearer": []}]
    return op


def _op_no_content(summary, *, body=None, errors=(401, 403, 404, 409)):
    """An operation answering 204 with no body (a deletion)."""
    op = _op(summary, 204, {}, body=body, errors=errors)
    op["responses"]["204"] = {"description": "done, no content"}
    return op


TID = [{"name": "tid", "in": "path", "required": True, "schema": INT}]

OPERATIONS = {
    "/auth/token": {"post": _op("Get an API token (it works for API_TOKEN_DAYS, default 30 days)", 200,
                                _obj({"token": STR, "expires_at": STR}, ["token"]),
                                body=_obj({"username": STR, "password": STR}, ["username", "password"]),
                                secured=False, errors=(400, 401, 422, 429))},
    "/auth/tokens": {"get": _op("The caller's live API tokens (never the tokens themselves)", 200,
                                {"type": "array", "items": _ref("ApiToken")}, errors=(401,))},
    "/auth/tokens/{token_id}": {
        "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": INT}],
        "delete": {"summary": "Revoke one of the caller's API tokens", "security": [{"bearer": []}],
                   "responses": {"204": {"description": "revoked"}, **_errors(401, 404)}},
    },
    "/tournaments": {
        "get": _op("List the caller's tournaments, newest first", 200, {"type": "array", "items": _ref("Tournament")},
                   errors=(401,)),
        "post": _op("Create a tournament with its leagues", 201, _ref("Tournament"), body=_ref("TournamentIn"),
                    errors=(400, 401, 422)),
    },
    "/tournaments/{tid}": {
        "parameters": TID,
        "get": _op("A tournament", 200, _ref("Tournament"), errors=(401, 403, 404)),
        "patch": _op("Change a tournament", 200, _ref("Tournament"), body=_ref("TournamentIn"),
                     errors=(400, 401, 403, 404, 422)),
    },
    "/tournaments/{tid}/teams": {
        "parameters": TID,
        "get": _op("List teams", 200, {"type": "array", "items": _ref("Team")}, errors=(401, 403, 404)),
        "post": _op("Add one team or a list (all-or-nothing)", 201, _one_or_list("Team"),
                    body=_one_or_list("TeamIn"), errors=(400, 401, 403, 404, 422)),
    },
    "/tournaments/{tid}/adjudicators": {
        "parameters": TID,
        "get": _op("List adjudicators", 200, {"type": "array", "items": _ref("Adjudicator")}, errors=(401, 403, 404)),
        "post": _op("Add one adjudicator or a list (all-or-nothing)", 201, _one_or_list("Adjudicator"),
                    body=_one_or_list("AdjudicatorIn"), errors=(400, 401, 403, 404, 422)),
    },
    "/tournaments/{tid}/rooms": {
        "parameters": TID,
        "get": _op("List rooms", 200, {"type": "array", "items": _ref("Room")}, errors=(401, 403, 404)),
        "post": _op("Add one room or a list (all-or-nothing)", 201, _one_or_list("Room"),
                    body=_one_or_list("RoomIn"), errors=(400, 401, 403, 404, 422)),
    },
    "/regions": {"get": _op("Regions with names in three languages", 200,
                            {"type": "array", "items": _ref("Region")}, secured=False, errors=())},
    "/healthz": {"get": _op("Health, including the database", 200, _obj({"status": STR, "db": STR}),
                            secured=False, errors=())},
    "/openapi.json": {"get": _op("This description", 200, {"type": "object"}, secured=False, errors=())},
}

# Other modules (rounds, ballots, standings) add their operations here when imported.
EXTRA_OPERATIONS: dict = {}


def all_operations() -> dict:
    ops = {k: dict(v) for k, v in OPERATIONS.items()}
    for path, methods in EXTRA_OPERATIONS.items():
        ops.setdefault(path, {}).update(methods)
    return ops


def _with_settings(schemas: dict) -> dict:
    """The settings object of a tournament, key by key, from their one declaration
    (debate/settings.py); in a request body a key may also be null: back to its default."""
    settings = settings_mod.json_schema()
    body = {**settings, "description": "Only the keys to change; null puts a key back to its default.",
            "properties": {k: {**v, "type": [*v["type"], "null"] if isinstance(v["type"], list) else [v["type"], "null"]}
                           for k, v in settings["properties"].items()}}
    out = dict(schemas)
    for name, schema in (("Tournament", settings), ("TournamentIn", body)):
        out[name] = {**schemas[name], "properties": {**schemas[name]["properties"], "settings": schema}}
    return out


def build_spec(app) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "APF tab system API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": all_operations(),
        "components": {"schemas": _with_settings(SCHEMAS),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "adjudicatorKey": {"type": "apiKey", "in": "header",
                                                              "name": "X-Adjudicator-Key"},
                                           "teamKey": {"type": "apiKey", "in": "header", "name": "X-Team-Key"}}},
    }
