"""A victim's requests through their account: a Victim Personal Statement over several pages
(saved on each, kept on error, too long refused with a count), sent as a PDF routed to the
agency; a Right to Review after a qualifying decision; a referral sharing only what was ticked;
messages; and nobody else seeing any of it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from app.cases.models import Milestone
from app.core.time import utcnow
from app.extensions import db
from app.notify.delivery import deliver
from app.notify.models import Notification
from app.tasks.models import NavigatorTask
from app.victim_requests import referrals, service, states
from app.victim_requests.models import Message, Referral, StatusChange, VictimRequest
from tests.factories import create_agency, create_linked_case, create_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture()
def victim(client):
    user = create_user()
    user.preferred_name = "Sam"
    case, link = create_linked_case(user=user)
    assert sign_in(client, user).status_code == 302
    return user, case, link


def _start_statement(client, link) -> str:
    response = post_form(
        client, f"/account/cases/{link.public_id}/statement", {}, get_url="/account/requests"
    )
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/statement/", 1)[0]


def _page(client, base: str, step: str, data: dict, **kwargs):
    return post_form(
        client, f"{base}/statement/{step}", data, get_url=f"{base}/statement/{step}", **kwargs
    )


def test_a_statement_over_several_pages_is_saved_checked_sent_and_downloaded(client, victim):
    user, case, link = victim
    base = _start_statement(client, link)
    assert _page(client, base, "new-or-update", {"kind": "make"}).status_code == 302
    response = _page(
        client,
        base,
        "physical",
        {"effects_physical": "I cannot sleep.\r\n\r\nMy arm still hurts.", "later": "1"},
    )
    assert (
        "/account/requests/" in response.headers["Location"]
        and "saved=1" in response.headers["Location"]
    )
    # Leave and come back: the draft holds what was typed, line ends normalised.
    item = db.session.scalar(select(VictimRequest).where(VictimRequest.user_id == user.id))
    assert item.status == "draft"
    assert item.answers["effects_physical"] == "I cannot sleep.\n\nMy arm still hurts."
    page = client.get(f"{base}/statement/physical")
    assert "My arm still hurts." in page.get_data(as_text=True)
    for step, data in [
        ("emotional", {"effects_emotional": "I am afraid to go out."}),
        ("financial", {"effects_financial": ""}),
        ("family", {"effects_family": "My children are worried."}),
        ("concerns", {"concerns": "He lives near me."}),
        ("reading", {"reading": "someone_else"}),
        ("court-support", {"court_support": "A screen, please."}),
        ("language", {"statement_language": "en", "interpreter": "no"}),
    ]:
        response = _page(client, base, step, data)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:500])
    assert response.headers["Location"].endswith("/statement/check-your-answers")
    check = client.get(f"{base}/statement/check-your-answers").get_data(as_text=True)
    assert "I am afraid to go out." in check and "Left empty" in check
    response = _page(client, base, "check-your-answers", {})
    assert response.status_code == 302 and "sent=1" in response.headers["Location"]
    db.session.expire_all()
    assert item.status == "submitted" and item.agency_id == case.agency_id
    history = db.session.scalars(
        select(StatusChange).where(
            StatusChange.subject_id == item.id, StatusChange.subject == "request"
        )
    ).all()
    assert [h.to_status for h in history] == ["draft", "submitted"]
    # The agency is told, by webhook and a detail-free e-mail, in the same transaction.
    kinds = set(
        db.session.scalars(
            select(Notification.kind).where(Notification.agency_id == case.agency_id)
        )
    )
    assert "request.submitted" in kinds
    pdf = client.get(f"/account/requests/{item.public_id}/document")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "My children are worried." in text and item.reference in text
    assert case.reference in text
    # Sent: the question pages now lead to the request's page; nothing can be changed.
    assert client.get(f"{base}/statement/physical").status_code == 302


def test_a_too_long_statement_is_refused_with_a_count_and_nothing_is_lost(client, victim):
    _user, _case, link = victim
    base = _start_statement(client, link)
    _page(client, base, "physical", {"effects_physical": "a" * 15_000})
    response = _page(client, base, "emotional", {"effects_emotional": "b" * 5_500})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your statement is 500 characters too long" in html
    assert "b" * 5_500 in html  # what was typed is shown again
    assert "<title>Error:" in html
    assert _page(client, base, "emotional", {"effects_emotional": "b" * 5_000}).status_code == 302


def test_a_statement_with_nothing_said_cannot_be_sent(client, victim):
    _user, _case, link = victim
    base = _start_statement(client, link)
    html = _page(client, base, "check-your-answers", {}).get_data(as_text=True)
    assert "Tell us how the crime has affected you" in html
    assert "Choose how you would like your statement used in court" in html


def test_bad_choices_keep_the_page_with_an_error(client, victim):
    _user, _case, link = victim
    base = _start_statement(client, link)
    html = _page(client, base, "reading", {"reading": "loudly"}).get_data(as_text=True)
    assert "Choose how you would like your statement used in court" in html
    html = _page(
        client, base, "language", {"statement_language": "xx", "interpreter": "yes"}
    ).get_data(as_text=True)
    assert "Choose the language of your statement" in html
    assert re.search(r'value="yes"\s+checked', html)


def _decision(case, type_, days_ago, **kwargs):
    when = utcnow() - dt.timedelta(days=days_ago)
    row = Milestone(
        case_id=case.id,
        agency_id=case.agency_id,
        agency_event_id=f"e-{type_}",
        type=type_,
        occurred_at=when,
        received_at=when,
        **kwargs,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_review_after_a_decision_not_to_charge(client, victim):
    user, case, link = victim
    page = client.get(f"/account/cases/{link.public_id}/review").get_data(as_text=True)
    assert "There is no decision in your case that can be reviewed" in page
    _decision(case, "suspect_interviewed", 20)
    nfa = _decision(case, "no_further_action", 3)
    page = client.get(f"/account/cases/{link.public_id}/review").get_data(as_text=True)
    assert "The police decided not to charge the suspect" in page and "Ask by" in page
    url = f"/account/cases/{link.public_id}/review"
    response = post_form(client, url, {"decision": str(nfa.id)}, get_url=url)
    assert response.status_code == 302
    base = response.headers["Location"].rsplit("/review/", 1)[0]
    html = post_form(
        client, f"{base}/review/reasons", {"reasons": "  "}, get_url=f"{base}/review/reasons"
    ).get_data(as_text=True)
    assert "Tell us why you think the decision was wrong" in html
    post_form(
        client,
        f"{base}/review/reasons",
        {"reasons": "The CCTV was not looked at."},
        get_url=f"{base}/review/reasons",
    )
    post_form(
        client, f"{base}/review/contact", {"contact": "email"}, get_url=f"{base}/review/contact"
    )
    response = post_form(
        client, f"{base}/review/check-your-answers", {}, get_url=f"{base}/review/check-your-answers"
    )
    assert response.status_code == 302
    item = db.session.scalar(
        select(VictimRequest).where(VictimRequest.kind == "vrr", VictimRequest.user_id == user.id)
    )
    assert item.status == "submitted" and item.scheme == "police"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(item.document)).pages)
    assert "The CCTV was not looked at." in text


def test_a_police_decision_without_an_interview_does_not_qualify(client, victim):
    _user, case, link = victim
    nfa = _decision(case, "no_further_action", 3)
    url = f"/account/cases/{link.public_id}/review"
    page = client.get(url).get_data(as_text=True)
    assert "nobody was interviewed under caution" in page
    assert post_form(client, url, {"decision": str(nfa.id)}, get_url=url).status_code == 400


def test_a_cps_decision_routes_to_the_cps_when_there_is_one(client, victim):
    """To the CPS taking part in the journey; a CPS elsewhere in the hub is not this case's."""
    from app.cases.models import Participant

    user, case, link = victim
    create_agency(name="CPS Elsewhere", kind="cps")  # registered, but not on this journey
    cps = create_agency(name="CPS London", kind="cps")
    db.session.add(Participant(case_id=case.id, agency_id=cps.id, reference="CPS-1"))
    db.session.commit()
    dropped = _decision(case, "charges_dropped", 1)
    url = f"/account/cases/{link.public_id}/review"
    page = client.get(url).get_data(as_text=True)
    assert "For a quick review, ask by" in page
    base = (
        post_form(client, url, {"decision": str(dropped.id)}, get_url=url)
        .headers["Location"]
        .rsplit("/review/", 1)[0]
    )
    post_form(
        client,
        f"{base}/review/reasons",
        {"reasons": "He was seen."},
        get_url=f"{base}/review/reasons",
    )
    post_form(
        client, f"{base}/review/contact", {"contact": "account"}, get_url=f"{base}/review/contact"
    )
    post_form(
        client, f"{base}/review/check-your-answers", {}, get_url=f"{base}/review/check-your-answers"
    )
    item = db.session.scalar(select(VictimRequest).where(VictimRequest.user_id == user.id))
    assert item.scheme == "cps" and item.agency_id == cps.id


