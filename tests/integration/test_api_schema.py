"""schemathesis against the OpenAPI document the code generates: whatever it sends, the API
answers without a server error and with a response that matches its own schema."""

from __future__ import annotations

import tempfile
import uuid

import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.core.vocabulary import INFORMATION_DELIVERED, MILESTONE_TYPES
from app.entitlements.service import rules
from app.partners.schemas import EventSchema
from tests.conftest import make_app
from tests.factories import create_agency, create_partner_client

# A private SQLite app of its own: schemathesis builds its tests when this module is imported,
# before any fixture runs.
APP = make_app(f"sqlite:///{tempfile.mkdtemp()}/schema.db")
with APP.app_context():
    upgrade()
    partner, secret = create_partner_client(agency=create_agency())
    TOKEN = (
        APP.test_client()
        .post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(partner.client_id, secret),
        )
        .json["access_token"]
    )
    APP.test_client().put(
        "/api/v1/cases/0",
        json={"crime_type": "robbery"},
        headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "seed"},
    )

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    if "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())  # a new change each time
    with APP.app_context():
        response = case.call()
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))


def test_each_milestone_type_is_documented_with_its_detail_and_an_example():
    """An agency reads from the document what detail each type takes, an event of each type that
    the API accepts, and the duties an acknowledgement can name."""
    with APP.app_context():
        document = APP.test_client().get("/api/v1/openapi.json").json
        duties = [r.id for r in rules() if INFORMATION_DELIVERED in r.discharged_by]
    schemas = document["components"]["schemas"]
    detail = schemas["Event"]["properties"]["detail"]
    assert set(detail["x-detail-by-type"]) == set(MILESTONE_TYPES)
    for ref in [*detail["x-detail-by-type"].values(), *detail["anyOf"][:-1]]:
        name = ref["$ref"].rsplit("/", 1)[1]
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["VerdictDetail"]["required"] == ["charges"]
    assert schemas["ChargeOutcome"]["properties"]["outcome"]["enum"][0] == "guilty"
    assert schemas["TrialMovedDetail"]["required"] == ["new_date"]

    operation = document["paths"]["/api/v1/cases/{reference}/events"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == set(MILESTONE_TYPES)
    for kind, example in examples.items():
        event = EventSchema().load(example["value"])  # the API accepts every example
        assert event["type"] == kind and example["summary"] == MILESTONE_TYPES[kind]
    assert examples["verdict"]["value"]["detail"]["charges"][0]["outcome"] == "guilty"

    described = schemas["Event"]["properties"]["duty"]["description"]
    assert duties and all(f"`{duty}`" in described for duty in duties)
    assert "r6-charged" in duties
