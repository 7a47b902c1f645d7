"""The navigator's forms: the content editor's (front matter as fields, the body as text), and
the navigator console's (queue filters, assignment, status changes, chasing, replies, calls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, not in its stubs (3.2)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.govuk_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from app.navigator import console as desk
from app.victim_requests import labels, messages
from app.victim_requests.models import Referral, VictimRequest
from app.victim_requests.vps import clean_text


def _words(value: str | None) -> list[str]:
    return [w.strip() for w in (value or "").replace("\n", ",").split(",") if w.strip()]


class PageForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter a title")), Length(max=200)],
    )
    summary = TextAreaField(
        _l("Summary"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter a summary")), Length(max=400)],
    )
    order = IntegerField(
        _l("Order in its section"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l("Enter a whole number, like 10")),
            NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to 10000")),
        ],
    )
    rights = StringField(
        _l("Victims' Code rights (numbers, separated by commas)"), widget=GovTextInput()
    )
    audience = StringField(_l("Audience (separated by commas)"), widget=GovTextInput())
    crime_types = StringField(_l("Crime types (separated by commas)"), widget=GovTextInput())
    related = StringField(
        _l("Related pages (page names, separated by commas)"), widget=GovTextInput()
    )
    sources = TextAreaField(
        _l("Sources (one web address per line)"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter at least one source"))],
    )
    reviewed = StringField(
        _l("Last checked (YYYY-MM-DD)"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the date the page was last checked"))],
    )
    translation_reviewed = BooleanField(
        _l("A person has checked this translation"), widget=GovCheckboxInput()
    )
    body = TextAreaField(
        _l("Page text (Markdown)"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter the page text")), Length(max=100_000)],
    )
    base_hash = HiddenField()
    source_hash = HiddenField()
    save = SubmitField(_l("Save page"), widget=GovSubmitInput())

    def validate_rights(self, field: StringField) -> None:
        try:
            [int(w) for w in _words(field.data)]
        except ValueError as exc:
            raise ValidationError(_l("Rights must be numbers, like 4, 6")) from exc

    def validate_reviewed(self, field: StringField) -> None:
        try:
            dt.date.fromisoformat((field.data or "").strip())
        except ValueError as exc:
            raise ValidationError(_l("Enter the date as YYYY-MM-DD, like 2026-11-24")) from exc

    def fill(self, meta: dict, body: str) -> None:
        self.title.data = meta.get("title", "")
        self.summary.data = meta.get("summary", "")
        self.order.data = meta.get("order", 10)
        self.rights.data = ", ".join(str(r) for r in meta.get("rights", []))
        self.audience.data = ", ".join(meta.get("audience", []) or [])
        self.crime_types.data = ", ".join(meta.get("crime_types", []) or [])
        self.related.data = ", ".join(meta.get("related", []) or [])
        self.sources.data = "\n".join(meta.get("sources", []) or [])
        self.reviewed.data = str(meta.get("reviewed", dt.date.today()))
        self.translation_reviewed.data = bool(meta.get("translation_reviewed", False))
        self.source_hash.data = meta.get("source_hash") or ""
        self.body.data = body

    def front_matter(self, section: str, *, translation: bool) -> dict:
        meta = {
            "title": (self.title.data or "").strip(),
            "summary": " ".join((self.summary.data or "").split()),
            "section": section,
            "order": self.order.data,
            "audience": _words(self.audience.data),
            "crime_types": _words(self.crime_types.data),
            "rights": [int(w) for w in _words(self.rights.data)],
            "sources": [s.strip() for s in (self.sources.data or "").splitlines() if s.strip()],
            "reviewed": dt.date.fromisoformat((self.reviewed.data or "").strip()),
            "related": _words(self.related.data),
        }
        if translation:
            meta["source_hash"] = self.source_hash.data
            meta["translation_reviewed"] = bool(self.translation_reviewed.data)
        return meta


class PreviewForm(FlaskForm):
    body = TextAreaField()


# --- The navigator console ----------------------------------------------------------------------
# Field names are the console's POST (and query-string) names; a field's id is the id the page
# gives it, so the error summary links to it. Messages that carry what was posted (a reference, a
# status) are formatted with gettext at validation time into plain strings, which the templates
# escape (a lazy string counts as safe HTML in Jinja).

KIND_FILTERS = {
    "all": _l("All"),
    "request": _l("Requests"),
    "referral": _l("Referrals"),
    "message": _l("Messages"),
    "task": _l("Tasks"),
}
ASSIGNED_FILTERS = {"all": _l("Anyone or no one"), "me": _l("Me"), "unassigned": _l("No one")}


def _choices(words: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in words.items()]


def _note_fits(form: FlaskForm, field: Field) -> None:
    if len(field.data or "") > desk.MAX_NOTE:
        raise ValidationError(
            _("The note must be %(max)s characters or fewer", max=format_number(desk.MAX_NOTE))
        )


class QueueFilterForm(FlaskForm):
    """The queue's filters, in the query string: an unknown value (an old bookmark) shows all."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Show"), choices=_choices(KIND_FILTERS), default="all", widget=GovSelect()
    )
    assigned = SelectField(
        _l("Assigned to"), choices=_choices(ASSIGNED_FILTERS), default="all", widget=GovSelect()
    )

    def chosen(self) -> dict[str, str]:
        return {
            "kind": self.kind.data if self.kind.data in KIND_FILTERS else "all",
            "assigned": self.assigned.data if self.assigned.data in ASSIGNED_FILTERS else "all",
        }