def test_another_victim_sees_none_of_it_and_a_lost_case_is_explained(app, client, victim):
    _user, _case, link = victim
    base = _start_statement(client, link)
    item_id = base.rsplit("/", 1)[1]
    other = app.test_client()
    stranger = create_user()
    sign_in(other, stranger)
    for url in (
        f"/account/requests/{item_id}",
        f"{base}/statement/physical",
        f"/account/requests/{item_id}/document",
    ):
        assert other.get(url).status_code == 404, url
    assert (
        post_form(
            other, f"/account/cases/{link.public_id}/statement", {}, get_url="/account/requests"
        ).status_code
        == 404
    )
    # The case leaves the victim's account: the draft is refused, and the page says why.
    link.user_id = None
    db.session.commit()
    response = client.get(f"{base}/statement/physical")
    assert response.status_code == 403
    assert "You no longer have access to this case" in response.get_data(as_text=True)


def test_a_referral_shares_only_the_ticked_fields_and_is_emailed(app, client, victim, mail_sink):
    user, _case, link = victim
    user.phone = "07700 900123"
    db.session.commit()
    chooser = client.get("/account/referrals/new").get_data(as_text=True)
    assert "Victim Support" in chooser and "Samaritans" not in chooser  # people call those
    url = "/account/referrals/new?service=victim-support"
    html = post_form(client, url, {"share": ["name"]}, get_url=url).get_data(as_text=True)
    assert "Choose at least one way for the service to contact you" in html
    response = post_form(
        client,
        url,
        {"share": ["phone", "name"], "case": link.public_id, "needs": "Someone to talk to"},
        get_url=url,
    )
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral).where(Referral.user_id == user.id))
    assert referral.shared == {
        "phone": "07700 900123",
        "name": "Sam",
        "needs": "Someone to talk to",
    }
    assert "email" not in referral.shared and referral.channel == "email"
    note = db.session.scalar(select(Notification).where(Notification.kind == "referral"))
    assert note.payload == {"referral": referral.public_id}  # nothing personal in the outbox
    assert deliver(note.id) == "sent"
    (mail,) = mail_sink()
    assert mail["To"] == "referrals@victim-support.example"
    body = mail.get_content()
    assert "07700 900123" in body and "Someone to talk to" in body and user.email not in body
    db.session.expire_all()
    assert referral.status == "sent"
    assert deliver(note.id) == "skipped"  # sent once


