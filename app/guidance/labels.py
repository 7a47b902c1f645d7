"""Names shown for content sections and Victims' Code rights, translated like any UI string."""

from flask_babel import lazy_gettext as _l

SECTION_TITLES = {
    "safety": _l("Your safety"),
    "reporting": _l("Reporting a crime"),
    "investigation": _l("The investigation"),
    "charging": _l("The charging decision"),
    "court": _l("Going to court"),
    "sentence": _l("Verdict and sentence"),
    "after-sentence": _l("After sentence"),
    "rights": _l("Your rights"),
    "support": _l("Support"),
    "situations": _l("Help for your situation"),
    "about": _l("About this service"),
}

# What each step of the journey is about, in one line.
STEP_SUMMARIES = {
    "reporting": _l("How to tell the police, and what happens when you do."),
    "investigation": _l(
        "What the police do to find out what happened, and what they must tell you."
    ),
    "charging": _l("Who decides if someone is charged, and what you can do if you disagree."),
    "court": _l("What happens if the case goes to court, and help if you are a witness."),
    "sentence": _l("The verdict, the sentence, and asking for a sentence to be reviewed."),
    "after-sentence": _l(
        "Information about the offender, compensation and support after the case."
    ),
}

RIGHTS = {
    1: _l("To be able to understand and to be understood"),
    2: _l("To have the details of the crime recorded without unjustified delay"),
    3: _l("To be provided with information when reporting the crime"),
    4: _l(
        "To be referred to services that support victims and have services and support "
        "tailored to your needs"
    ),
    5: _l("To be provided with information about compensation"),
    6: _l("To be provided with information about the investigation and prosecution"),
    7: _l("To make a Victim Personal Statement"),
    8: _l("To be given information about the trial, trial process and your role as a witness"),
    9: _l("To be given information about the outcome of the case and any appeals"),
    10: _l("To be paid expenses and have property returned"),
    11: _l("To be given information about the offender following a conviction"),
    12: _l("To make a complaint about your rights not being met"),
}
