"""Telling victims and agencies: the outbox is written with the event, messages wait for the
victim's safe times, say nothing about the crime, are sent at least once and kept once by the
sink, back off on failure; critical updates must be confirmed or a navigator calls."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import delete, func, select

from app.accounts import contact
from app.cases import service as cases
from app.cases import updates
from app.cases.models import UpdateConfirmation
from app.cases.updates import escalate_unconfirmed
from app.core.time import utcnow
from app.extensions import db
from app.notify import delivery, webhooks
from app.notify.models import Notification
from app.notify.safe_times import LONDON
from app.tasks.models import NavigatorTask
from tests.factories import create_linked_case, create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")

# Tuesday 24 November 2026, 10:00 in London (GMT): inside office hours.
TUESDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _empty_outbox(app_context):
    """Each test sweeps the outbox: start it empty, whatever other tests left in it."""
    db.session.execute(delete(UpdateConfirmation))
    db.session.execute(delete(Notification))
    db.session.commit()


def victim(**fields):
    user = create_user()
    for key, value in {
        "safe_days": "mon,tue,wed,thu,fri",
        "safe_from": "09:00",
        "safe_to": "17:00",
        **fields,
    }.items():
        setattr(user, key, value)
    db.session.commit()
    case, _victim = create_linked_case(user=user)
    return user, case


def event(case, type_="charged", *, detail=None, event_id=None):
    milestone = cases.Milestone(
        case_id=case.id,
        agency_id=case.agency_id,
        agency_event_id=event_id or str(uuid.uuid4()),
        type=type_,
        occurred_at=TUESDAY_10 - dt.timedelta(hours=1),
        detail=detail,
    )
    db.session.add(milestone)
    db.session.flush()
    return milestone


def queued(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_an_update_in_safe_hours_is_sent_and_says_nothing_about_the_crime(mail_sink):
    user, case = victim()
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    [notification] = queued(user)
    assert notification.kind == "case_update" and notification.channel == "email"
    assert delivery.sweep(now=TUESDAY_10) == {"sent": 1}
    [message] = mail_sink()
    text = message.as_string().lower()
    assert message["To"] == user.email
    assert message["Subject"] == "You have a new update"
    for word in ("robbery", "charged", "police", "victim care hub", "crime"):
        assert word not in text, word
    assert "/account/sign-in" in text
    assert message["Message-ID"] == f"<{notification.public_id}@victim-care-hub>"
    assert db.session.get(Notification, notification.id).status == "sent"
    assert delivery.sweep(now=TUESDAY_10) == {}  # nothing twice


def test_the_hub_is_named_only_when_the_victim_said_so(mail_sink, app):
    _user, case = victim(may_name_hub=True)
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    delivery.sweep(now=TUESDAY_10)
    [message] = mail_sink()
    assert message["Subject"] == "You have a new update on the Victim Care Hub"
    assert message["From"] == app.config["MAIL_FROM"]


def test_messages_are_in_the_victims_language(mail_sink):
    _user, case = victim(language="cy")
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    delivery.sweep(now=TUESDAY_10)
    [message] = mail_sink()
    assert message["Subject"] != "You have a new update"
    assert "/cy/account/sign-in" in message.get_content()


def test_outside_safe_times_the_message_waits(mail_sink):
    user, case = victim(safe_days="sat", safe_from="18:00", safe_to="20:00")
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    [notification] = queued(user)
    saturday_6pm = dt.datetime(2026, 11, 28, 18, 0, tzinfo=LONDON)
    assert notification.not_before.replace(tzinfo=dt.UTC) == saturday_6pm
    assert delivery.sweep(now=TUESDAY_10) == {}
    assert delivery.sweep(now=saturday_6pm + dt.timedelta(minutes=1)) == {"sent": 1}
    assert len(mail_sink()) == 1


def test_changed_safe_times_apply_to_messages_already_waiting(mail_sink):
    user, case = victim()
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    user.safe_days = "sun"
    db.session.commit()
    assert delivery.sweep(now=TUESDAY_10) == {"pending": 1}
    [notification] = queued(user)
    assert notification.not_before.replace(tzinfo=dt.UTC) == dt.datetime(
        2026, 11, 29, 9, 0, tzinfo=dt.UTC
    )
    assert notification.attempts == 0 and mail_sink() == []


def test_updates_arriving_together_make_one_message(mail_sink):
    user, case = victim()
    for _ in range(5):
        updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    assert len(queued(user)) == 1


def test_acknowledgements_and_opted_out_victims_get_no_message():
    user, case = victim()
    updates.queue_case_update(event(case, "information_delivered"), now=TUESDAY_10)
    quiet, quiet_case = victim(contact_channel="none")
    updates.queue_case_update(event(quiet_case), now=TUESDAY_10)
    db.session.commit()
    assert queued(user) == [] and queued(quiet) == []


def test_an_event_from_the_api_queues_in_the_same_transaction(client, app):
    """record_event queues; a rolled-back event leaves no message behind."""
    user, case = victim(safe_days="mon,tue,wed,thu,fri,sat,sun", safe_from="00:00", safe_to="23:59")
    cases.record_event(case.agency, case, {"id": "E-1", "type": "charged", "occurred_at": utcnow()})
    db.session.rollback()
    assert queued(user) == []
    cases.record_event(case.agency, case, {"id": "E-1", "type": "charged", "occurred_at": utcnow()})
    db.session.commit()
    assert len(queued(user)) == 1


def test_text_messages_without_notify_land_in_the_sink_addressed_to_the_phone(mail_sink):
    _user, case = victim(contact_channel="sms", phone="07700900982")
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    delivery.sweep(now=TUESDAY_10)
    [message] = mail_sink()
    assert message["To"] == "07700900982"
    assert "Sign in to see it" in message.get_content()


class Recorder(BaseHTTPRequestHandler):
    """A receiving server: records each POST; answers with the status in `answers` (in turn)."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.seen.append((self.path, dict(self.headers), self.rfile.read(length)))
        status = self.server.answers.pop(0) if self.server.answers else 201
        body = json.dumps({"id": str(uuid.uuid4())}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.seen, server.answers = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_gov_uk_notify_is_used_when_a_key_is_set(app, receiver, mail_sink):
    user, case = victim(contact_channel="sms", phone="07700900982")
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    settings = {
        "NOTIFY_API_KEY": f"test-{uuid.uuid4()}-{uuid.uuid4()}",
        "NOTIFY_BASE_URL": f"http://127.0.0.1:{receiver.server_address[1]}",
        "NOTIFY_SMS_TEMPLATE_ID": str(uuid.uuid4()),
        "NOTIFY_EMAIL_TEMPLATE_ID": str(uuid.uuid4()),
    }
    app.config.update(settings)
    try:
        assert delivery.sweep(now=TUESDAY_10) == {"sent": 1}
    finally:
        for key in settings:
            app.config[key] = None
        app.config["NOTIFY_BASE_URL"] = "https://api.notifications.service.gov.uk"
    [(path, headers, body)] = receiver.seen
    sent = json.loads(body)
    assert path == "/v2/notifications/sms"
    assert headers["Authorization"].startswith("Bearer ")
    assert sent["phone_number"] == "07700900982"
    assert sent["template_id"] == settings["NOTIFY_SMS_TEMPLATE_ID"]
    assert sent["reference"] == queued(user)[0].public_id
    assert "robbery" not in body.decode() and mail_sink() == []


def test_a_failing_channel_backs_off_then_gives_up(app, monkeypatch):
    user, case = victim()
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(contact, "send_email", broken)
    now, waits = TUESDAY_10, []
    for _ in range(app.config["NOTIFY_MAX_ATTEMPTS"]):
        assert delivery.sweep(now=now) in ({"pending": 1}, {"failed": 1})
        [notification] = queued(user)
        waits.append(notification.not_before.replace(tzinfo=dt.UTC) - now)
        now = notification.not_before.replace(tzinfo=dt.UTC)
        # Keep retries inside weekday office hours for this test.
        user.safe_days, user.safe_from, user.safe_to = (
            "mon,tue,wed,thu,fri,sat,sun",
            "00:00",
            "23:59",
        )
        db.session.commit()
    [notification] = queued(user)
    assert notification.status == "failed" and "mail server down" in notification.last_error
    assert waits[:3] == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]