def test_a_referral_to_a_service_without_an_address_waits_for_a_navigator(app, client, victim):
    user, _case, _link = victim
    url = "/account/referrals/new?service=survivors-uk"
    assert post_form(client, url, {"share": ["email"]}, get_url=url).status_code == 302
    referral = db.session.scalar(select(Referral).where(Referral.user_id == user.id))
    assert referral.channel == "navigator" and referral.status == "requested"
    referrals.change_status(referral, "sent", states.NAVIGATOR)
    db.session.commit()
    page = client.get(f"/account/referrals/{referral.public_id}").get_data(as_text=True)
    assert "Sent to the service" in page


def test_messages_and_a_not_told_report(client, victim):
    user, case, link = victim
    html = post_form(
        client, "/account/messages", {"form": "message", "body": " "}, get_url="/account/messages"
    ).get_data(as_text=True)
    assert "Enter your message" in html
    post_form(
        client,
        "/account/messages",
        {"form": "message", "body": "Hello, is anyone there?"},
        get_url="/account/messages",
    )
    post_form(
        client,
        "/account/messages",
        {"form": "not_told", "about": "Nobody told me about the bail.", "case": link.public_id},
        get_url="/account/messages",
    )
    bodies = [
        m.body for m in db.session.scalars(select(Message).where(Message.victim_id == user.id))
    ]
    assert bodies == ["Hello, is anyone there?", "Nobody told me about the bail."]
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.user_id == user.id))
    assert task.reason == "victim_not_told" and task.case_id == case.id
    # Stored encrypted: the database holds no readable message.
    raw = db.session.execute(text("SELECT body FROM message")).scalars().all()
    assert raw and not any("anyone there" in str(value) for value in raw)


def test_a_navigator_status_change_reaches_the_victim(client, victim):
    user, _case, link = victim
    item = service.start_draft(user, link, "vps")
    service.submit(item, user, b"%PDF-1.4 test")
    service.change_status(item, "received", states.NAVIGATOR)
    db.session.commit()
    page = client.get(f"/account/requests/{item.public_id}").get_data(as_text=True)
    assert "Received by the agency" in page
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == user.id, Notification.dedupe_key.like("request:%")
        )
    )
    with pytest.raises(states.IllegalTransition):
        service.change_status(item, "used_in_court", states.VICTIM)


def test_another_victim_cannot_see_or_cancel_a_referral(app, client, victim):
    user, _case, _link = victim
    url = "/account/referrals/new?service=galop"
    assert post_form(client, url, {"share": ["email"]}, get_url=url).status_code == 302
    referral = db.session.scalar(select(Referral).where(Referral.user_id == user.id))
    other = app.test_client()
    sign_in(other, create_user())
    assert other.get(f"/account/referrals/{referral.public_id}").status_code == 404
    response = post_form(
        other, f"/account/referrals/{referral.public_id}/withdraw", {}, get_url="/account/requests"
    )
    assert response.status_code == 404
    assert "galop" not in other.get("/account/requests").get_data(as_text=True).lower()
    db.session.expire_all()
    assert referral.status == "requested"
