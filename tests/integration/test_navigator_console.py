"""The navigator console: one queue of requests, referrals, unanswered messages and tasks, with
filters and "assign to me"; a victim's page with everything the hub holds for them and what a
navigator can do (move a request or a referral on, chase the agency, reply, note a call); every
look and every action on the record; nobody else may see any of it."""

from __future__ import annotations

import datetime as dt
import uuid

import pyotp
import pytest
from sqlalchemy import func, select

from app.accounts.models import AuditEvent, Role
from app.cases.models import Milestone
from app.extensions import db
from app.navigator import console as desk
from app.notify.models import Notification
from app.tasks.models import NavigatorTask
from app.tasks.service import open_task
from app.victim_requests import messages, referrals, service
from app.victim_requests.models import CallRecord, Message, StatusChange, VictimRequest
from tests.factories import create_linked_case, create_user, csrf_token, post_form, sign_in
from tests.pages import check_page

pytestmark = pytest.mark.usefixtures("app_context")
PDF = b"%PDF-1.4\n% a test document\n"
NAVIGATOR_CHANNEL = "citizens-advice-witness-service"  # the hub has no referral address for it
HTMX = {"HX-Request": "true"}


def staff(app, role=Role.NAVIGATOR):
    secret = pyotp.random_base32()
    user = create_user(role=role, totp_secret=secret)
    browser = app.test_client()
    assert sign_in(browser, user, totp_secret=secret).status_code == 302
    return user, browser


def victim_with_everything():
    """A victim with a case (and a milestone), a sent VPS, a referral only a navigator can make,
    a message waiting for a reply, and an open task."""
    user = create_user()
    user.preferred_name = f"Amina {uuid.uuid4().hex[:4]}"
    user.phone = "07700 900982"
    user.safe_days, user.safe_from, user.safe_to = "tue,thu", "10:00", "14:00"
    case, link = create_linked_case(user=user)
    db.session.add(
        Milestone(
            case_id=case.id,
            agency_id=case.agency_id,
            agency_event_id=str(uuid.uuid4()),
            type="charged",
            occurred_at=dt.datetime.now(dt.UTC),
        )
    )
    request = service.start_draft(user, link, "vps")
    service.submit(request, user, PDF)
    item = referrals.service(NAVIGATOR_CHANNEL)
    referral = referrals.create(
        user, item, ["phone"], referrals.offered_values(user, None), "Help at court", case.id
    )
    messages.post_from_victim(user, "Is there any news?\nThank you")
    open_task(
        kind="contact_victim",
        reason="critical_update_unconfirmed",
        key=f"test:{uuid.uuid4()}",
        user_id=user.id,
        case_id=case.id,
    )
    db.session.commit()
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.user_id == user.id))
    return {"user": user, "case": case, "request": request, "referral": referral, "task": task}


def whole_queue(navigator, **filters):
    return desk.queue(navigator, limit=100_000, **filters)


def audit_count(action, actor, subject=None):
    query = select(func.count()).where(AuditEvent.action == action, AuditEvent.actor_id == actor.id)
    if subject is not None:
        query = query.where(AuditEvent.subject_id == subject.id)
    return db.session.scalar(query)


def victim_url(user):
    return f"/navigator/victims/{user.public_id}"


