"""Where a request or a referral can go next, and who may move it: plain data, no Flask.

A navigator may record anything an agency or a service could (they often hear it by phone); a
victim moves only their own things (submit, withdraw); the hub itself sends referrals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

VICTIM, NAVIGATOR, AGENCY, HUB = "victim", "navigator", "agency", "hub"
STAFF = frozenset({NAVIGATOR, AGENCY})


class IllegalTransition(ValueError):
    def __init__(self, machine: str, current: str, target: str, actor: str) -> None:
        super().__init__(f"{machine}: {actor} may not move {current!r} to {target!r}")
        self.current, self.target, self.actor = current, target, actor


@dataclass(frozen=True)
class Machine:
    name: str
    # current status -> next status -> who may make that move
    moves: Mapping[str, Mapping[str, frozenset[str]]]
    final: frozenset[str]

    @property
    def statuses(self) -> tuple[str, ...]:
        seen = dict.fromkeys(self.moves)
        for targets in self.moves.values():
            seen.update(dict.fromkeys(targets))
        return tuple(seen)

    def check(self, current: str, target: str, actor: str) -> None:
        """Raise IllegalTransition unless `actor` may move `current` to `target`."""
        if actor not in self.moves.get(current, {}).get(target, frozenset()):
            raise IllegalTransition(self.name, current, target, actor)

    def next_for(self, current: str, actor: str) -> list[str]:
        """The statuses `actor` may move `current` to, in the machine's order."""
        return [t for t, who in self.moves.get(current, {}).items() if actor in who]

    def is_open(self, status: str) -> bool:
        return status not in self.final


def _only(*actors: str) -> frozenset[str]:
    return frozenset(actors)


VPS: Final = Machine(
    "vps",
    {
        "draft": {"submitted": _only(VICTIM)},
        "submitted": {"received": STAFF, "withdrawn": _only(VICTIM, NAVIGATOR)},
        "received": {"taken": STAFF, "withdrawn": _only(VICTIM, NAVIGATOR)},
        "taken": {"used_in_court": STAFF, "closed": STAFF},
    },
    final=frozenset({"used_in_court", "closed", "withdrawn"}),
)

VRR: Final = Machine(
    "vrr",
    {
        "draft": {"submitted": _only(VICTIM)},
        "submitted": {
            "acknowledged": STAFF,
            "not_eligible": STAFF,
            "withdrawn": _only(VICTIM, NAVIGATOR),
        },
        "acknowledged": {
            "decision_upheld": STAFF,
            "decision_overturned": STAFF,
            "not_eligible": STAFF,
            "withdrawn": _only(VICTIM, NAVIGATOR),
        },
    },
    final=frozenset({"decision_upheld", "decision_overturned", "not_eligible", "withdrawn"}),
)

REFERRAL: Final = Machine(
    "referral",
    {
        "requested": {"sent": _only(HUB, NAVIGATOR), "withdrawn": _only(VICTIM, NAVIGATOR)},
        "sent": {
            "accepted": STAFF,
            "declined": STAFF,
            "withdrawn": _only(VICTIM, NAVIGATOR),
        },
        "accepted": {"contacted": STAFF, "closed": STAFF},
        "contacted": {"closed": STAFF},
    },
    final=frozenset({"declined", "closed", "withdrawn"}),
)

MACHINES: Final = {"vps": VPS, "vrr": VRR, "referral": REFERRAL}
