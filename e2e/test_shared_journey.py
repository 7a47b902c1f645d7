"""One journey, two agencies: the police (the Met, which also runs the Witness Care Unit) and the
CPS, joined by the URN, each post through the API with their own client; each reads the whole
journey; the victim reads one timeline, in English and Arabic on a phone, naming who sent each
update and saying what it was (the court, the date, the charges)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO, screenshot
from e2e.test_timeline import api, sign_in_as_demo_victim, token_for

POLICE = "Metropolitan Police Service (demo)"
CPS = "Crown Prosecution Service, London South (demo)"


@pytest.fixture(scope="module")
def posted(live_server: str) -> dict:
    police = token_for(live_server, DEMO["client_id"], DEMO["secret"])
    cps = token_for(live_server, DEMO["cps_client_id"], DEMO["cps_secret"])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    trial = (now + dt.timedelta(days=40)).date()
    hearing = api(
        live_server,
        "POST",
        "/api/v1/cases/DEMO-0001/events",
        {
            "id": f"e2e-hearing-{uuid.uuid4().hex[:6]}",
            "type": "hearing_details_received",
            "occurred_at": now.isoformat(),
            "detail": {
                "date": trial.isoformat(),
                "time": "10:00",
                "court": "Snaresbrook Crown Court",
                "hearing_type": "trial",
            },
        },
        police,
    )
    altered = api(
        live_server,
        "POST",
        "/api/v1/cases/CPS-DEMO-1/events",
        {
            "id": f"e2e-cps-{uuid.uuid4().hex[:6]}",
            "type": "charges_altered",
            "occurred_at": (now + dt.timedelta(seconds=1)).isoformat(),
            "detail": {"charges": ["Wounding with intent"]},
        },
        cps,
    )
    return {"police": police, "cps": cps, "hearing": hearing, "altered": altered, "trial": trial}


def test_each_agency_reads_the_whole_journey(live_server: str, posted: dict):
    assert posted["hearing"]["sent_by"]["name"] == POLICE
    assert posted["altered"]["sent_by"]["name"] == CPS
    journey = api(live_server, "GET", "/api/v1/cases/CPS-DEMO-1", token=posted["cps"])
    assert journey["reference"] == "CPS-DEMO-1" and journey["urn"] == "01MP0000001"
    assert {p["reference"] for p in journey["participants"]} == {"DEMO-0001", "CPS-DEMO-1"}
    senders = {m["id"]: m["sent_by"]["name"] for m in journey["timeline"]}
    assert senders[posted["hearing"]["id"]] == POLICE and senders[posted["altered"]["id"]] == CPS


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_victim_reads_one_timeline_naming_each_sender(
    page: Page, live_server: str, posted: dict, lang: str
):
    page.set_viewport_size({"width": 360, "height": 800})
    prefix = "" if lang == "en" else f"/{lang}"
    sign_in_as_demo_victim(page, live_server, prefix)
    page.goto(f"{live_server}{prefix}/account/cases")
    page.locator("#main-content a[href*='/account/cases/']").first.click()
    items = page.locator(".app-timeline__item")
    cps_item = items.filter(has_text="Wounding with intent")
    hearing = items.filter(has_text="Snaresbrook Crown Court").first
    expect(cps_item).to_contain_text(CPS)
    expect(hearing).to_contain_text(POLICE)
    if lang == "en":
        expect(hearing).to_contain_text(
            f"Trial at Snaresbrook Crown Court on {posted['trial'].strftime('%A')}"
        )
        expect(cps_item).to_contain_text("The charges are now: Wounding with intent")
    else:
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(hearing).not_to_contain_text("Trial at")  # the sentence itself is in Arabic
    screenshot(page, f"35-shared-journey-{lang}-360")
