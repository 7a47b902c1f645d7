"""Entitlements of real cases: an event stream through the API produces the expected duties
and time limits, an acknowledgement meets a duty, the victim sees their rights and can say
they were not told, and the full recompute agrees with the incremental one."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.cases.models import Case, CaseVictim
from app.entitlements import service
from app.entitlements.models import CaseEntitlement
from app.extensions import db
from app.tasks.models import NavigatorTask
from tests.factories import create_agency, create_partner_client, create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture()
def api(client):
    agency = create_agency()
    partner, secret = create_partner_client(agency=agency)
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, secret)
    ).json["access_token"]

    def call(method, url, json=None):
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        response = client.open(url, method=method, json=json, headers=headers)
        assert response.status_code in (200, 201), response.json
        return response

    call.agency = agency
    return call


def statuses(reference: str) -> dict[str, str]:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    db.session.expire_all()
    return {
        e.rule_id: e.status
        for e in db.session.scalars(
            select(CaseEntitlement).where(CaseEntitlement.case_id == case.id)
        )
    }


def event(api, reference, type_, days_ago, **extra):
    when = (NOW - dt.timedelta(days=days_ago)).isoformat()
    api(
        "POST",
        f"/api/v1/cases/{reference}/events",
        {"id": str(uuid.uuid4()), "type": type_, "occurred_at": when, **extra},
    )


def test_an_event_stream_produces_the_expected_entitlements(api):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api(
        "PUT",
        f"/api/v1/cases/{ref}",
        {"crime_type": "assault", "offence_category": "violent", "enhanced": False},
    )
    event(api, ref, "reported", 0)
    got = statuses(ref)
    # Received just now: written confirmation is due (5 working days), not yet overdue.
    assert got["r3-written-confirmation"] == "due"
    assert got["r5-cica-window"] in ("due", "cannot_tell")
    assert "r6-charged" not in got  # nothing triggers it yet
    event(api, ref, "crime_reference_issued", 0)
    assert statuses(ref)["r3-written-confirmation"] == "met"
    event(api, ref, "suspect_arrested", 0)
    assert statuses(ref)["r6-suspect-arrested"] == "due"
    # The police say they told the victim: an acknowledgement naming the duty meets it.
    event(api, ref, "information_delivered", 0, duty="r6-suspect-arrested")
    assert statuses(ref)["r6-suspect-arrested"] == "met"


def test_time_passing_makes_a_due_duty_overdue(api):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api("PUT", f"/api/v1/cases/{ref}", {"crime_type": "burglary"})
    event(api, ref, "suspect_arrested", 0)
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    assert statuses(ref)["r6-suspect-arrested"] == "due"
    later = NOW + dt.timedelta(days=30)
    assert service.refresh_due(later) >= 1
    assert statuses(ref)["r6-suspect-arrested"] == "overdue"
    # An acknowledgement, however late, makes it met late — never overdue again.
    event(api, ref, "information_delivered", 0, duty="r6-suspect-arrested")
    assert statuses(ref)["r6-suspect-arrested"] in ("met", "met_late")
    assert case.id


def test_a_case_with_missing_facts_says_cannot_tell_never_met(api):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api("PUT", f"/api/v1/cases/{ref}", {"crime_type": "robbery"})  # enhanced unknown, no dates
    event(api, ref, "reported", 0)
    got = statuses(ref)
    assert "met" not in {got["r5-cica-window"], got["r5-cica-window-child"]}


def test_the_full_recompute_agrees_with_the_incremental_one(api, app):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api("PUT", f"/api/v1/cases/{ref}", {"crime_type": "assault"})
    for type_ in ("reported", "suspect_arrested", "charged", "sentence"):
        event(api, ref, type_, 3)
    before = statuses(ref)
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    db.session.execute(CaseEntitlement.__table__.delete().where(CaseEntitlement.case_id == case.id))
    db.session.commit()
    result = CliRunner().invoke(
        app.cli, ["entitlements", "recompute", "--workers", "1"], catch_exceptions=False
    )
    assert "cases evaluated" in result.output
    assert statuses(ref) == before


def test_the_victim_sees_their_rights_and_can_say_they_were_not_told(api, app):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api("PUT", f"/api/v1/cases/{ref}", {"crime_type": "burglary"})
    event(api, ref, "reported", 0)
    event(api, ref, "charged", 0)
    user = create_user()
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    link = CaseVictim(
        case_id=case.id,
        reference="V1",
        user_id=user.id,
        linked_at=NOW,
        invitation_reference=f"T{uuid.uuid4().hex[:8]}",
        invitation_expires_at=NOW,
    )
    db.session.add(link)
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, user)
    url = f"/account/cases/{link.public_id}/rights"
    page = browser.get(url).get_data(as_text=True)
    assert "Your rights in this case" in page
    assert "To be told that someone was charged, and with what" in page
    assert "You can apply for criminal injuries compensation" in page
    charged = db.session.scalar(
        select(CaseEntitlement).where(
            CaseEntitlement.case_id == case.id, CaseEntitlement.rule_id == "r6-charged"
        )
    )
    response = post_form(browser, f"{url}/{charged.id}/not-told", {}, get_url=url)
    assert response.status_code == 302
    page = browser.get(response.location).get_data(as_text=True)
    assert "Thank you for telling us" in page and "We are looking into it" in page
    db.session.expire_all()
    assert db.session.get(CaseEntitlement, charged.id).not_told_at is not None
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.user_id == user.id))
    assert task.reason == "victim_not_told" and task.case_id == case.id
    # Re-evaluation keeps the report.
    service.evaluate_cases([case.id])
    db.session.commit()
    assert db.session.get(CaseEntitlement, charged.id).not_told_at is not None
    # Another victim cannot see or report on this case.
    other = app.test_client()
    sign_in(other, create_user())
    assert other.get(url).status_code == 404
    response = post_form(other, f"{url}/{charged.id}/not-told", {}, get_url="/account")
    assert response.status_code == 404


def test_a_broken_rules_file_stops_start_up_naming_file_and_line(tmp_path, database_url):
    import shutil

    from app import create_app
    from app.config import ROOT
    from app.entitlements.rules import RulesError

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    rules = content / "victims-code" / "rules.yaml"
    rules.write_text(
        rules.read_text().replace("trigger: suspect_arrested", "trigger: suspect_arested", 1)
    )
    with pytest.raises(RulesError) as problem:
        create_app({"CONTENT_DIR": content, "SQLALCHEMY_DATABASE_URI": database_url})
    message = str(problem.value)
    assert re.search(r"rules\.yaml:\d+: rule 'r6-suspect-arrested'", message), message
    assert "suspect_arested" in message


def test_alerts_tell_the_agency_escalate_and_tell_the_victim_of_time_limits(api, app, mail_sink):
    from app.entitlements import alerts
    from app.notify import delivery
    from app.notify.models import Notification

    agency = api.agency
    agency.contact_email = "victims-code@police.example"
    db.session.commit()
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api(
        "PUT",
        f"/api/v1/cases/{ref}",
        {"crime_type": "assault", "enhanced": False, "incident_date": NOW.date().isoformat()},
    )
    user = create_user()
    user.safe_days, user.safe_from, user.safe_to = "mon,tue,wed,thu,fri,sat,sun", "00:00", "24:00"
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    db.session.add(
        CaseVictim(
            case_id=case.id,
            reference="V1",
            user_id=user.id,
            linked_at=NOW,
            invitation_reference=f"A{uuid.uuid4().hex[:8]}",
            date_of_birth=dt.date(1980, 5, 1),  # an adult: CICA's 2 years
            invitation_expires_at=NOW,
        )
    )
    db.session.commit()
    event(api, ref, "reported", 0)
    event(api, ref, "suspect_arrested", 0)

    later = NOW + dt.timedelta(days=21)  # the arrest duty is long overdue by then
    result = alerts.run(later)
    assert result["agencies_alerted"] >= 1 and result["duties_escalated"] >= 1
    webhook = db.session.scalar(
        select(Notification).where(
            Notification.agency_id == agency.id,
            Notification.channel == "webhook",
            Notification.kind == "entitlements.attention",
        )
    )
    listed = {(i["case"], i["duty"]) for i in webhook.payload["data"]["items"]}
    assert (ref, "r6-suspect-arrested") in listed
    assert user.email not in str(webhook.payload)
    again = alerts.run(later + dt.timedelta(minutes=15))
    assert again["agencies_alerted"] == 0  # the same duties are not alerted twice
    task = db.session.scalar(
        select(NavigatorTask).where(
            NavigatorTask.case_id == case.id, NavigatorTask.reason == "duty_overdue"
        )
    )
    assert task is not None and task.user_id == user.id
    # The agency's e-mail: counts and where to look, no case or victim details.
    mail = db.session.scalar(
        select(Notification).where(
            Notification.agency_id == agency.id, Notification.channel == "agencymail"
        )
    )
    assert delivery.deliver(mail.id, later) == "sent"
    [message] = [m for m in mail_sink() if m["To"] == agency.contact_email]
    text = message.get_content()
    assert "/api/v1/entitlements" in text and ref not in text and user.email not in text
    # The victim hears that a time limit (compensation) has started, in neutral words.
    alerts.run(NOW)
    told = db.session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "time_limit"
        )
    ).all()
    assert told and all(n.dedupe_key.startswith("window-") for n in told)


def test_agencies_read_their_own_entitlements_through_the_api(api, client):
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api("PUT", f"/api/v1/cases/{ref}", {"crime_type": "burglary"})
    event(api, ref, "suspect_arrested", 0)
    got = api("GET", f"/api/v1/entitlements?case={ref}&status=due").json
    assert {i["duty"] for i in got["items"]} >= {"r6-suspect-arrested"}
    assert all(i["case"] == ref for i in got["items"])
    bad = client.get(
        "/api/v1/entitlements?status=nonsense", headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401
    # Another agency sees none of them.
    other = create_agency(name="Other force")
    partner, secret = create_partner_client(agency=other)
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, secret)
    ).json["access_token"]
    theirs = client.get(
        f"/api/v1/entitlements?case={ref}", headers={"Authorization": f"Bearer {token}"}
    ).json
    assert theirs["items"] == []
    wrong = client.get(
        "/api/v1/entitlements?status=nonsense", headers={"Authorization": f"Bearer {token}"}
    )
    assert wrong.status_code == 422 and "status" in wrong.json["detail"]


def test_the_per_event_path_matches_a_full_evaluation(api):
    """Evaluating only the rules an event can affect gives the same result as evaluating all."""
    ref = f"E-{uuid.uuid4().hex[:6]}"
    api(
        "PUT",
        f"/api/v1/cases/{ref}",
        {
            "crime_type": "assault",
            "offence_category": "violent",
            "incident_date": NOW.date().isoformat(),
        },
    )
    for type_, extra in [
        ("reported", {}),
        ("suspect_arrested", {}),
        ("charged", {}),
        ("information_delivered", {"duty": "r6-charged"}),
        ("sentence", {"detail": {"type": "custodial", "months": 18, "uls_eligible": True}}),
        ("vcs_referral_made", {}),
    ]:
        event(api, ref, type_, 1, **extra)
    incremental = statuses(ref)
    case = db.session.scalar(select(Case).where(Case.reference == ref))
    service.evaluate_cases([case.id])
    db.session.commit()
    assert statuses(ref) == incremental
    assert incremental["r9-uls-window"] == "due" and "r11-vlo-contact" in incremental


@pytest.mark.parametrize(
    "query",
    [
        "after=10531499545842981897074900992",
        "status=",
        "limit=abc",
        "limit=0",
        "case=" + "x" * 65,
        "after=-1",
    ],
)
def test_bad_entitlement_queries_are_422_with_the_field_named(api, client, query):
    response = client.get(
        f"/api/v1/entitlements?{query}",
        headers={
            "Authorization": api("GET", "/api/v1/entitlements").request.headers["Authorization"]
        },
    )
    assert response.status_code == 422
    assert query.split("=")[0] in response.json["detail"]