def test_a_message_claimed_by_a_dead_worker_is_sent_again_and_kept_once(app, mail_sink):
    user, case = victim()
    updates.queue_case_update(event(case), now=TUESDAY_10)
    db.session.commit()
    [notification] = queued(user)
    # A worker claims it and sends it, then dies before recording that it did.
    assert delivery.claim(notification.id, TUESDAY_10)
    contact.send_to_account_holder(db.session.get(Notification, notification.id), TUESDAY_10)
    db.session.rollback()
    # Inside the lease nobody else touches it; after it, another worker sends it again.
    assert delivery.sweep(now=TUESDAY_10 + dt.timedelta(seconds=10)) == {}
    later = TUESDAY_10 + dt.timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert delivery.sweep(now=later) == {"sent": 1}
    assert len(mail_sink()) == 1  # the same Message-ID: the sink kept one
    assert db.session.get(Notification, notification.id).attempts == 2


def critical_for(user_fields=None, type_="offender_released", detail=None):
    user, case = victim(**(user_fields or {}))
    milestone = event(case, type_, detail=detail)
    updates.queue_case_update(milestone, now=TUESDAY_10)
    db.session.commit()
    return user, case, milestone


def test_a_release_asks_for_confirmation_and_an_unconfirmed_one_becomes_a_task(mail_sink):
    user, case, milestone = critical_for()
    [notification] = queued(user)
    assert notification.kind == "critical_update"
    delivery.sweep(now=TUESDAY_10)
    [message] = mail_sink()
    assert message["Subject"] == "Important: please sign in today"
    assert "released" not in message.as_string().lower()
    confirmation = db.session.scalar(select(UpdateConfirmation))
    assert confirmation.confirm_by.replace(tzinfo=dt.UTC) == TUESDAY_10 + dt.timedelta(hours=24)
    assert escalate_unconfirmed(TUESDAY_10 + dt.timedelta(hours=23)) == 0
    assert escalate_unconfirmed(TUESDAY_10 + dt.timedelta(hours=24)) == 1
    assert escalate_unconfirmed(TUESDAY_10 + dt.timedelta(hours=25)) == 0  # once
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.user_id == user.id))
    assert (task.reason, task.user_id, task.case_id, task.milestone_id) == (
        "critical_update_unconfirmed",
        user.id,
        case.id,
        milestone.id,
    )
    # The agency is told too (queued; sent when it has a webhook URL).
    alert = db.session.scalar(select(Notification).where(Notification.channel == "webhook"))
    assert alert.kind == "update.unconfirmed" and alert.agency_id == case.agency_id


