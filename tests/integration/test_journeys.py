"""One justice journey across agencies: a police system starts it, the CPS and a Witness Care
Unit join it by URN, each posts what it did; each sees the whole journey and nothing else; the
victim sees one timeline naming each sender; each duty is owed, alerted and counted against the
agency that holds it; a duty nobody on the journey holds becomes a navigator's task; deadlines
run from when the holder had the information."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent, Role
from app.cases.models import Case, Milestone, Participant
from app.entitlements import alerts, compliance
from app.entitlements.models import CaseEntitlement
from app.extensions import db
from app.notify.models import Notification
from app.partners.models import SCOPES as ALL_SCOPES
from app.tasks.models import NavigatorTask
from tests.factories import (
    create_agency,
    create_partner_client,
    create_user,
    post_form,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("app_context")

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SCOPES = " ".join(ALL_SCOPES)


def _urn() -> str:
    return "01MP" + uuid.uuid4().hex[:7].upper()


class Agency:
    """An agency's case system calling the API with its own token."""

    def __init__(self, client, name: str, kinds: list[str]) -> None:
        self.agency = create_agency(name=f"{name} {uuid.uuid4().hex[:4]}", kinds=kinds)
        partner, secret = create_partner_client(agency=self.agency, scope=SCOPES)
        self.client = client
        self.token = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(partner.client_id, secret),
        ).json["access_token"]

    def __call__(self, method: str, url: str, json=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if method != "GET":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return self.client.open(url, method=method, json=json, headers=headers)

    def put_case(self, reference: str, **body):
        return self("PUT", f"/api/v1/cases/{reference}", {"crime_type": "assault", **body})

    def post(self, reference: str, kind: str, when: dt.datetime = NOW, **extra):
        body = {"id": f"{reference}-{uuid.uuid4().hex[:6]}", "type": kind, **extra}
        body["occurred_at"] = when.isoformat()
        return self("POST", f"/api/v1/cases/{reference}/events", body)


@pytest.fixture()
def journey(client):
    """The Met (police) starts a journey with a URN; the CPS and a Witness Care Unit join it."""
    urn = _urn()
    police = Agency(client, "Metropolitan Police", ["police"])
    cps = Agency(client, "CPS London South", ["cps"])
    wcu = Agency(client, "Witness Care Unit South", ["wcu"])
    assert police.put_case("MET-1", urn=urn, offence_category="violent").status_code == 201
    assert cps.put_case("CPS-9", urn=urn).status_code == 201
    assert wcu.put_case("WCU-5", urn=urn).status_code == 201
    return {"urn": urn, "police": police, "cps": cps, "wcu": wcu}


def _case(urn: str) -> Case:
    return db.session.scalars(select(Case).where(Case.urn == urn)).one()


def _owed(case: Case) -> dict[str, int | None]:
    db.session.expire_all()
    rows = db.session.scalars(select(CaseEntitlement).where(CaseEntitlement.case_id == case.id))
    return {row.rule_id: row.agency_id for row in rows}


def test_agencies_join_one_journey_by_urn_and_each_sees_all_of_it(client, journey):
    police, cps, wcu = journey["police"], journey["cps"], journey["wcu"]
    case = _case(journey["urn"])
    joined = db.session.scalars(select(Participant).where(Participant.case_id == case.id)).all()
    assert {(p.agency_id, p.reference) for p in joined} == {
        (police.agency.id, "MET-1"),
        (cps.agency.id, "CPS-9"),
        (wcu.agency.id, "WCU-5"),
    }
    assert police.post("MET-1", "charged").status_code == 201
    assert cps.post("CPS-9", "charges_altered").status_code == 201
    assert wcu.post("WCU-5", "witness_required").status_code == 201
    for agency, reference in ((police, "MET-1"), (cps, "CPS-9"), (wcu, "WCU-5")):
        body = agency("GET", f"/api/v1/cases/{reference}").json
        assert body["reference"] == reference and body["urn"] == journey["urn"]
        assert {m["type"]: m["sent_by"]["name"] for m in body["timeline"]} == {
            "charged": police.agency.name,
            "charges_altered": cps.agency.name,
            "witness_required": wcu.agency.name,
        }
        assert {m["case"] for m in body["timeline"]} == {reference}  # each by its own reference
        assert [p["reference"] for p in body["participants"]] == ["MET-1", "CPS-9", "WCU-5"]
    # Another agency's reference is not a way in: 404 for reading and for writing.
    assert cps("GET", "/api/v1/cases/MET-1").status_code == 404
    assert cps.post("MET-1", "charged").status_code == 404
    stranger = Agency(client, "Another force", ["police"])
    assert stranger("GET", "/api/v1/cases/CPS-9").status_code == 404
    assert stranger.post("WCU-5", "verdict").status_code == 404


def test_facts_a_joining_agency_leaves_out_are_kept(journey):
    case = _case(journey["urn"])
    assert case.offence_category == "violent"  # sent by the police; the CPS and WCU said nothing


def test_urn_conflicts_are_refused_and_change_nothing(client, journey):
    police, cps = journey["police"], journey["cps"]
    other = _urn()
    # The same journey under a second reference of the same agency.
    again = cps.put_case("CPS-10", urn=journey["urn"])
    assert again.status_code == 409 and "urn" in again.json["detail"]
    # A journey whose URN is set cannot take another.
    moved = police.put_case("MET-1", urn=other)
    assert moved.status_code == 409 and journey["urn"] in moved.json["detail"]["urn"][0]
    # A case with no URN cannot take one another journey holds.
    assert police.put_case("MET-2").status_code == 201
    clash = police.put_case("MET-2", urn=journey["urn"])
    assert clash.status_code == 409
    assert db.session.scalar(select(Case.urn).where(Case.reference == "MET-2")) is None
    bad = police.put_case("MET-3", urn="not a urn!")
    assert bad.status_code == 422 and "urn" in bad.json["detail"]


def test_each_duty_is_owed_and_alerted_to_the_agency_that_holds_it(journey):
    police, cps, wcu = journey["police"], journey["cps"], journey["wcu"]
    police.post("MET-1", "suspect_arrested")
    cps.post("CPS-9", "charges_dropped")
    wcu.post("WCU-5", "witness_required")
    owed = _owed(_case(journey["urn"]))
    assert owed["r6-suspect-arrested"] == police.agency.id
    assert owed["r6-charges-dropped"] == cps.agency.id
    assert owed["r8-witness-required"] == wcu.agency.id
    alerts.alert_agencies(NOW + dt.timedelta(days=30))
    db.session.commit()
    sent = db.session.scalars(
        select(Notification).where(
            Notification.kind == "entitlements.attention", Notification.channel == "webhook"
        )
    ).all()
    duties = {
        n.agency_id: {(i["case"], i["duty"]) for i in n.payload["data"]["items"]} for n in sent
    }
    assert ("MET-1", "r6-suspect-arrested") in duties[police.agency.id]
    assert ("CPS-9", "r6-charges-dropped") in duties[cps.agency.id]
    assert ("WCU-5", "r8-witness-required") in duties[wcu.agency.id]
    for agency in (police, cps, wcu):  # nobody hears about another's duty
        mine = {duty for _case, duty in duties[agency.agency.id]}
        assert all(owed[duty] == agency.agency.id for duty in mine)
    # The entitlements API lists an agency's own duties only, under its reference.
    listed = cps("GET", "/api/v1/entitlements?status=due,overdue").json["items"]
    assert ("CPS-9", "r6-charges-dropped") in {(i["case"], i["duty"]) for i in listed}
    assert {i["case"] for i in listed} == {"CPS-9"} and {i["duty_holder"] for i in listed} == {
        "cps"
    }


def test_a_duty_nobody_on_the_journey_holds_becomes_a_navigators_task(client):
    police = Agency(client, "Lone force", ["police"])
    police.put_case("LONE-1")
    police.post("LONE-1", "witness_required")  # a Witness Care Unit's duty; none has joined
    case = db.session.scalar(
        select(Case)
        .join(Participant, Participant.case_id == Case.id)
        .where(Participant.reference == "LONE-1")
    )
    assert _owed(case)["r8-witness-required"] is None
    task = db.session.scalars(select(NavigatorTask).where(NavigatorTask.case_id == case.id)).one()
    assert task.reason == "no_duty_holder:wcu" and task.status == "open"
    # Once a Witness Care Unit joins, the duty is its own.
    wcu = Agency(client, "WCU East", ["wcu"])
    urn = _urn()
    assert police.put_case("LONE-1", urn=urn).status_code == 200
    assert wcu.put_case("WCU-77", urn=urn).status_code == 201
    assert _owed(case)["r8-witness-required"] == wcu.agency.id


def test_one_agency_of_two_kinds_holds_both_kinds_of_duty(client):
    met = Agency(client, "Met with its WCU", ["police", "wcu"])
    met.put_case("BOTH-1")
    met.post("BOTH-1", "suspect_arrested")
    met.post("BOTH-1", "witness_required")
    case = db.session.scalar(
        select(Case)
        .join(Participant, Participant.case_id == Case.id)
        .where(Participant.reference == "BOTH-1")
    )
    owed = _owed(case)
    assert owed["r6-suspect-arrested"] == owed["r8-witness-required"] == met.agency.id


def test_compliance_counts_each_duty_against_its_holder(journey):
    police, cps = journey["police"], journey["cps"]
    police.post("MET-1", "suspect_arrested")
    cps.post("CPS-9", "charges_dropped")
    today = NOW.date()
    filters = compliance.Filters(
        since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=60)
    )
    lines = compliance.report(filters)
    by_agency = {(line.agency, line.right) for line in lines}
    assert (police.agency.name, 6) in by_agency and (cps.agency.name, 6) in by_agency
    rows = list(csv.DictReader(io.StringIO(compliance.to_csv(lines))))
    cps_rows = [r for r in rows if r["agency"] == cps.agency.name]
    assert cps_rows and sum(int(r["pending"]) for r in cps_rows) >= 1
    assert not any(r["agency"] == journey["wcu"].agency.name for r in rows)


