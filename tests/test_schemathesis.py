"""Property-based API testing with schemathesis (pinned in requirements-dev.txt) against
/api/v1/openapi.json: no server error and no response outside the documented schema, for
generated requests with a valid bearer token (and an adjudicator key for ballots).

Two passes per operation, bounded for CI: random path ids (mostly 404s, which must still be
documented JSON errors), then path ids of a real tournament that has played a round.
SCHEMATHESIS_EXAMPLES raises the count for a longer local run."""
import os
import random
import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,  # noqa: E402
                                               status_code_conformance)

from tests.flow import run_prelim_round, setup_tournament  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _run(operation, headers, failures, path_parameters=None, examples=EXAMPLES, mode=None, checks=CHECKS):
    kwargs = {"path_parameters": path_parameters} if path_parameters else {}
    if mode is not None:
        kwargs["generation_mode"] = mode
    strategy = operation.as_strategy(**kwargs)

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except Exception as e:  # collect, so one report lists every operation that fails
            label = f"{operation.label} {case.path_parameters or ''} body={str(case.body)[:200]!r}"
            failures.setdefault(operation.label, f"{label}\n    {type(e).__name__}: {str(e)[:600]}")
            raise

    try:
        check()
    except Exception:
        pass


def test_api_conforms_to_its_schema(app, api, client):
    rng = random.Random(11)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=3, leagues=("kk", "ru"))
    rnd, draw = run_prelim_round(api, client, t, keys, rng)
    adj_key = next(iter(keys.values()))
    real = {"tid": t["id"], "rid": rnd["id"], "lid": t["leagues"][0]["id"], "did": draw["debates"][0]["id"],
            "bid": 1}
    headers = {**api.headers, "X-Adjudicator-Key": adj_key}
    # DELETE /auth/tokens/{token_id} runs with a spare token's id only: a generated id could be
    # the id of the token the whole run uses, and every later operation would then get a 401.
    spare = client.post("/api/v1/auth/token", json={"username": "apiuser", "password": "api-password-1"})
    spare_id = next(x["id"] for x in api.get("/auth/tokens").get_json() if not x["current"])
    assert spare.status_code == 200
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = {}
    started = time.monotonic()
    ops = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        ops += 1
        if any(p.name == "token_id" for p in operation.path_parameters):
            _run(operation, headers, failures, path_parameters={"token_id": spare_id})
            continue
        _run(operation, headers, failures)
        params = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
        if params:
            _run(operation, headers, failures, path_parameters=params)
    took = time.monotonic() - started
    assert ops >= 20, ops
    assert not failures, f"{len(failures)} operations failed:\n" + "\n".join(failures.values())
    if "SCHEMATHESIS_EXAMPLES" not in os.environ:
        assert took < 90, f"schemathesis took {took:.0f} s; lower SCHEMATHESIS_EXAMPLES"


BODY_EXAMPLES = int(os.environ.get("SCHEMATHESIS_BODY_EXAMPLES", "8"))


def test_request_bodies_of_wrong_types_and_nesting_are_4xx(app, api, client):
    """Issue 17 item 12: every operation with a request body, sent bodies that break its schema
    (schemathesis' negative mode: wrong types at every level, missing and extra fields, nesting
    where a scalar belongs) and bodies that fit it, on a real tournament: never a server error."""
    rng = random.Random(12)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=3, leagues=("kk", "ru"))
    rnd, draw = run_prelim_round(api, client, t, keys, rng)
    real = {"tid": t["id"], "rid": rnd["id"], "lid": t["leagues"][0]["id"], "did": draw["debates"][0]["id"],
            "bid": 1}
    headers = {**api.headers, "X-Adjudicator-Key": next(iter(keys.values()))}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = {}
    started = time.monotonic()
    with_body = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.body is None or not len(operation.body):
            continue
        with_body += 1
        params = {p.name: real[p.name] for p in operation.path_parameters if p.name in real} or None
        for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
            _run(operation, headers, failures, path_parameters=params, examples=BODY_EXAMPLES, mode=mode,
                 checks=[not_a_server_error])
    took = time.monotonic() - started
    assert with_body >= 10, with_body
    assert not failures, f"{len(failures)} operations failed:\n" + "\n".join(failures.values())
    if "SCHEMATHESIS_BODY_EXAMPLES" not in os.environ:
        assert took < 60, f"body fuzzing took {took:.0f} s; lower SCHEMATHESIS_BODY_EXAMPLES"


def test_out_of_range_numbers_are_refused_not_500(app, client, api, tournament):
    """Regressions for what schemathesis found: ids and numbers beyond 32 bits gave 500s."""
    tid = tournament["id"]
    assert api.get(f"/tournaments/{967103351539661275136}").status_code == 404
    r = api.post(f"/tournaments/{tid}/rooms", [{"name": "R", "priority": -99644108975844332929024}])
    assert r.status_code == 422
    r = api.post(f"/tournaments/{tid}/teams", {"league_id": 2**40, "name": "x", "speakers": []})
    assert r.status_code == 422
    r = client.post("/api/v1/ballots", json={"debate_id": 2**63, "client_id": "x", "winner": "gov"},
                    headers={"X-Adjudicator-Key": "nokey"})
    assert r.status_code in (401, 422)
    assert client.get("/p/99999999999999999999/").status_code == 404
    with app.app_context():
        from debate.core.extensions import db
        from debate.models import Adjudicator
        adj = Adjudicator(tournament_id=tid, name="Key holder")
        db.session.add(adj)
        db.session.commit()
        key = adj.private_key
    r = client.post("/api/v1/ballots", json={"debate_id": "99999999999999999999999", "client_id": "x",
                                             "winner": "gov"}, headers={"X-Adjudicator-Key": key})
    assert r.status_code == 422