def test_a_victim_who_chose_no_messages_still_gets_a_call_about_a_release():
    user, _case, _milestone = critical_for({"contact_channel": "none"})
    assert queued(user) == []
    assert escalate_unconfirmed(TUESDAY_10 + dt.timedelta(hours=30)) == 1


@pytest.mark.parametrize(
    ("type_", "detail", "critical"),
    [
        ("offender_escaped", None, True),
        ("bail_conditions_changed", None, True),
        ("trial_date_moved", {"new_date": "2026-12-01"}, True),
        ("trial_date_moved", {"new_date": "2027-06-01"}, False),
        ("trial_date_moved", None, True),
        ("charged", None, False),
    ],
)
def test_what_counts_as_critical(type_, detail, critical):
    milestone = cases.Milestone(type=type_, detail=detail)
    assert updates.is_critical(milestone, TUESDAY_10) is critical


def test_the_victim_confirms_on_the_timeline(app):
    user, _case, milestone = critical_for()
    browser = app.test_client()
    sign_in(browser, user)
    link = db.session.scalar(
        select(cases.Milestone).where(cases.Milestone.id == milestone.id)
    ).case_id
    from app.cases.models import CaseVictim

    victim_link = db.session.scalar(select(CaseVictim).where(CaseVictim.case_id == link))
    url = f"/account/cases/{victim_link.public_id}"
    page = browser.get(url).get_data(as_text=True)
    assert "I have read this update" in page and "Important" in page
    response = post_form(browser, f"{url}/seen/{milestone.public_id}", {}, get_url=url)
    assert response.status_code == 302
    page = browser.get(response.location).get_data(as_text=True)
    assert "we have recorded that you have seen this update" in page.lower()
    assert "I have read this update" not in page
    assert escalate_unconfirmed(TUESDAY_10 + dt.timedelta(days=3)) == 0
    kinds = db.session.scalars(select(Notification.kind).where(Notification.channel == "webhook"))
    assert "update.confirmed" in set(kinds)
    # Another victim cannot confirm it for them.
    other = app.test_client()
    sign_in(other, create_user())
    assert (
        post_form(other, f"{url}/seen/{milestone.public_id}", {}, get_url="/account").status_code
        == 404
    )