def test_an_arrest_posted_twenty_working_days_late_is_late_at_once(journey):
    police = journey["police"]
    a_month_ago = NOW - dt.timedelta(days=30)  # 20 working days and more
    assert police.post("MET-1", "suspect_arrested", when=a_month_ago).status_code == 201
    case = _case(journey["urn"])
    db.session.expire_all()
    arrest = db.session.scalars(
        select(CaseEntitlement).where(
            CaseEntitlement.case_id == case.id, CaseEntitlement.rule_id == "r6-suspect-arrested"
        )
    ).one()
    assert arrest.status == "overdue"
    delays = {
        d.agency: d
        for d in compliance.posting_delays(
            compliance.Filters(since=NOW.date(), until=NOW.date() + dt.timedelta(days=1))
        )
    }
    assert delays[police.agency.name].median_hours >= 24 * 29


def test_information_passed_on_counts_from_when_the_sender_recorded_it(journey):
    wcu = journey["wcu"]
    happened = NOW - dt.timedelta(days=40)
    recorded = NOW - dt.timedelta(hours=2)  # the court's result reached the WCU this morning
    response = wcu.post(
        "WCU-5", "witness_required", when=happened, recorded_at=recorded.isoformat()
    )
    assert response.status_code == 201 and response.json["recorded_at"]
    db.session.expire_all()
    item = db.session.scalars(
        select(CaseEntitlement)
        .where(CaseEntitlement.rule_id == "r8-witness-required")
        .where(CaseEntitlement.case_id == _case(journey["urn"]).id)
    ).one()
    assert item.status == "due"