class AssignForm(FlaskForm):
    """The "Assign to me" button of a row of the queue, carrying the queue's filters back."""

    kind = HiddenField()
    id = HiddenField()
    # Named in the form by their POST names: WTForms takes a form's `filter_<field>` attribute
    # for a filter of that field.
    queue_kind = HiddenField(name="filter_kind")
    queue_assigned = HiddenField(name="filter_assigned")


class StatusForm(FlaskForm):
    """Move a request or a referral on: only to the statuses a navigator may set from here. The
    choice is not checked against the list shown: the state machine judges the move, and says so
    if someone changed the item since the page was loaded."""

    status = SelectField(_l("Status"), choices=[], validate_choice=False, widget=GovSelect())
    note = TextAreaField(
        _l("Note (optional)"), filters=[clean_text], validators=[_note_fits], widget=GovTextArea()
    )

    def for_item(
        self, subject: str, item: VictimRequest | Referral, choices: Iterable[str] = ()
    ) -> StatusForm:
        """Give this form its item: its own field ids on a page with many, and its choices."""
        self.subject, self.item = subject, item
        self.status.id = f"{subject}-status-{item.public_id}"
        self.note.id = f"{subject}-note-{item.public_id}"
        self.status.choices = [SelectChoice("", _("Choose a status"))] + [
            SelectChoice(value, labels.status_word(value)) for value in choices
        ]
        return self

    def validate_status(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(
                _("Choose the new status of %(reference)s", reference=self.item.reference)
            )

    def illegal(self, current: str) -> None:
        """The move was refused: the item is no longer where this page showed it."""
        self.status.errors = [
            *self.status.errors,
            _(
                "%(reference)s cannot go from “%(current)s” to “%(target)s”. Someone may "
                "have changed it since you loaded the page: check its status and choose again.",
                reference=self.item.reference,
                current=labels.status_word(current),
                target=labels.status_word(self.status.data),
            ),
        ]


class ChaseForm(FlaskForm):
    """Chase the agency about a request: only the button, which carries a problem if there is
    no one to chase."""

    chase = SubmitField(_l("Chase the agency"), widget=GovSubmitInput())

    def for_item(self, item: VictimRequest) -> ChaseForm:
        self.item = item
        self.chase.id = f"chase-{item.public_id}"
        return self

    def no_one_to_chase(self) -> None:
        self.chase.errors = [
            _(
                "%(reference)s is not waiting on an agency: there is no one to chase.",
                reference=self.item.reference,
            )
        ]


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply"), id="reply", filters=[clean_text], widget=GovTextArea())

    def validate_body(self, field: TextAreaField) -> None:
        if not field.data:
            raise ValidationError(_("Enter your reply"))
        if len(field.data) > messages.MAX_LENGTH:
            raise ValidationError(
                _(
                    "Your reply must be %(max)s characters or fewer",
                    max=format_number(messages.MAX_LENGTH),
                )
            )


class CallForm(FlaskForm):
    outcome = RadioField(
        _l("Record a call: what happened?"),
        choices=[SelectChoice(value, labels.CALL_OUTCOMES[value]) for value in desk.CALL_OUTCOMES],
        invalid_choice_message=_l("Choose what happened on the call"),  # type: ignore[call-arg]
        widget=GovRadioInput(),
    )
    note = TextAreaField(
        _l("Note (optional)"),
        id="call-note",
        filters=[clean_text],
        validators=[_note_fits],
        widget=GovTextArea(),
    )


MAX_REASON = 500


class MoveAgencyForm(FlaskForm):
    """Move an agency that joined a journey by mistake onto a case of its own."""

    participant = RadioField(
        _l("Which agency should not be on this case?"),
        choices=[],
        invalid_choice_message=_l("Choose the agency to move"),  # type: ignore[call-arg]
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        _l("Why? (the agency and other navigators will see this)"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Say why the agency should not be on this case")),
            Length(
                max=MAX_REASON,
                message=_l("Use %(max)d characters or fewer", max=MAX_REASON),
            ),
        ],
        widget=GovTextArea(),
    )
    move = SubmitField(_l("Move the agency to a case of its own"), widget=GovSubmitInput())

    def for_participants(self, taking_part: Iterable) -> MoveAgencyForm:
        self.participant.choices = [
            SelectChoice(str(p.id), f"{p.agency.name} ({p.reference})") for p in taking_part
        ]
        return self
