"""Keys for data at rest can change without losing a victim's words: DATA_KEY lists the keys
(newest first), SECRET_KEY still opens what was stored before DATA_KEY was set, and
`flask accounts rotate-data-key` re-encrypts everything so old keys can go. Data no key opens is
a clear error naming the fix, not a garbled page."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select, text

from app.accounts.data_keys import encrypted_columns
from app.cases.models import Agency
from app.core import crypto
from app.core.crypto import UnreadableData
from app.extensions import db
from app.victim_requests import service
from app.victim_requests.models import VictimRequest
from tests.factories import create_linked_case, create_user

pytestmark = pytest.mark.usefixtures("app_context")


@contextlib.contextmanager
def keys(app, data_key: str | None, secret_key: str | None = None):
    saved = app.config.get("DATA_KEY"), app.config["SECRET_KEY"]
    app.config["DATA_KEY"] = data_key
    if secret_key is not None:
        app.config["SECRET_KEY"] = secret_key
    try:
        db.session.expire_all()  # read again, through the keys now configured
        yield
    finally:
        app.config["DATA_KEY"], app.config["SECRET_KEY"] = saved
        db.session.expire_all()


def stored(app) -> tuple[int, int, int]:
    """A victim's statement (answers and PDF), a TOTP secret and a webhook secret, stored
    with whatever keys are configured now."""
    user = create_user(totp_secret="JBSWY3DPEHPK3PXP")
    case, link = create_linked_case(user=user)
    item = service.start_draft(user, link, "vps")
    service.save_answers(item, {"physical": "I cannot sleep since the burglary."})
    item.document = b"%PDF-1.4 the statement as sent"
    agency = db.session.get(Agency, case.agency_id)
    agency.webhook_secret = crypto.encrypt("whsec_agency-secret")
    db.session.commit()
    return item.id, user.id, agency.id


def raw(table: str, column: str, row_id: int) -> str:
    return db.session.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"),  # noqa: S608 (names from the test)
        {"id": row_id},
    ).scalar_one()


def read_back(item_id: int, user_id: int, agency_id: int) -> tuple:
    from app.accounts.models import User

    item = db.session.get(VictimRequest, item_id)
    user = db.session.get(User, user_id)
    agency = db.session.get(Agency, agency_id)
    return (
        item.answers["physical"],
        item.document,
        crypto.decrypt(user.totp_secret_encrypted),
        crypto.decrypt(agency.webhook_secret),
    )


EXPECTED = (
    "I cannot sleep since the burglary.",
    b"%PDF-1.4 the statement as sent",
    "JBSWY3DPEHPK3PXP",
    "whsec_agency-secret",
)


def test_every_encrypted_column_is_found():
    found = encrypted_columns()
    assert "totp_secret_encrypted" in found["user_account"]
    assert "webhook_secret" in found["agency"]
    assert {"answers", "document"} <= set(found["victim_request"])
    assert "body" in found["message"]


def test_setting_data_key_later_loses_nothing_and_rotation_moves_everything(app):
    ids = stored(app)  # under the key derived from SECRET_KEY (DATA_KEY unset)
    with keys(app, "new data key"):
        assert read_back(*ids) == EXPECTED  # SECRET_KEY still decrypts
        result = app.test_cli_runner().invoke(args=["accounts", "rotate-data-key"])
        assert result.exit_code == 0, result.output
        assert "re-encrypted with the first DATA_KEY" in result.output
        # The new key alone now opens every value that was stored (other tests' rows too).
        only_new = crypto._fernet("new data key")
        for table, column in (
            ("victim_request", "answers"),
            ("victim_request", "document"),
            ("user_account", "totp_secret_encrypted"),
            ("agency", "webhook_secret"),
        ):
            row_id = {"victim_request": ids[0], "user_account": ids[1], "agency": ids[2]}[table]
            only_new.decrypt(raw(table, column, row_id).encode())
        # Run again: nothing left to change.
        again = app.test_cli_runner().invoke(args=["accounts", "rotate-data-key"])
        assert "done: 0 value(s)" in again.output
    # SECRET_KEY changed too: the old one is no longer needed.
    with keys(app, "new data key", secret_key="a different secret key"):
        assert read_back(*ids) == EXPECTED
    # Back under the usual key, for the other tests sharing this database.
    with keys(app, f"{app.config['SECRET_KEY']},new data key"):
        app.test_cli_runner().invoke(args=["accounts", "rotate-data-key"])


def test_two_keys_listed_the_first_encrypts_and_both_decrypt(app):
    with keys(app, "key two"):
        old = crypto.encrypt("written under key two")
    with keys(app, "key three, key two"):
        assert crypto.decrypt(old) == "written under key two"
        new = crypto.encrypt("written under key three")
        assert crypto._fernet("key three").decrypt(new.encode()) == b"written under key three"


def test_data_no_key_opens_is_a_clear_error(app):
    item_id, _user, _agency = stored(app)
    with keys(app, "a key that is gone"):
        token = crypto.encrypt("a victim's words")
    with keys(app, "the only key now", secret_key="and a new secret key"):
        with pytest.raises(UnreadableData, match="rotate-data-key"):
            crypto.decrypt(token)
        with pytest.raises(UnreadableData):  # through the column type as well
            db.session.scalar(select(VictimRequest.answers).where(VictimRequest.id == item_id))
