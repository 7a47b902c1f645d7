"""How each milestone reads on a victim's timeline, and where the guidance explains it."""

from flask_babel import lazy_gettext as _l

# type: (what happened, in plain words; the guidance page that says what it means and what next)
MILESTONES = {
    "reported": (_l("You reported the crime"), "after-you-report"),
    "crime_reference_issued": (_l("You were given a crime reference number"), "after-you-report"),
    "officer_assigned": (_l("A police officer is looking after your case"), "after-you-report"),
    "needs_assessment_done": (_l("Your needs were assessed"), "needs-assessment-and-support"),
    "referral_offered": (_l("You were offered support"), "find-support"),
    "suspect_arrested": (_l("Someone was arrested"), "arrest-interview-and-bail"),
    "suspect_interviewed": (
        _l("A suspect was interviewed by the police"),
        "arrest-interview-and-bail",
    ),
    "released_on_bail": (_l("The suspect was released on bail"), "arrest-interview-and-bail"),
    "released_under_investigation": (
        _l("The suspect was released while the police investigate"),
        "arrest-interview-and-bail",
    ),
    "bail_conditions_changed": (
        _l("The suspect's bail conditions changed"),
        "arrest-interview-and-bail",
    ),
    "decision_not_to_investigate": (
        _l("The police decided not to investigate further"),
        "no-further-action",
    ),
    "no_further_action": (_l("No further action will be taken for now"), "no-further-action"),
    "charged": (_l("Someone was charged"), "charging-decisions"),
    "out_of_court_disposal": (
        _l("The case was dealt with without going to court"),
        "out-of-court-disposals",
    ),
    "charges_altered": (_l("The charges were changed"), "charging-decisions"),
    "charges_dropped": (_l("The charges were dropped"), "right-to-review"),
    "hearing_details_received": (_l("A court hearing was arranged"), "going-to-court"),
    "first_hearing": (_l("The first court hearing took place"), "going-to-court"),
    "plea": (_l("The defendant said whether they are guilty"), "going-to-court"),
    "trial_date_set": (_l("A trial date was set"), "going-to-court"),
    "trial_date_moved": (_l("The trial date changed"), "going-to-court"),
    "witness_required": (_l("You may be needed as a witness"), "giving-evidence"),
    "bail_or_warrant_outcome": (_l("The court made a decision about bail"), "going-to-court"),
    "verdict": (_l("The court reached a verdict"), "sentencing-and-uls"),
    "sentence": (_l("The offender was sentenced"), "sentencing-and-uls"),
    "appeal": (_l("There is an appeal"), "sentencing-and-uls"),
    "offender_released": (_l("The offender was released"), "victim-contact-scheme"),
    "offender_escaped": (
        _l("The offender has escaped or is missing from custody"),
        "victim-contact-scheme",
    ),
    "case_closed": (_l("The case was closed"), "find-support"),
    "complaint_received": (_l("Your complaint was received"), "making-a-complaint"),
    "vps_offered": (
        _l("You were offered the chance to make a Victim Personal Statement"),
        "victim-personal-statement",
    ),
    "vcs_referral_made": (
        _l("You were referred to the Victim Contact Scheme"),
        "victim-contact-scheme",
    ),
    "vlo_contact_made": (_l("A Victim Liaison Officer contacted you"), "victim-contact-scheme"),
    "information_delivered": (_l("You were given information about your case"), "your-rights"),
}

# Each kind of agency, in plain words (an agency may be several: the Met is police and wcu).
AGENCY_KINDS = {
    "police": _l("Police"),
    "wcu": _l("Witness Care Unit"),
    "cps": _l("Crown Prosecution Service"),
    "court": _l("Court service"),
    "probation": _l("Probation Service"),
    "cica": _l("Criminal Injuries Compensation Authority"),
    "any": _l("Any service"),
}
