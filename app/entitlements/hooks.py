"""The entitlements in the running app: the rules loaded at start-up, every change to a case
evaluated again in the same transaction, and the alerts about duties due or overdue every quarter
of an hour."""

from __future__ import annotations

from flask import Flask
from huey import crontab

from app.cases.changes import on_change
from app.entitlements import alerts, service
from app.notify.worker import periodic


def init_app(app: Flask) -> None:
    service.load_rules_into(app)
    on_change(app, service.evaluate_cases)
    periodic("victims_code_alerts", crontab(minute="*/15"), alerts.run)