def test_the_queue_lists_each_kind_and_filters(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user = made["user"]
    mine = [i for i in whole_queue(navigator) if i.victim and i.victim.id == user.id]
    assert {i.kind for i in mine} == {"request", "referral", "message", "task"}
    by_kind = {i.kind: i for i in mine}
    assert by_kind["request"].public_id == made["request"].public_id
    assert by_kind["request"].status == "submitted" and by_kind["request"].what == "vps"
    assert by_kind["referral"].urgent and by_kind["referral"].what == NAVIGATOR_CHANNEL
    assert by_kind["message"].public_id == user.public_id
    assert by_kind["task"].what == "critical_update_unconfirmed"
    # Filters: one kind; assigned to nobody; to me (nothing yet).
    assert {i.kind for i in whole_queue(navigator, kind="request")} == {"request"}
    assert all(i.assigned is None for i in whole_queue(navigator, assigned="unassigned"))
    assert whole_queue(navigator, assigned="me") == []
    # Oldest first throughout.
    days = [i.order[0] for i in whole_queue(navigator)]
    assert days == sorted(days)
    # The page, with its filter form; each look is on the record.
    page = browser.get("/navigator")
    assert page.status_code == 200
    check_page(page.data)
    html = page.get_data(as_text=True)
    assert 'name="kind"' in html and 'name="assigned"' in html and "Filter" in html
    assert audit_count("navigator_console_viewed", navigator) == 1
    filtered = browser.get("/navigator?kind=message&assigned=unassigned").get_data(as_text=True)
    assert "Message from the victim" in filtered and "Victim Personal Statement" not in filtered


def test_drafts_final_items_and_answered_threads_are_not_in_the_queue(app):
    navigator, _browser = staff(app)
    made = victim_with_everything()
    user = made["user"]
    _case, link = create_linked_case(user=user)
    draft = service.start_draft(user, link, "vps")
    service.change_status(made["request"], "withdrawn", "victim", user=user)
    messages.post_from_navigator(navigator, user, "We are looking into it.")
    db.session.commit()
    ids = {i.public_id for i in whole_queue(navigator)}
    assert draft.public_id not in ids and made["request"].public_id not in ids
    assert user.public_id not in ids  # the thread was answered
    assert made["referral"].public_id in ids


def test_referrals_a_navigator_must_make_come_first_within_their_day(app):
    navigator, _browser = staff(app)
    made = victim_with_everything()
    other = victim_with_everything()
    by_email, by_navigator = other["referral"], made["referral"]
    by_email.channel = "email"
    day = dt.datetime(2001, 3, 6, tzinfo=dt.UTC)
    by_email.updated_at = day.replace(hour=9)  # older, the same day
    by_navigator.updated_at = day.replace(hour=15)
    db.session.commit()
    order = [i.public_id for i in whole_queue(navigator, kind="referral")]
    assert order.index(by_navigator.public_id) < order.index(by_email.public_id)
    for referral in (by_email, by_navigator):  # leave no ancient items at the queue's head
        referrals.change_status(referral, "withdrawn", "victim")
    db.session.commit()


def test_assign_to_me_for_each_kind(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user = made["user"]
    items = [
        ("request", made["request"].public_id),
        ("referral", made["referral"].public_id),
        ("message", user.public_id),
        ("task", made["task"].public_id),
    ]
    for kind, public_id in items:
        response = post_form(
            browser,
            "/navigator/assign",
            {"kind": kind, "id": public_id},
            get_url="/navigator?kind=task",
        )
        assert response.status_code == 302
        assert "done=assigned" in response.location
    mine = whole_queue(navigator, assigned="me")
    assert {(i.kind, i.public_id) for i in mine} == set(items)
    assert all(i.assigned.id == navigator.id for i in mine)
    # The thread's assignment is a standing note, never an open task on the task list.
    thread = desk.thread_task(user)
    assert thread.status == desk.THREAD and thread.assigned_to_id == navigator.id
    assert audit_count("navigator_assigned", navigator, user) == 4
    page = browser.get("/navigator?assigned=me&done=assigned").get_data(as_text=True)
    assert "Assigned to you." in page and user.email in page
    # Something that is not there (or not assignable) is not found.
    for kind, public_id in [("request", "nobodys-id-123"), ("elephant", user.public_id)]:
        response = post_form(
            browser, "/navigator/assign", {"kind": kind, "id": public_id}, get_url="/navigator"
        )
        assert response.status_code == 404


def test_htmx_gets_only_the_queue_block(app):
    _navigator, browser = staff(app)
    victim_with_everything()
    response = browser.get("/navigator?kind=request", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="queue">')
    assert "Victim Personal Statement" in html
    full = browser.get("/navigator").get_data(as_text=True)
    assert 'hx-get="/navigator"' in full and 'hx-target="#queue"' in full
    assert 'hx-push-url="true"' in full
    # Assigning with htmx answers with the updated block, not a redirect.
    made = victim_with_everything()
    token = csrf_token(full)
    response = browser.post(
        "/navigator/assign",
        headers=HTMX,
        data={
            "kind": "request",
            "id": made["request"].public_id,
            "filter_kind": "request",
            "filter_assigned": "me",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Assigned to you." in html and made["request"].reference in html


def test_the_victims_page_shows_everything_and_each_look_is_audited(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user, case = made["user"], made["case"]
    response = browser.get(victim_url(user))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    check_page(response.data)
    html = response.get_data(as_text=True)
    assert "Contact only by e-mail, on Tuesday, Thursday, between" in html
    assert "<bdi>10:00</bdi>" in html and "<bdi>14:00</bdi>" in html
    assert f"<bdi>{user.email}</bdi>" in html and "<bdi>07700 900982</bdi>" in html
    assert f"<bdi>{case.reference}</bdi>" in html and case.agency.name in html
    assert "Someone was charged" in html  # the case's latest milestones
    request = made["request"]
    assert f"<bdi>{request.reference}</bdi>" in html and "Victim Personal Statement" in html
    assert ">Sent</strong>" in html  # the status in words, as a tag
    assert f"/navigator/requests/{request.public_id}/document" in html
    assert '<option value="received">Received by the agency</option>' in html
    assert '<option value="taken">' not in html  # not a move a navigator may make from here
    assert "Chase the agency" in html
    referral = made["referral"]
    assert "Citizens Advice Witness Service" in html and "Made by a hub navigator" in html
    assert "<strong>Phone number:</strong> <bdi>07700 900982</bdi>" in html
    assert "Help at court" in html
    assert '<option value="sent">Sent to the service</option>' in html
    assert f"/navigator/referrals/{referral.public_id}/status" in html
    assert "Is there any news?<br>Thank you" in html
    assert 'name="body"' in html and "Up to 5,000 characters" in html
    for outcome in ("spoke", "no_answer", "voicemail", "unsafe_to_talk"):
        assert f'value="{outcome}"' in html
    assert "Has not confirmed an important update" in html  # the open task
    assert audit_count("navigator_victim_viewed", navigator, user) == 1
    browser.get(victim_url(user))
    assert audit_count("navigator_victim_viewed", navigator, user) == 2
    # Not a victim, or nobody: not found.
    assert browser.get(victim_url(navigator)).status_code == 404
    assert browser.get("/navigator/victims/nobodys-id-123").status_code == 404


def test_the_document_is_the_pdf_as_sent_audited_and_not_stored(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    request = made["request"]
    response = browser.get(f"/navigator/requests/{request.public_id}/document")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_count("navigator_request_document_viewed", navigator, made["user"]) == 1


def test_a_navigator_moves_a_request_on_and_an_illegal_move_is_an_error(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user, request = made["user"], made["request"]
    url = f"/navigator/requests/{request.public_id}/status"
    response = post_form(
        browser, url, {"status": "received", "note": "Phoned the unit"}, get_url=victim_url(user)
    )
    assert response.status_code == 302
    assert response.location.endswith(f"{victim_url(user)}?done=request_status#requests")
    db.session.expire_all()
    assert db.session.get(VictimRequest, request.id).status == "received"
    step = db.session.scalar(
        select(StatusChange)
        .where(StatusChange.subject == "request", StatusChange.subject_id == request.id)
        .order_by(StatusChange.id.desc())
    )
    assert (step.from_status, step.to_status, step.actor) == ("submitted", "received", "navigator")
    assert step.actor_user_id == navigator.id and step.note == "Phoned the unit"
    told = db.session.scalar(
        select(Notification).where(
            Notification.dedupe_key == f"request:{request.public_id}:received"
        )
    )
    assert told is not None and told.user_id == user.id and told.payload == {}
    assert audit_count("navigator_request_status", navigator, user) == 1
    page = browser.get(f"{victim_url(user)}?done=request_status").get_data(as_text=True)
    assert "status has been changed. The victim will see it" in page
    # "Used in court" cannot follow "received": the page again, with the error; nothing moved.
    response = post_form(
        browser, url, {"status": "used_in_court", "note": "Keep me"}, get_url=victim_url(user)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    check_page(response.data)
    assert "There is a problem" in html and "cannot go from" in html
    assert "<title>Error:" in html and "Keep me</textarea>" in html
    db.session.expire_all()
    assert db.session.get(VictimRequest, request.id).status == "received"
    # No status chosen; and with htmx, only the block comes back.
    response = browser.post(url, headers=HTMX, data={"status": "", "csrf_token": csrf_token(html)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="work">') and "Choose the new status" in html
    # What was posted is shown escaped.
    response = post_form(browser, url, {"status": "<b>odd</b>"}, get_url=victim_url(user))
    assert "&lt;b&gt;odd&lt;/b&gt;" in response.get_data(as_text=True)


def test_a_navigator_makes_a_referral_and_records_it(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    referral = made["referral"]
    response = post_form(
        browser,
        f"/navigator/referrals/{referral.public_id}/status",
        {"status": "sent"},
        get_url=victim_url(made["user"]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert referrals.by_public_id(referral.public_id).status == "sent"
    assert audit_count("navigator_referral_status", navigator, made["user"]) == 1
    response = post_form(
        browser,
        f"/navigator/referrals/{referral.public_id}/status",
        {"status": "sent"},
        get_url=victim_url(made["user"]),
    )
    assert response.status_code == 200 and "cannot go from" in response.get_data(as_text=True)


def test_chasing_the_agency_queues_a_signed_webhook_once_per_status(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    request, case = made["request"], made["case"]
    url = f"/navigator/requests/{request.public_id}/chase"
    response = post_form(browser, url, {}, get_url=victim_url(made["user"]))
    assert response.status_code == 302 and "done=chased" in response.location
    hook = db.session.scalar(
        select(Notification).where(
            Notification.channel == "webhook",
            Notification.agency_id == case.agency_id,
            Notification.kind == "request.chase",
        )
    )
    assert hook is not None
    assert hook.payload["data"]["request"] == request.public_id
    assert audit_count("navigator_request_chased", navigator, made["user"]) == 1
    response = post_form(browser, url, {}, get_url=victim_url(made["user"]))
    assert "done=chased_before" in response.location
    page = browser.get(response.location).get_data(as_text=True)
    assert "already chased" in page and "Agency chased" in page


def test_a_reply_is_sent_listed_and_a_bad_one_keeps_the_text(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user = made["user"]
    url = f"/navigator/victims/{user.public_id}/messages"
    response = post_form(
        browser, url, {"body": "We have asked the police.\r\nSpeak soon"}, get_url=victim_url(user)
    )
    assert response.status_code == 302 and response.location.endswith("#messages")
    reply = db.session.scalar(
        select(Message).where(Message.victim_id == user.id, Message.from_victim.is_(False))
    )
    assert reply.body == "We have asked the police.\nSpeak soon"
    assert reply.author_id == navigator.id
    page = browser.get(response.location).get_data(as_text=True)
    assert "We have asked the police.<br>Speak soon" in page and "Your reply has been sent" in page
    assert user.public_id not in {i.public_id for i in whole_queue(navigator, kind="message")}
    too_long = "x" * (messages.MAX_LENGTH + 1)
    response = post_form(browser, url, {"body": too_long}, get_url=victim_url(user))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "5,000 characters or fewer" in html
    assert f">{too_long}</textarea>" in html
    response = post_form(browser, url, {"body": "   "}, get_url=victim_url(user))
    assert "Enter your reply" in response.get_data(as_text=True)


def test_recording_a_call(app):
    navigator, browser = staff(app)
    made = victim_with_everything()
    user = made["user"]
    url = f"/navigator/victims/{user.public_id}/calls"
    response = post_form(
        browser,
        url,
        {"outcome": "unsafe_to_talk", "note": "Call back Thu"},
        get_url=victim_url(user),
    )
    assert response.status_code == 302 and response.location.endswith("#calls")
    call = db.session.scalar(select(CallRecord).where(CallRecord.victim_id == user.id))
    assert (call.outcome, call.note, call.navigator_id) == (
        "unsafe_to_talk",
        "Call back Thu",
        navigator.id,
    )
    page = browser.get(response.location).get_data(as_text=True)
    assert "It was not safe for them to talk" in page and "Call back Thu" in page
    assert audit_count("navigator_call_recorded", navigator, user) == 1
    response = post_form(
        browser, url, {"note": "No outcome"}, get_url=victim_url(user), headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert "Choose what happened on the call" in html and "No outcome</textarea>" in html
    assert html.lstrip().startswith('<section id="calls"')


def test_an_admin_may_use_the_console(app):
    _admin, browser = staff(app, Role.ADMIN)
    made = victim_with_everything()
    assert browser.get("/navigator").status_code == 200
    assert browser.get(victim_url(made["user"])).status_code == 200


@pytest.mark.parametrize("who", ["victim", "editor"])
def test_nobody_else_may_use_any_console_route(app, who):
    made = victim_with_everything()
    user, request = made["user"], made["request"]
    if who == "victim":
        browser = app.test_client()  # even about themselves
        sign_in(browser, user)
    else:
        _editor, browser = staff(app, Role.EDITOR)
    document = f"/navigator/requests/{request.public_id}/document"
    for url in ["/navigator", victim_url(user), document]:
        assert browser.get(url).status_code == 404, url
        assert "/account/sign-in" in app.test_client().get(url).location  # anonymous
    token = csrf_token(browser.get("/account").get_data(as_text=True))
    posts = {
        "/navigator/assign": {"kind": "request", "id": request.public_id},
        f"/navigator/requests/{request.public_id}/status": {"status": "received"},
        f"/navigator/requests/{request.public_id}/chase": {},
        f"/navigator/referrals/{made['referral'].public_id}/status": {"status": "sent"},
        f"/navigator/victims/{user.public_id}/messages": {"body": "Hello"},
        f"/navigator/victims/{user.public_id}/calls": {"outcome": "spoke"},
    }
    for url, data in posts.items():
        assert browser.post(url, data={**data, "csrf_token": token}).status_code == 404, url
        assert browser.get(url).status_code == 405, url
    db.session.expire_all()
    assert db.session.get(VictimRequest, request.id).status == "submitted"
    assert db.session.get(VictimRequest, request.id).assigned_to_id is None
