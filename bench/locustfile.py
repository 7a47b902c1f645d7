"""The load test's visitors (locust), run by bench/load.py against production mode:

- anonymous readers (most of the traffic): the home page, guidance pages in English and Arabic,
  the support directory, search;
- signed-in victims: their cases, a case's timeline and rights, their requests;
- agencies' case systems: events posted through the partner API, requests listed.

Each kind keeps its own pace, so the mix and the total rate are those bench/load.py states.
Sessions, the partner client and the case references come from bench/load.py in LOAD_DATA.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the
hub's two cores, and costs several times less CPU per request this way. It does not check the
production mode's self-signed certificate (its default).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime

from locust import FastHttpUser, constant_pacing, task

DATA = json.loads(open(os.environ["LOAD_DATA"]).read())  # noqa: SIM115 (read once at start)
COOKIE = DATA["cookie_name"]
SESSIONS = itertools.cycle(DATA["sessions"])
REFERENCES = DATA["references"]
GUIDANCE = [
    "/guidance/your-rights",
    "/guidance/after-you-report",
    "/guidance/going-to-court",
    "/guidance/victim-personal-statement",
    "/guidance/find-support",
    "/ar/guidance/your-rights",
    "/pl/guidance/going-to-court",
]
EVENTS = [
    "officer_assigned",
    "suspect_interviewed",
    "hearing_details_received",
    "trial_date_set",
    "witness_required",
    "vps_offered",
    "first_hearing",
]


class AnonymousReader(FastHttpUser):
    weight = int(os.environ.get("LOAD_READERS", "60"))
    wait_time = constant_pacing(1)  # one page a second each

    @task(6)
    def guidance(self) -> None:
        self.client.get(random.choice(GUIDANCE), name="anonymous: guidance page")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="anonymous: home")

    @task(1)
    def directory(self) -> None:
        self.client.get("/support-services?need=emotional", name="anonymous: support services")

    @task(1)
    def search(self) -> None:
        self.client.get("/search?q=court", name="anonymous: search")


class SignedInVictim(FastHttpUser):
    weight = int(os.environ.get("LOAD_VICTIMS", "30"))
    wait_time = constant_pacing(2)

    def on_start(self) -> None:
        token, self.case = next(SESSIONS)
        self.cookie = {"Cookie": f"{COOKIE}={token}"}

    @task(3)
    def timeline(self) -> None:
        self.client.get(
            f"/account/cases/{self.case}", name="victim: case timeline", headers=self.cookie
        )

    @task(1)
    def cases(self) -> None:
        self.client.get("/account/cases", name="victim: my cases", headers=self.cookie)

    @task(1)
    def rights(self) -> None:
        self.client.get(
            f"/account/cases/{self.case}/rights", name="victim: rights", headers=self.cookie
        )

    @task(1)
    def requests(self) -> None:
        self.client.get("/account/requests", name="victim: requests", headers=self.cookie)


class AgencySystem(FastHttpUser):
    weight = int(os.environ.get("LOAD_PARTNERS", "10"))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        answer = self.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(DATA["client_id"], DATA["secret"]),
            name="partner: token",
        )
        self.auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    @task(4)
    def event(self) -> None:
        reference = random.choice(REFERENCES)
        body = {
            "id": f"load-{uuid.uuid4().hex}",
            "type": random.choice(EVENTS),
            "occurred_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        self.client.post(
            f"/api/v1/cases/{reference}/events",
            json=body,
            headers=self.auth | {"Idempotency-Key": str(uuid.uuid4())},
            name="partner: post event",
        )

    @task(1)
    def requests(self) -> None:
        self.client.get(
            "/api/v1/requests?limit=20", headers=self.auth, name="partner: list requests"
        )