def test_an_acknowledgement_must_name_a_duty_of_this_journey(journey):
    police = journey["police"]
    unnamed = police.post("MET-1", "information_delivered")
    assert unnamed.status_code == 422 and "duty" in unnamed.json["detail"]
    unknown = police.post("MET-1", "information_delivered", duty="r6-suspect-arrested")
    assert unknown.status_code == 422 and "No such duty" in unknown.json["detail"]["duty"][0]
    police.post("MET-1", "suspect_arrested")
    known = police.post("MET-1", "information_delivered", duty="r6-suspect-arrested")
    assert known.status_code == 201
    batch = police(
        "POST",
        "/api/v1/events/batch",
        {
            "events": [
                {
                    "id": "b-arrest",
                    "case": "MET-1",
                    "type": "suspect_interviewed",
                    "occurred_at": NOW.isoformat(),
                },
                {
                    "id": "b-told",
                    "case": "MET-1",
                    "type": "information_delivered",
                    "duty": "r6-suspect-interviewed",
                    "occurred_at": NOW.isoformat(),
                },
                {
                    "id": "b-wrong",
                    "case": "MET-1",
                    "type": "information_delivered",
                    "duty": "r9-verdict",
                    "occurred_at": NOW.isoformat(),
                },
            ]
        },
    )
    assert [r["status"] for r in batch.json["results"]] == ["created", "created", "invalid"]
    assert "duty" in batch.json["results"][2]["detail"]


