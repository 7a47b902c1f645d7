"""Victims' Code entitlements: rules as data, a working-day calendar and a pure engine. No Flask.

Typical use (the rules are loaded once, at start-up, where a bad file must stop the app)::

    rules = load_rules()                       # content/victims-code/rules.yaml
    entitlements = evaluate(case_facts, milestones, rules, now)
"""

from app.core.vocabulary import DUTY_HOLDERS, MILESTONE_TYPES, OFFENCE_CATEGORIES, RIGHTS
from app.entitlements.calendar import (
    LONDON,
    NaiveDatetimeError,
    add_calendar_days,
    add_months,
    add_working_days,
    add_years,
    bank_holidays,
    is_working_day,
    last_working_day_on_or_before,
    next_working_day,
)
from app.entitlements.engine import (
    CaseFacts,
    Entitlement,
    Milestone,
    Status,
    evaluate,
    evaluate_for,
    rules_affected_by,
)
from app.entitlements.rules import (
    DEFAULT_RULES_PATH,
    Anchor,
    Deadline,
    Kind,
    Rule,
    RulesError,
    load_rules,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "DUTY_HOLDERS",
    "LONDON",
    "MILESTONE_TYPES",
    "OFFENCE_CATEGORIES",
    "RIGHTS",
    "Anchor",
    "CaseFacts",
    "Deadline",
    "Entitlement",
    "Kind",
    "Milestone",
    "NaiveDatetimeError",
    "Rule",
    "RulesError",
    "Status",
    "add_calendar_days",
    "add_months",
    "add_working_days",
    "add_years",
    "bank_holidays",
    "evaluate",
    "evaluate_for",
    "is_working_day",
    "last_working_day_on_or_before",
    "load_rules",
    "next_working_day",
    "rules_affected_by",
]
