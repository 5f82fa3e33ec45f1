"""Schemathesis over every operation of the API, signed in as an admin.

For each operation it sends bounded, derandomised examples (valid ones, then invalid ones) and
checks that the API never answers a server error and that every status code, content type and
body it answers is the one its OpenAPI schema documents. Failures are collected over all
operations and reported together, grouped by kind, so one run shows everything that is wrong.

``CONCILIA_FUZZ_EXAMPLES`` raises the number of examples per operation and mode for a deeper run.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from sqlalchemy.exc import DataError, IntegrityError

EXAMPLES = int(os.environ.get("CONCILIA_FUZZ_EXAMPLES", "12"))

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

# A few real rows so that some generated ids (small integers) hit existing objects.
SEED_CSV = (
    "account_reference,debtor_reference,given_names,family_names,jurisdiction,principal,"
    "currency,date_of_birth,address_line,postal_code,city,country,phones,emails\n"
    "ACC-F-1,P-F-1,Ana,Lopez,ES,1200.50,EUR,1980-02-03,Calle Mayor 1,28013,Madrid,ES,"
    "+34 600000001,ana@example.com\n"
    "ACC-F-2,P-F-2,Jean,Martin,FR,300.00,EUR,1975-06-07,1 rue de la Paix,75002,Paris,FR,,\n"
    "ACC-F-3,P-F-3,Mary,Smith,US,99.99,USD,1990-10-11,1 Main St,10001,New York,US,,\n"
)


@dataclass
class Findings:
    """What the run found, one entry per distinct (kind, operation, detail)."""

    server_errors: set[tuple[str, str]] = field(default_factory=set)
    undocumented_status: set[tuple[str, int]] = field(default_factory=set)
    undocumented_content_type: set[tuple[str, str]] = field(default_factory=set)
    schema_mismatch: set[tuple[str, str]] = field(default_factory=set)
    other: set[tuple[str, str]] = field(default_factory=set)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "server_errors": len(self.server_errors),
            "undocumented_status": len(self.undocumented_status),
            "undocumented_content_type": len(self.undocumented_content_type),
            "schema_mismatch": len(self.schema_mismatch),
            "other": len(self.other),
        }

    def report(self) -> str:
        lines = [f"counts: {self.counts()}"]
        for name in ("server_errors", "undocumented_status", "undocumented_content_type"):
            for item in sorted(getattr(self, name), key=str):
                lines.append(f"{name}: {item}")
        for name in ("schema_mismatch", "other"):
            for item in sorted(getattr(self, name), key=str):
                lines.append(f"{name}: {item} e.g. {self.examples.get(item, '')[:300]}")
        return "\n".join(lines)


def _note(findings: Findings, label: str, failure: Any, curl: str) -> None:
    kind = type(failure).__name__
    if kind in ("ServerError", "ContentTypeServerError"):
        findings.server_errors.add((label, f"status {failure.status_code}"))
        findings.examples[(label, f"status {failure.status_code}")] = curl
    elif kind == "UndefinedStatusCode":
        findings.undocumented_status.add((label, failure.status_code))
    elif kind in ("UndefinedContentType", "MissingContentType"):
        content_type = getattr(failure, "content_type", None) or "(none)"
        findings.undocumented_content_type.add((label, content_type))
    elif kind == "JsonSchemaError":
        key = (label, str(failure.title))
        findings.schema_mismatch.add(key)
        findings.examples.setdefault(key, f"{failure.message} -- {curl}")
    else:
        key = (label, kind)
        findings.other.add(key)
        findings.examples.setdefault(key, f"{failure.title}: {failure.message} -- {curl}")


def _exercise(
    operation: Any, mode: GenerationMode, headers: dict[str, str], findings: Findings
) -> None:
    label = operation.label

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy(generation_mode=mode))
        # The admin's bearer token on every request, whatever the case generated.
        case.headers = {**(case.headers or {}), **headers}
        try:
            # A first call may load a model (authenticity, tone): seconds on a busy machine,
            # over the 10 s default; this test is about answers, not speed (bench/ is).
            response = case.call(timeout=120)
        except Exception as exc:  # an exception out of the app is a 500 the client would see
            key = (label, f"{type(exc).__name__}: {str(exc)[:120]}")
            findings.server_errors.add(key)
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            curl = f"{case.method} {response.request.url} body={str(case.body)[:200]!r}"
            for failure in group.exceptions:
                _note(findings, label, failure, curl)

    # Unsatisfiable: nothing to make invalid (an operation without parameters or body).
    with contextlib.suppress(Unsatisfiable):
        run()


def fuzz(app: FastAPI, headers: dict[str, str]) -> Findings:
    """Every operation of ``app``'s schema, valid then invalid examples; what went wrong."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    findings = Findings()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, headers, findings)
    return findings


