"""How requests, referrals and their steps read, for victims and navigators alike: one place, so
the same status has the same words on every page. Keys are the values stored in the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Every status of the three machines in states.py (VPS, VRR, REFERRAL).
STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Sent"),
    "received": _l("Received by the agency"),
    "taken": _l("Statement taken"),
    "used_in_court": _l("Used in court"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
    "acknowledged": _l("Acknowledged"),
    "decision_upheld": _l("Decision upheld"),
    "decision_overturned": _l("Decision overturned"),
    "not_eligible": _l("Not eligible for review"),
    "requested": _l("Asked for"),
    "sent": _l("Sent to the service"),
    "accepted": _l("Accepted by the service"),
    "declined": _l("Declined by the service"),
    "contacted": _l("The service has contacted you"),
}

# The colour of each status's GOV.UK tag: blue (no modifier) while waiting on someone, green for
# a good end, grey for an end with nothing more to do, red or orange for an end worth a look.
TAG_CLASSES = {
    "draft": "govuk-tag--grey",
    "submitted": "",
    "received": "govuk-tag--light-blue",
    "taken": "govuk-tag--turquoise",
    "used_in_court": "govuk-tag--green",
    "closed": "govuk-tag--grey",
    "withdrawn": "govuk-tag--grey",
    "acknowledged": "govuk-tag--light-blue",
    "decision_upheld": "govuk-tag--green",
    "decision_overturned": "govuk-tag--green",
    "not_eligible": "govuk-tag--orange",
    "requested": "govuk-tag--yellow",
    "sent": "",
    "accepted": "govuk-tag--turquoise",
    "declined": "govuk-tag--red",
    "contacted": "govuk-tag--green",
}

KINDS = {
    "vps": _l("Victim Personal Statement"),
    "vrr": _l("Right to Review"),
    "referral": _l("Referral"),
    "message": _l("Message"),
    "task": _l("Task"),
}

# Who moved a request or a referral on (StatusChange.actor).
ACTORS = {
    "victim": _l("The victim"),
    "navigator": _l("A hub navigator"),
    "agency": _l("The agency"),
    "hub": _l("The hub"),
}

# How a referral reaches the service (Referral.channel).
CHANNELS = {
    "email": _l("Sent by secure e-mail"),
    "navigator": _l("Made by a hub navigator"),
}

# What the victim may choose to share with a service (referrals.FIELDS).
SHARED_FIELDS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "language": _l("Language"),
    "safe_times": _l("Safe times to contact"),
    "crime_type": _l("Type of crime"),
    "needs": _l("What they need help with"),
}

# A navigator's note of a call (CallRecord.outcome).
CALL_OUTCOMES = {
    "spoke": _l("Spoke to them"),
    "no_answer": _l("No answer"),
    "voicemail": _l("Left a voicemail"),
    "unsafe_to_talk": _l("It was not safe for them to talk"),
}


def status_word(status: str | None) -> str:
    """A status in words (the stored value itself if unknown)."""
    return str(STATUSES.get(status, status)) if status else "–"
