"""A victim's record page in the navigator console costs a fixed number of SQL statements, however
many cases, milestones, requests, referrals, messages, calls and tasks the victim has."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from app.accounts.models import Role, User
from app.cases.models import Milestone
from app.extensions import db
from app.navigator import console as desk
from app.tasks.service import open_task
from app.victim_requests import messages, referrals, service, states
from tests.factories import create_agency, create_linked_case, create_user
from tests.integration.test_navigator_console import NAVIGATOR_CHANNEL, PDF, staff

pytestmark = pytest.mark.usefixtures("app_context")

MAX_STATEMENTS = 20  # the page's whole request (16): session, user, audit row and commit included


def victim_with(count: int, navigators: list[User]) -> User:
    """A victim with `count` of each kind: cases (each from its own agency, each with `count`
    milestones), sent requests (each moved on by a navigator and assigned), referrals, messages
    (theirs and navigators' replies), calls and open tasks."""
    user = create_user()
    now = dt.datetime.now(dt.UTC)
    for i in range(count):
        case, link = create_linked_case(user=user, agency=create_agency(name=f"Agency {i}"))
        db.session.add_all(
            Milestone(
                case_id=case.id,
                agency_id=case.agency_id,
                agency_event_id=str(uuid.uuid4()),
                type="charged",
                occurred_at=now - dt.timedelta(days=j),
            )
            for j in range(count)
        )
        request = service.start_draft(user, link, "vps")
        service.submit(request, user, PDF)
        navigator = navigators[i % len(navigators)]
        service.change_status(request, "received", states.NAVIGATOR, user=navigator)
        request.assigned_to_id = navigator.id
        offered = referrals.offered_values(user, None)
        referral = referrals.create(
            user, referrals.service(NAVIGATOR_CHANNEL), ["phone"], offered, "Help", case.id
        )
        referral.assigned_to_id = navigator.id
        referrals.change_status(referral, "sent", states.NAVIGATOR, user=navigator)
        if i % 2:
            messages.post_from_navigator(navigator, user, f"Reply {i}")
        else:
            messages.post_from_victim(user, f"Question {i}")
        desk.record_call(navigator, user, "spoke", f"Call {i}")
        open_task(
            kind="contact_victim",
            reason="critical_update_unconfirmed",
            key=f"test:{uuid.uuid4()}",
            user_id=user.id,
            case_id=case.id,
        )
        db.session.commit()
    return user


@contextlib.contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for_record(browser, victim: User) -> list[str]:
    url = f"/navigator/victims/{victim.public_id}"
    browser.get(url)  # a first look: whatever is loaded once per process is loaded now
    with counting_statements() as statements:
        response = browser.get(url)
    assert response.status_code == 200
    return statements


def test_the_victims_record_costs_the_same_statements_for_1_or_10_of_each_kind(app):
    navigator, browser = staff(app)
    others = [create_user(role=Role.NAVIGATOR) for _ in range(2)]
    one = statements_for_record(browser, victim_with(1, [navigator, *others]))
    ten = statements_for_record(browser, victim_with(10, [navigator, *others]))
    assert len(one) == len(ten), "\n".join(ten)
    assert len(ten) <= MAX_STATEMENTS, "\n".join(ten)
