"""The OpenAPI document served at /api/v1/openapi.json describes exactly the API the app serves:
every /api/v1 rule of the url_map (path and method) has an operation and every operation has a
rule, and each path's parameters are the rule's, with the converter's type."""
import re

PREFIX = "/api/v1"
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
ARG = re.compile(r"<(?:([^<>:]+?)(?:\([^<>]*\))?:)?([^<>:]+)>")  # <name>, <int:name>, <any(a, b):name>
CONVERTER_TYPES = {"int": "integer", "float": "number", None: "string", "string": "string", "path": "string",
                   "uuid": "string"}


def _openapi_path(rule: str) -> str:
    return ARG.sub(r"{\2}", rule[len(PREFIX):])


def _routes(app) -> dict[tuple[str, str], dict[str, str]]:
    """(OpenAPI path, method) -> {parameter: OpenAPI type} for every /api/v1 rule."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule == PREFIX or rule.rule.startswith(PREFIX + "/"):
            params = {name: CONVERTER_TYPES.get(conv, "string") for conv, name in ARG.findall(rule.rule)}
            for method in rule.methods - {"HEAD", "OPTIONS"}:  # Werkzeug adds these to every rule
                routes[(_openapi_path(rule.rule), method.lower())] = dict(params)
    return routes


def _operations(spec) -> dict[tuple[str, str], dict[str, str]]:
    """(path, method) -> {path parameter: type} for every operation of the document."""
    ops = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                declared = item.get("parameters", []) + op.get("parameters", [])
                ops[(path, method)] = {p["name"]: p["schema"]["type"] for p in declared if p["in"] == "path"}
    return ops


def test_the_path_syntax():
    assert _openapi_path("/api/v1/rounds/<int:rid>/motions/<lid>") == "/rounds/{rid}/motions/{lid}"
    assert _openapi_path("/api/v1/x/<any(a, b):kind>") == "/x/{kind}"
    assert ARG.findall("/api/v1/rounds/<int:rid>/m/<lid>") == [("int", "rid"), ("", "lid")]


def test_api_rules_and_openapi_operations_are_the_same_set(app, client):
    resp = client.get(f"{PREFIX}/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["servers"] == [{"url": PREFIX}]
    routes, ops = _routes(app), _operations(spec)
    assert len(routes) > 20
    undocumented = sorted(set(routes) - set(ops))
    unserved = sorted(set(ops) - set(routes))
    assert not undocumented and not unserved, (
        f"routes without an OpenAPI operation: {undocumented}; operations without a route: {unserved}")


def test_openapi_path_parameters_are_the_rules(app, client):
    routes, ops = _routes(app), _operations(client.get(f"{PREFIX}/openapi.json").get_json())
    wrong = {key: (ops[key], routes[key]) for key in set(routes) & set(ops) if ops[key] != routes[key]}
    assert not wrong, f"(path, method): (documented parameters, the rule's): {wrong}"