def test_webhooks_are_signed_and_retried(app, client, receiver):
    from tests.factories import create_partner_client

    _user, case = victim()
    partner, secret = create_partner_client(agency=case.agency)
    token = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner.client_id, secret)
    ).json["access_token"]
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hub-alerts"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "wh-1"}
    registered = client.put("/api/v1/webhook", json={"url": url}, headers=headers)
    assert registered.status_code == 200
    signing_key = registered.json["secret"]
    assert signing_key.startswith("whsec_")
    replay = client.put("/api/v1/webhook", json={"url": url}, headers=headers)
    assert replay.json["secret"] is None
    assert client.get("/api/v1/webhook", headers=headers).json["url"] == url
    assert client.post("/api/v1/webhook/ping", headers=headers).status_code == 202

    receiver.answers = [500]  # the first try fails
    assert delivery.sweep() == {"pending": 1}
    ping = db.session.scalar(select(Notification).where(Notification.kind == "ping"))
    assert delivery.sweep(now=ping.not_before.replace(tzinfo=dt.UTC)) == {"sent": 1}
    first, second = receiver.seen
    assert first[1]["Hub-Delivery"] == second[1]["Hub-Delivery"] == ping.public_id
    path, sent_headers, body = second
    assert path == "/hub-alerts"
    assert webhooks.verify(signing_key, body, sent_headers["Hub-Signature"])
    assert not webhooks.verify("wrong", body, sent_headers["Hub-Signature"])
    assert not webhooks.verify(signing_key, body + b" ", sent_headers["Hub-Signature"])
    assert json.loads(body)["type"] == "ping"


def test_webhook_urls_are_checked():
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url("http://alerts.example.org/x", allow_private=False)
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url("https://127.0.0.1/x", allow_private=False)
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url("https://user:pw@alerts.example.org/x", allow_private=False)
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url("ftp://alerts.example.org/x", allow_private=True)
    assert webhooks.check_url("http://127.0.0.1:9/x", allow_private=True)


def test_a_signature_older_than_five_minutes_is_refused():
    header = webhooks.sign("k", b"{}", 1_000_000)
    assert webhooks.verify("k", b"{}", header, now=1_000_000 + 299)
    assert not webhooks.verify("k", b"{}", header, now=1_000_000 + 301)
    assert not webhooks.verify("k", b"{}", "garbage")


def test_the_outbox_counts_match_after_a_batch(client):
    """A batch with duplicates queues one message per victim per coalescing window."""
    user, case = victim(safe_days="mon,tue,wed,thu,fri,sat,sun", safe_from="00:00", safe_to="23:59")
    for n in range(3):
        cases.record_event(
            case.agency, case, {"id": f"B-{n}", "type": "charged", "occurred_at": utcnow()}
        )
        cases.record_event(
            case.agency, case, {"id": f"B-{n}", "type": "charged", "occurred_at": utcnow()}
        )
    db.session.commit()
    count = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id)
    )
    assert count in (1, 2)  # 2 only if the minute turned between the events


def test_navigators_see_and_close_tasks_and_each_look_is_audited(app):
    import pyotp

    from app.accounts.models import AuditEvent, Role

    user, _case, _milestone = critical_for()
    escalate_unconfirmed(TUESDAY_10 + dt.timedelta(days=2))
    secret = pyotp.random_base32()
    navigator = create_user(role=Role.NAVIGATOR, totp_secret=secret)
    browser = app.test_client()
    sign_in(browser, navigator, totp_secret=secret)
    page = browser.get("/navigator/tasks").get_data(as_text=True)
    assert "Has not confirmed an important update" in page and user.email in page
    assert "The offender was released" in page and "Monday" in page
    looked = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "navigator_tasks_viewed", AuditEvent.actor_id == navigator.id
        )
    )
    assert looked is not None
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.user_id == user.id))
    # A victim cannot close it.
    victim_browser = app.test_client()
    sign_in(victim_browser, user)
    response = post_form(
        victim_browser, f"/navigator/tasks/{task.public_id}/done", {}, get_url="/account"
    )
    assert response.status_code == 404
    response = post_form(
        browser, f"/navigator/tasks/{task.public_id}/done", {}, get_url="/navigator/tasks"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(NavigatorTask, task.id).status == "done"
    assert user.email not in browser.get("/navigator/tasks").get_data(as_text=True)


class Resolver:
    """socket.getaddrinfo for made-up names: each name's answers in turn (the last one repeats),
    as a DNS server rebinding a name between two look-ups would give them."""

    def __init__(self, monkeypatch, **answers: list[list[str]]):
        self.answers = {name.replace("_", "."): list(turns) for name, turns in answers.items()}
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in self.answers:
                return real(host, port, *args, **kwargs)
            self.asked.append(host)
            turns = self.answers[host]
            addresses = turns.pop(0) if len(turns) > 1 else turns[0]
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port or 0),
                )
                for a in addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture()
def connections(monkeypatch):
    """Where deliveries connect to, (host, port) each, refused (no packet leaves the machine)."""
    import urllib3.util.connection

    made: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        made.append(address[:2])
        raise ConnectionRefusedError(f"test: no connection to {address}")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return made