def test_the_victim_sees_one_timeline_naming_each_sender(app, journey):
    police, wcu = journey["police"], journey["wcu"]
    police.post("MET-1", "charged")
    wcu.post("WCU-5", "witness_required")
    invitation = wcu(
        "POST",
        "/api/v1/cases/WCU-5/victims",
        {"reference": "WV1", "date_of_birth": "1985-03-27"},
    ).json["invitation"]
    victim = app.test_client()
    sign_in(victim, create_user())
    linked = post_form(
        victim,
        "/account/cases/link",
        {
            "reference": invitation["reference"],
            "code": invitation["code"],
            "date_of_birth": ["27", "3", "1985"],
        },
    )
    page = victim.get(linked.location).get_data(as_text=True)
    assert "Someone was charged" in page and "You may be needed as a witness" in page
    assert police.agency.name in page and wcu.agency.name in page
    # New since the last look: marked on the timeline and counted on the list of cases.
    journey["cps"].post("CPS-9", "charges_altered")
    listed = victim.get("/account/cases").get_data(as_text=True)
    assert "1 new update" in listed
    again = victim.get(linked.location).get_data(as_text=True)
    assert again.count(">New<") == 1
    assert ">New<" not in victim.get(linked.location).get_data(as_text=True)
    # The WCU hears of the link under its own references.
    hook = db.session.scalars(
        select(Notification).where(
            Notification.kind == "victim.linked",
            Notification.agency_id == wcu.agency.id,
        )
    ).one()
    assert hook.payload["data"] == {"case": "WCU-5", "victim": "WV1"}


def test_a_review_of_a_cps_decision_goes_to_the_cps_on_the_journey(journey):
    from app.victim_requests.models import VictimRequest
    from app.victim_requests.service import route_to

    police = journey["police"]
    police(
        "POST", "/api/v1/cases/MET-1/victims", {"reference": "V1", "date_of_birth": "1980-01-01"}
    )
    case = _case(journey["urn"])
    from app.cases.models import CaseVictim

    link = db.session.scalars(select(CaseVictim).where(CaseVictim.case_id == case.id)).one()
    item = VictimRequest(kind="vrr", scheme="cps", case_id=case.id, case_victim_id=link.id)
    assert route_to(item).id == journey["cps"].agency.id
    statement = VictimRequest(kind="vps", case_id=case.id, case_victim_id=link.id)
    assert route_to(statement).id == police.agency.id  # who invited the victim


def test_a_navigator_moves_an_agency_that_joined_by_mistake(app, journey):
    wcu = journey["wcu"]
    wcu.post("WCU-5", "witness_required")
    case = _case(journey["urn"])
    secret = pyotp.random_base32()
    navigator = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    browser = app.test_client()
    sign_in(browser, navigator, totp_secret=secret)
    url = f"/navigator/journeys/{case.public_id}"
    page = browser.get(url).get_data(as_text=True)
    assert "CPS-9" in page and "WCU-5" in page
    participant = db.session.scalar(
        select(Participant.id).where(Participant.agency_id == wcu.agency.id)
    )
    refused = post_form(browser, url, {"participant": str(participant), "reason": "  "})
    assert refused.status_code == 200
    assert "Say why the agency should not be on this case" in refused.get_data(as_text=True)
    moved = post_form(
        browser, url, {"participant": str(participant), "reason": "Wrong URN typed by the WCU"}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    own = db.session.scalars(
        select(Participant).where(Participant.agency_id == wcu.agency.id)
    ).one()
    assert own.case_id != case.id and own.moved_from_case_id == case.id
    assert own.moved_reason == "Wrong URN typed by the WCU"
    [event] = db.session.scalars(select(Milestone).where(Milestone.agency_id == wcu.agency.id))
    assert event.case_id == own.case_id
    assert wcu("GET", "/api/v1/cases/WCU-5").json["urn"] is None
    assert [
        p["reference"] for p in journey["police"]("GET", "/api/v1/cases/MET-1").json["participants"]
    ] == ["MET-1", "CPS-9"]
    audit = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "journey_agency_moved", AuditEvent.actor_id == navigator.id
        )
    ).one()
    assert "Wrong URN" in (audit.detail or "")


# --- Every partner route and method, for an agency on the journey and one off it ---------------

ON, OFF = "on", "off"


def _request_for(journey) -> str:
    """A statement the victim sent, routed to the police on the journey."""
    from app.victim_requests import service

    police = journey["police"]
    police(
        "POST", "/api/v1/cases/MET-1/victims", {"reference": "V1", "date_of_birth": "1980-01-01"}
    )
    from app.cases.models import CaseVictim

    case = _case(journey["urn"])
    link = db.session.scalars(select(CaseVictim).where(CaseVictim.case_id == case.id)).one()
    user = create_user()
    link.user_id = user.id
    item = service.start_draft(user, link, "vps")
    service.save_answers(item, {"statement": "It changed how I live."})
    service.submit(item, user, b"%PDF-1.4\n%%EOF\n")
    db.session.commit()
    return item.public_id


