"""The closed vocabularies the entitlements engine speaks: case milestone types, agency (duty
holder) types, offence categories and the twelve rights of the Victims' Code.

The cases capability imports these to refuse an event with an unknown type at the API boundary, and
the rules file is validated against them at load, so a typo can never silently disable a duty.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# --- Case milestone types -------------------------------------------------------------------------
REPORTED: Final = "reported"
CRIME_REFERENCE_ISSUED: Final = "crime_reference_issued"
OFFICER_ASSIGNED: Final = "officer_assigned"
NEEDS_ASSESSMENT_DONE: Final = "needs_assessment_done"
REFERRAL_OFFERED: Final = "referral_offered"
SUSPECT_ARRESTED: Final = "suspect_arrested"
SUSPECT_INTERVIEWED: Final = "suspect_interviewed"
RELEASED_ON_BAIL: Final = "released_on_bail"
RELEASED_UNDER_INVESTIGATION: Final = "released_under_investigation"
BAIL_CONDITIONS_CHANGED: Final = "bail_conditions_changed"
DECISION_NOT_TO_INVESTIGATE: Final = "decision_not_to_investigate"
NO_FURTHER_ACTION: Final = "no_further_action"
CHARGED: Final = "charged"
OUT_OF_COURT_DISPOSAL: Final = "out_of_court_disposal"
CHARGES_ALTERED: Final = "charges_altered"
CHARGES_DROPPED: Final = "charges_dropped"
HEARING_DETAILS_RECEIVED: Final = "hearing_details_received"
FIRST_HEARING: Final = "first_hearing"
PLEA: Final = "plea"
TRIAL_DATE_SET: Final = "trial_date_set"
TRIAL_DATE_MOVED: Final = "trial_date_moved"
WITNESS_REQUIRED: Final = "witness_required"
BAIL_OR_WARRANT_OUTCOME: Final = "bail_or_warrant_outcome"
VERDICT: Final = "verdict"
SENTENCE: Final = "sentence"
APPEAL: Final = "appeal"
OFFENDER_RELEASED: Final = "offender_released"
OFFENDER_ESCAPED: Final = "offender_escaped"
CASE_CLOSED: Final = "case_closed"
COMPLAINT_RECEIVED: Final = "complaint_received"
VPS_OFFERED: Final = "vps_offered"
VCS_REFERRAL_MADE: Final = "vcs_referral_made"
VLO_CONTACT_MADE: Final = "vlo_contact_made"
INFORMATION_DELIVERED: Final = "information_delivered"

# One line of plain English per type: shown to navigators and used in the API documentation.
MILESTONE_TYPES: Final = MappingProxyType(
    {
        REPORTED: "The crime was reported to the police.",
        CRIME_REFERENCE_ISSUED: "The police gave the victim written confirmation and a crime "
        "reference number.",
        OFFICER_ASSIGNED: "A police officer was assigned to the case and their contact details "
        "given.",
        NEEDS_ASSESSMENT_DONE: "The victim's needs (and eligibility for enhanced rights) were "
        "assessed.",
        REFERRAL_OFFERED: "The victim was referred, or offered a referral, to a support service.",
        SUSPECT_ARRESTED: "A suspect was arrested.",
        SUSPECT_INTERVIEWED: "A suspect was interviewed under caution.",
        RELEASED_ON_BAIL: "The suspect was released on police bail.",
        RELEASED_UNDER_INVESTIGATION: "The suspect was released under investigation, without bail.",
        BAIL_CONDITIONS_CHANGED: "The suspect's police bail conditions were changed or cancelled.",
        DECISION_NOT_TO_INVESTIGATE: "The police decided not to investigate the crime.",
        NO_FURTHER_ACTION: "A decision not to charge: the suspect was released without charge.",
        CHARGED: "The suspect was charged.",
        OUT_OF_COURT_DISPOSAL: "The case was dealt with out of court (for example a caution).",
        CHARGES_ALTERED: "The CPS substantially altered the charges.",
        CHARGES_DROPPED: "The CPS dropped the charges (discontinued or offered no evidence).",
        HEARING_DETAILS_RECEIVED: "The Witness Care Unit received the time, date and place of a "
        "hearing.",
        FIRST_HEARING: "The first court hearing took place.",
        PLEA: "The defendant entered a plea.",
        TRIAL_DATE_SET: "A trial date was set.",
        TRIAL_DATE_MOVED: "The trial date was moved.",
        WITNESS_REQUIRED: "The victim is required to give evidence.",
        BAIL_OR_WARRANT_OUTCOME: "A court bail decision was made, or an arrest warrant issued or "
        "executed.",
        VERDICT: "The court reached a verdict.",
        SENTENCE: "The offender was sentenced.",
        APPEAL: "An appeal against conviction or sentence was lodged or decided.",
        OFFENDER_RELEASED: "The offender was released from custody.",
        OFFENDER_ESCAPED: "The offender escaped or absconded from custody.",
        CASE_CLOSED: "The case was closed.",
        COMPLAINT_RECEIVED: "A service provider received the victim's complaint.",
        VPS_OFFERED: "The victim was offered the chance to make a Victim Personal Statement.",
        VCS_REFERRAL_MADE: "The victim was referred to the Probation Victim Contact Scheme.",
        VLO_CONTACT_MADE: "A Victim Liaison Officer contacted the victim.",
        INFORMATION_DELIVERED: "The victim was told something a duty requires; carries the id of "
        "the duty it discharges.",
    }
)

# --- Duty holders (agency types) ------------------------------------------------------------------
POLICE: Final = "police"
WCU: Final = "wcu"
CPS: Final = "cps"
COURT: Final = "court"
PROBATION: Final = "probation"
CICA: Final = "cica"
ANY: Final = "any"

DUTY_HOLDERS: Final = MappingProxyType(
    {
        POLICE: "The police force investigating the crime.",
        WCU: "The Witness Care Unit (police and CPS) managing victims and witnesses after charge.",
        CPS: "The Crown Prosecution Service.",
        COURT: "HM Courts and Tribunals Service.",
        PROBATION: "The Probation Service (HM Prison and Probation Service).",
        CICA: "The Criminal Injuries Compensation Authority.",
        ANY: "Whichever service provider the duty or request concerns.",
    }
)

# --- Offence categories ---------------------------------------------------------------------------
# Only the classification the rules need: the Victim Contact Scheme turns on whether the offence is
# a specified violent or sexual offence. Richer crime types belong to the cases capability.
VIOLENT: Final = "violent"
SEXUAL: Final = "sexual"
OTHER: Final = "other"

OFFENCE_CATEGORIES: Final = MappingProxyType(
    {
        VIOLENT: "A specified violent offence.",
        SEXUAL: "A specified sexual offence.",
        OTHER: "Any other offence.",
    }
)

# --- The twelve rights of the Victims' Code (2021 edition) ----------------------------------------
RIGHTS: Final = MappingProxyType(
    {
        1: "To be able to understand and to be understood",
        2: "To have the details of the crime recorded without unjustified delay",
        3: "To be provided with information when reporting the crime",
        4: "To be referred to services that support victims and have services and support "
        "tailored to your needs",
        5: "To be provided with information about compensation",
        6: "To be provided with information about the investigation and prosecution",
        7: "To make a Victim Personal Statement",
        8: "To be given information about the trial, trial process and your role as a witness",
        9: "To be given information about the outcome of the case and any appeals",
        10: "To be paid expenses and have property returned",
        11: "To be given information about the offender following a conviction",
        12: "To make a complaint about your Rights not being met",
    }
)


def is_milestone_type(value: object) -> bool:
    """True when ``value`` is one of the closed milestone types (the API refuses anything else)."""
    return isinstance(value, str) and value in MILESTONE_TYPES


# The kinds of crime the rights checker asks about and support services say they help with.
CRIMES = ("violent", "sexual", "domestic", "hate", "bereaved", "property", "fraud", "other")
