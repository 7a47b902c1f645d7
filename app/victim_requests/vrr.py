"""The Victims' Right to Review: which decisions in a case qualify, which scheme (police or CPS)
reviews each, and by when the victim should ask. Plain Python.

The time limits are not written here: they are the rules file's VRR windows (the same ones the
victim's "Your rights in this case" page shows), counted by the working-day calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from app.core import vocabulary as v
from app.entitlements.engine import Milestone
from app.entitlements.rules import Anchor, Rule

POLICE, CPS = "police", "cps"
# The decision milestone -> the scheme that reviews it.
SCHEMES: Final = {v.NO_FURTHER_ACTION: POLICE, v.CHARGES_DROPPED: CPS}
WINDOW_RULES: Final = {POLICE: "r6-vrr-police-window", CPS: "r6-vrr-cps-window"}
PROMPT_RULES: Final = {CPS: "r6-vrr-cps-prompt"}


@dataclass(frozen=True)
class Decision:
    milestone_id: str
    decision: str  # the milestone type
    scheme: str  # police | cps
    decided_at: datetime | None
    eligible: bool
    why_not: str | None  # "not_interviewed" when a police decision does not qualify
    prompt_by: datetime | None  # CPS: ask by then for a prompt review
    last_by: datetime | None  # the end of the usual window

    def late(self, now: datetime) -> bool:
        return self.last_by is not None and now > self.last_by


def _due(rules: Sequence[Rule], rule_id: str | None, milestone: Milestone, enhanced: bool):
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None:
        return None
    start = (
        milestone.occurred_at or milestone.received_at
        if rule.deadline_from is Anchor.OCCURRED
        else milestone.received_at or milestone.occurred_at
    )
    deadline = rule.deadline(enhanced)
    return deadline.due(start) if deadline is not None and start is not None else None


def decisions(
    milestones: Sequence[Milestone], rules: Sequence[Rule], enhanced: bool | None
) -> list[Decision]:
    """Every reviewable decision in the case, latest first. A police decision not to charge
    qualifies only when a suspect was interviewed under caution (the police scheme's condition);
    it is listed anyway, as not eligible, so the page can explain what else the victim can do."""
    ordered = sorted(milestones, key=lambda m: (m.occurred_at or m.received_at, m.id))
    found = []
    interviewed = False
    for milestone in ordered:
        if milestone.type == v.SUSPECT_INTERVIEWED:
            interviewed = True
        scheme = SCHEMES.get(milestone.type)
        if scheme is None:
            continue
        eligible = scheme == CPS or interviewed
        found.append(
            Decision(
                milestone_id=milestone.id,
                decision=milestone.type,
                scheme=scheme,
                decided_at=milestone.occurred_at or milestone.received_at,
                eligible=eligible,
                why_not=None if eligible else "not_interviewed",
                # The VRR windows are the same with enhanced rights or without.
                prompt_by=_due(rules, PROMPT_RULES.get(scheme), milestone, bool(enhanced)),
                last_by=_due(rules, WINDOW_RULES[scheme], milestone, bool(enhanced)),
            )
        )
    return found[::-1]