# What each agency gets, per endpoint and method: the journey's own data for the agency on it,
# "not found" (or nothing of the journey) for the one off it.
PARTNER_MATRIX = {
    # Off: its own case, no URN (with the journey's URN it would join: that is how one joins).
    ("partners.put_case", "PUT"): {ON: 200, OFF: 201},
    ("partners.get_case", "GET"): {ON: 200, OFF: 404},
    ("partners.post_event", "POST"): {ON: 201, OFF: 404},
    ("partners.post_victim", "POST"): {ON: 201, OFF: 404},
    ("partners.get_request", "GET"): {ON: 200, OFF: 404},
    ("partners.get_request_document", "GET"): {ON: 200, OFF: 404},
    ("partners.post_request_status", "POST"): {ON: 200, OFF: 404},
    # Not about one journey: both are answered, and the checks below show the one off the
    # journey sees none of it.
    ("partners.post_batch", "POST"): {ON: 200, OFF: 200},
    ("partners.get_entitlements", "GET"): {ON: 200, OFF: 200},
    ("partners.list_requests", "GET"): {ON: 200, OFF: 200},
    ("partners.put_webhook", "PUT"): {ON: 200, OFF: 200},
    ("partners.get_webhook", "GET"): {ON: 200, OFF: 200},
    ("partners.ping_webhook", "POST"): {ON: 202, OFF: 202},
    ("partners.delete_webhook", "DELETE"): {ON: 204, OFF: 204},
    ("partners.issue_token", "POST"): {ON: 400, OFF: 400},  # a bearer token is not a client
    ("partners.revoke_token", "POST"): {ON: 401, OFF: 401},  # nor can it revoke one
    ("partners.openapi", "GET"): {ON: 200, OFF: 200},
}


def test_every_partner_route_for_agencies_on_and_off_the_journey(app, client, journey):
    police = journey["police"]
    stranger = Agency(client, "Kent Police", ["police"])
    police.post("MET-1", "suspect_arrested")
    request_id = _request_for(journey)
    methods = {"GET", "POST", "PUT", "DELETE", "PATCH"}
    routes = {
        (rule.endpoint, method): rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("partners.")
        for method in rule.methods & methods
    }
    assert set(routes) == set(PARTNER_MATRIX), "decide what agencies on and off a journey get"
    bodies = {
        "partners.put_case": {"crime_type": "assault", "urn": journey["urn"]},
        "partners.post_event": {"id": "m-1", "type": "charged", "occurred_at": NOW.isoformat()},
        "partners.post_victim": {"reference": "V9", "date_of_birth": "1990-01-01"},
        "partners.post_request_status": {"status": "received", "note": "Thank you"},
        "partners.post_batch": {
            "events": [
                {"id": "b-1", "case": "MET-1", "type": "charged", "occurred_at": NOW.isoformat()}
            ]
        },
        "partners.put_webhook": {"url": "http://127.0.0.1:9/hook"},
    }
    wrong = {}
    seen: dict[tuple[str, str], object] = {}
    # The stranger first: what it does must change nothing the police then read.
    for who, agency in ((OFF, stranger), (ON, police)):
        for endpoint, method in PARTNER_MATRIX:  # in its order: the webhook's last
            rule = routes[(endpoint, method)]
            values = {"reference": "MET-1", "public_id": request_id}
            url = app.url_map.bind("localhost").build(
                endpoint, {k: v for k, v in values.items() if k in rule.arguments}
            )
            body = bodies.get(endpoint)
            if endpoint == "partners.put_case" and who == OFF:
                url, body = "/api/v1/cases/KENT-1", {"crime_type": "fraud"}
            response = agency(method, url, body)
            seen[(who, endpoint)] = response
            want = PARTNER_MATRIX[(endpoint, method)][who]
            if response.status_code != want:
                wrong[f"{who} {method} {endpoint}"] = (response.status_code, want)
    assert not wrong, wrong
    # What the agency off the journey was answered holds nothing of it.
    batch = seen[(OFF, "partners.post_batch")].json["results"]
    assert batch[0]["status"] == "invalid"
    assert seen[(OFF, "partners.get_entitlements")].json["items"] == []
    assert seen[(OFF, "partners.list_requests")].json["items"] == []
    mine = seen[(ON, "partners.list_requests")].json["items"]
    assert [(i["case"]["reference"], i["victim_reference"]) for i in mine] == [("MET-1", "V1")]