PUBLIC, PRIVATE = "93.184.215.14", "10.0.0.5"


def test_a_delivery_connects_to_the_address_it_checked(monkeypatch, connections):
    # The name answers a public address to the check, a private one to a second look-up (DNS
    # rebinding): the delivery must go to the public one, never resolving the name again.
    resolver = Resolver(monkeypatch, alerts_example_org=[[PUBLIC], [PRIVATE]])
    with pytest.raises(OSError):
        webhooks.post(
            "https://alerts.example.org/hub", "k", "d-1", {"type": "ping"}, allow_private=False
        )
    assert connections == [(PUBLIC, 443)]
    assert resolver.asked == ["alerts.example.org"]


def test_every_address_a_name_resolves_to_is_checked(monkeypatch, connections):
    Resolver(monkeypatch, mixed_example_org=[[PUBLIC, PRIVATE]])
    with pytest.raises(webhooks.WebhookRefused, match="private"):
        webhooks.post(
            "https://mixed.example.org/hub", "k", "d-1", {"type": "ping"}, allow_private=False
        )
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.10.1/hook",
        "https://[fe80::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://100.100.100.200/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "http://0.0.0.0:9/hook",
        "https://metadata.example.test/hook",  # a name for the metadata address
        "http://10.0.0.5/hook",  # plain http only to the loopback, even when testing
    ],
)
def test_outside_production_link_local_and_metadata_addresses_are_still_refused(
    monkeypatch, connections, url
):
    Resolver(monkeypatch, metadata_example_test=[["169.254.169.254"]])
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url(url, allow_private=True)
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.post(url, "k", "d-1", {"type": "ping"}, allow_private=True)
    assert connections == []


def test_outside_production_loopback_and_private_networks_may_be_used(monkeypatch):
    Resolver(monkeypatch, hooks_example_test=[["10.0.0.5"]])
    assert webhooks.check_url("http://127.0.0.1:9/x", allow_private=True)
    assert webhooks.check_url("http://[::1]:9/x", allow_private=True)
    assert webhooks.check_url("https://hooks.example.test/x", allow_private=True)
    with pytest.raises(webhooks.WebhookRefused, match="private"):
        webhooks.check_url("https://hooks.example.test/x", allow_private=False)


def test_a_delivery_keeps_the_urls_name_in_its_host_header(monkeypatch, receiver):
    # Resolved once (to the receiver on the loopback); a second look-up would answer the
    # metadata address.
    port = receiver.server_address[1]
    resolver = Resolver(monkeypatch, hooks_example_test=[["127.0.0.1"], ["169.254.169.254"]])
    url = f"http://hooks.example.test:{port}/hub-alerts?agency=1"
    webhooks.post(url, "k", "d-1", {"type": "ping"}, allow_private=True)
    [(path, headers, body)] = receiver.seen
    assert path == "/hub-alerts?agency=1"
    assert headers["Host"] == f"hooks.example.test:{port}"
    assert headers["Hub-Delivery"] == "d-1" and webhooks.verify("k", body, headers["Hub-Signature"])
    assert resolver.asked == ["hooks.example.test"]


def test_over_tls_the_name_is_sent_and_the_certificate_checked_for_it(
    monkeypatch, receiver, tmp_path
):
    """Connecting to an address must not mean checking the certificate against the address (or
    not at all): SNI carries the URL's name, and the certificate must be for that name."""
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.example.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.example.test")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    names_asked: list[str | None] = []
    context.sni_callback = lambda sock, server_name, ctx: names_asked.append(server_name)
    receiver.socket = context.wrap_socket(receiver.socket, server_side=True)
    monkeypatch.setattr(webhooks, "_ca_bundle", lambda: str(cert_file))
    Resolver(
        monkeypatch,
        hooks_example_test=[["127.0.0.1"]],
        impostor_example_test=[["127.0.0.1"]],
    )
    port = receiver.server_address[1]

    webhooks.post(f"https://hooks.example.test:{port}/tls", "k", "d-1", {}, allow_private=True)
    assert names_asked == ["hooks.example.test"]
    assert [path for path, _headers, _body in receiver.seen] == ["/tls"]
    # The same server under another name: its certificate is not for that name.
    with pytest.raises(ConnectionError) as refused:
        webhooks.post(
            f"https://impostor.example.test:{port}/tls", "k", "d-2", {}, allow_private=True
        )
    assert "doesn't match 'hooks.example.test'" in str(refused.value.__cause__)
    assert len(receiver.seen) == 1
