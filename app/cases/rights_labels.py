"""How each Victims' Code entitlement reads to the victim: what they should be told or offered,
or what they can do and by when. Written for the victim ("you"); the rules file's `duty` is the
agency's wording."""

from flask_babel import lazy_gettext as _l

RIGHTS = {
    "r3-written-confirmation": _l(
        "Written confirmation of the crime you reported, with a crime reference number and how to contact the officer"
    ),
    "r4-needs-assessment": _l(
        "An assessment of what support you need, and whether you have enhanced rights"
    ),
    "r4-support-referral": _l("To be referred to a support service, unless you say no"),
    "r6-suspect-arrested": _l("To be told that someone was arrested"),
    "r6-suspect-interviewed": _l("To be told that a suspect was interviewed"),
    "r6-released-without-charge": _l(
        "To be told that the suspect was released without charge, and why"
    ),
    "r6-released-on-bail": _l(
        "To be told that the suspect was released on bail, and about any conditions that protect you"
    ),
    "r6-released-under-investigation": _l(
        "To be told that the suspect was released while the police investigate, and why"
    ),
    "r6-bail-conditions-changed": _l(
        "To be told that the suspect's bail conditions changed, and why"
    ),
    "r6-not-investigated": _l(
        "An explanation of why the crime will not be investigated, and an offer of support"
    ),
    "r6-charged": _l("To be told that someone was charged, and with what"),
    "r6-out-of-court-disposal": _l("To be told that the case was dealt with out of court, and why"),
    "r6-charges-dropped": _l(
        "To be told that the charges were dropped, why, and how to ask for a review"
    ),
    "r6-charges-altered": _l("To be told that the charges were changed a lot, and why"),
    "r6-vrr-cps-prompt": _l(
        "You can ask the CPS to look again at its decision to stop the case: ask by this date for a quick review"
    ),
    "r6-vrr-cps-window": _l("You can ask the CPS to look again at its decision to stop the case"),
    "r6-vrr-police-window": _l(
        "You can ask the police to look again at their decision not to charge"
    ),
    "r7-vps-offer": _l("To be offered the chance to make a Victim Personal Statement"),
    "r8-hearing-details": _l("To be told the time, date and place of the court hearing"),
    "r8-bail-or-warrant-outcome": _l("To be told what the court decided about bail"),
    "r8-witness-required": _l(
        "To be told if you are needed as a witness, and offered support at court"
    ),
    "r9-verdict": _l("To be told the verdict"),
    "r9-sentence": _l("To be told the sentence and what it means"),
    "r9-appeal": _l("To be told about an appeal and its outcome"),
    "r9-uls-window": _l(
        "You can ask for a sentence you think is too low to be reviewed (Unduly Lenient Sentence scheme)"
    ),
    "r11-vcs-referral": _l(
        "To be told about the Victim Contact Scheme and referred to it, unless you say no"
    ),
    "r11-vlo-contact": _l(
        "To be contacted by a Victim Liaison Officer about the Victim Contact Scheme"
    ),
    "r5-cica-window": _l("You can apply for criminal injuries compensation"),
    "r5-cica-window-child": _l(
        "You can apply for criminal injuries compensation (longer time limit for people under 18 at the time)"
    ),
    "r12-complaint-acknowledged": _l(
        "Your complaint to be acknowledged, with a date for a full reply"
    ),
}