@pytest.fixture
def seeded(client: Any, auth_headers: Callable[..., dict[str, str]]) -> Iterator[dict[str, str]]:
    headers = auth_headers("fuzz-admin", "admin")
    answer = client.post(
        "/api/portfolio/imports",
        headers=headers,
        files={"file": ("seed.csv", SEED_CSV.encode(), "text/csv")},
        data={"creditor": "Fuzz Bank"},
    )
    assert answer.status_code == 200, answer.text
    # The mention classifier loads its encoder and trains on first use (tens of seconds on a
    # busy machine); this test is about answers, not about that first wait.
    from concilia.reputation.classifier import get_model

    get_model()
    yield headers


def test_every_operation_answers_as_documented(app: FastAPI, seeded: dict[str, str]) -> None:
    findings = fuzz(app, seeded)
    print(findings.report())
    assert findings.counts() == dict.fromkeys(findings.counts(), 0), findings.report()


def test_the_schema_documents_problem_responses(app: FastAPI) -> None:
    """Errors are documented as problem+json; FastAPI's application/json 422 is gone."""
    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]
    seen = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path.startswith("/api/") and path != "/api/auth/token":
                assert "401" in responses, f"{method} {path}"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, f"{method} {path}"
            for status, response in responses.items():
                if re.fullmatch(r"4\d\d", status):
                    seen += 1
                    assert list(response["content"]) == ["application/problem+json"], (
                        f"{method} {path} {status}"
                    )
    assert seen > 100
    token = schema["paths"]["/api/auth/token"]["post"]["responses"]
    assert {"401", "422", "429"} <= set(token)


TOO_BIG = "9223372036854775808"  # 2**63: one more than a BIGINT holds


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"/api/portfolio/cases?offset={TOO_BIG}"),
        ("get", f"/api/portfolio/cases?creditor_id={TOO_BIG}"),
        ("get", f"/api/audit/entries?offset={TOO_BIG}"),
        ("get", "/api/sources/profiles/220008892192037121808771210805248"),
        ("get", f"/api/portfolio/debtors/{TOO_BIG}"),
        ("get", f"/api/tracing/candidates?case_id={TOO_BIG}"),
        ("post", "/api/portfolio/cases/263914003796674696183808/plans"),
        ("put", f"/api/portfolio/creditors/{TOO_BIG}/allocation-order"),
        ("get", "/api/outreach/rules?lang=__class__"),
        ("get", "/api/outreach/rules?lang=__module__"),
    ],
)
def test_out_of_range_ids_and_unknown_languages_are_refused(
    client: Any, auth_headers: Callable[..., dict[str, str]], method: str, url: str
) -> None:
    headers = auth_headers("bounds-admin", "admin")
    body = {"instalments": 3, "frequency": "monthly", "start_on": "2030-01-01"}
    kwargs: dict[str, Any] = {"json": body} if method in ("post", "put") else {}
    if "allocation-order" in url:
        kwargs = {"json": {"allocation_order": None}}
    answer = client.request(method.upper(), url, headers=headers, **kwargs)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 422


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OverflowError("Python int too large to convert to SQLite INTEGER"), 422),
        (DataError("SELECT", {}, ValueError("bigint out of range")), 422),
        (IntegrityError("INSERT", {}, ValueError("UNIQUE constraint failed")), 409),
    ],
)
def test_driver_errors_from_input_are_problems_not_server_errors(
    app: FastAPI, error: Exception, status: int
) -> None:
    """Ids inside bodies reach the driver: its refusal is the client's input, not a 500."""

    def fail() -> None:
        raise error

    app.add_api_route("/test-driver-error", fail)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/test-driver-error")
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "SELECT" not in answer.text and "INSERT" not in answer.text


def test_a_known_language_still_lists_the_rules_in_it(
    client: Any, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers("lang-admin", "admin")
    english = client.get("/api/outreach/rules", headers=headers).json()
    french = client.get("/api/outreach/rules?lang=fr", headers=headers).json()
    assert len(english) == len(french) > 0
    assert english[0]["description"] != french[0]["description"]
