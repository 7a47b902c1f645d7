"""The browser editor: save, preview, validation, conflicts, history and restore, translations,
path safety, roles and the audit log. Each test edits its own copy of the content."""

from __future__ import annotations

import re
import shutil

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app.accounts.models import AuditEvent, Role
from app.config import ROOT
from app.extensions import db
from app.navigator import files
from tests.conftest import make_app
from tests.factories import create_user, csrf_token, sign_in

PAGE = "/navigator/content/en/court/special-measures"


@pytest.fixture()
def editor_app(database_url, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(database_url, CONTENT_DIR=content, CONTENT_RELOAD_SECONDS=0)
    with app.app_context():
        upgrade()
        yield app


@pytest.fixture()
def editor(editor_app):
    secret = pyotp.random_base32()
    user = create_user(role=Role.EDITOR, totp_secret=secret)
    client = editor_app.test_client()
    sign_in(client, user, totp_secret=secret)
    client.user_id = user.id
    return client


def form_fields(html: str) -> dict:
    """The editor form's current values, as a browser would submit them."""
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html))
    for name, value in re.findall(
        r'<textarea[^>]*name="([a-z_]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        fields[name] = (
            value.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#34;", '"')
            .replace("&#39;", "'")
            .replace("&amp;", "&")
            .lstrip("\n")
        )
    fields.pop("translation_reviewed", None)
    return fields


def test_edit_save_and_the_public_page_changes_without_a_restart(editor, editor_app):
    html = editor.get(PAGE).get_data(as_text=True)
    fields = form_fields(html)
    fields["title"] = "Special measures at court (edited)"
    response = editor.post(PAGE, data=fields)
    assert response.status_code == 302 and "saved=1" in response.location
    public = editor_app.test_client().get("/guidance/special-measures").get_data(as_text=True)
    assert "Special measures at court (edited)" in public
    path = editor_app.config["CONTENT_DIR"] / "en/court/special-measures.md"
    assert "title: Special measures at court (edited)" in path.read_text()
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == editor.user_id)
    )
    assert "content_edit" in list(actions)


def test_preview_uses_the_site_renderer(editor):
    token = csrf_token(editor.get(PAGE).get_data(as_text=True))
    response = editor.post(
        "/navigator/content/preview/cy",
        data={"csrf_token": token, "body": "## Pennawd\n\n[link](/guidance/your-rights)"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert '<h2 id="pennawd" class="govuk-heading-l">Pennawd</h2>' in html
    assert 'href="/cy/guidance/your-rights"' in html and "<html" not in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello\n\n<script>alert(1)</script>\n", "line 3: HTML tags are not allowed"),
        ("Hello\n\n[click](javascript:alert(1))\n", "line 3: links may not run scripts"),
        ("Hello\n\n#### Too deep\n", "heading level skipped"),
        ("See [gone](/guidance/nowhere-at-all).\n", "broken link to /guidance/nowhere-at-all"),
    ],
)
def test_refused_at_save_with_the_line_named_and_the_text_kept(editor, editor_app, body, message):
    fields = form_fields(editor.get(PAGE).get_data(as_text=True))
    before = (editor_app.config["CONTENT_DIR"] / "en/court/special-measures.md").read_text()
    response = editor.post(PAGE, data={**fields, "body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    preview = html.split('id="preview"')[1].split("</div>")[0]
    assert "<script" not in preview and 'href="javascript' not in preview  # never rendered
    assert body.splitlines()[-1].replace("<", "&lt;").replace(">", "&gt;") in html  # text kept
    after = (editor_app.config["CONTENT_DIR"] / "en/court/special-measures.md").read_text()
    assert before == after


def test_invalid_date_and_rights_are_field_errors(editor):
    fields = form_fields(editor.get(PAGE).get_data(as_text=True))
    html = editor.post(PAGE, data={**fields, "reviewed": "yesterday", "rights": "four"}).get_data(
        as_text=True
    )
    assert "Enter the date as YYYY-MM-DD" in html and "Rights must be numbers" in html


def test_concurrent_edit_shows_a_conflict_and_loses_nothing(editor, editor_app):
    mine = form_fields(editor.get(PAGE).get_data(as_text=True))
    theirs = dict(mine, title="Their title")
    assert editor.post(PAGE, data=theirs).status_code == 302
    response = editor.post(PAGE, data=dict(mine, title="My title"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "title: My title" in html and "title: Their title" in html
    path = editor_app.config["CONTENT_DIR"] / "en/court/special-measures.md"
    assert "title: Their title" in path.read_text()


def test_history_and_restore(editor, editor_app):
    # Other tests share the database: count this test's revisions from where it starts.
    before = editor.get(PAGE + "/history").get_data(as_text=True).count("What changed")
    original = form_fields(editor.get(PAGE).get_data(as_text=True))
    editor.post(PAGE, data=dict(original, title="First edit"))
    second = form_fields(editor.get(PAGE).get_data(as_text=True))
    editor.post(PAGE, data=dict(second, title="Second edit"))
    history = editor.get(PAGE + "/history").get_data(as_text=True)
    assert history.count("What changed") == before + 2 and "+title: Second edit" in history
    restore_urls = re.findall(r'action="([^"]+/restore/\d+)"', history)
    assert len(restore_urls) == before + 1  # the newest is what is live: older ones restore
    editor.post(restore_urls[0], data={"csrf_token": csrf_token(history)})
    path = editor_app.config["CONTENT_DIR"] / "en/court/special-measures.md"
    assert "title: First edit" in path.read_text()
    after = editor.get(PAGE + "/history").get_data(as_text=True)
    assert after.count("What changed") == before + 3


def test_create_a_translation_then_english_change_makes_it_stale(editor, editor_app):
    welsh_url = "/navigator/content/cy/court/special-measures"
    fields = form_fields(editor.get(welsh_url).get_data(as_text=True))
    assert fields["source_hash"]
    fields["title"] = "Mesurau arbennig yn y llys"
    assert editor.post(welsh_url, data=fields).status_code == 302
    site = editor_app.test_client()
    html = site.get("/cy/guidance/special-measures").get_data(as_text=True)
    assert "Mesurau arbennig yn y llys" in html and "may be out of date" not in html

    english = form_fields(editor.get(PAGE).get_data(as_text=True))
    editor.post(PAGE, data=dict(english, body=english["body"] + "\n\nOne more sentence.\n"))
    html = site.get("/cy/guidance/special-measures").get_data(as_text=True)
    assert "This translation may be out of date." in html
    listing = editor.get("/navigator/content").get_data(as_text=True)
    assert "Out of date" in listing


@pytest.mark.parametrize(
    "url",
    [
        "/navigator/content/en/court/..%2F..%2Fapp%2Fconfig",
        "/navigator/content/en/court/../../etc/passwd",
        "/navigator/content/xx/court/special-measures",
        "/navigator/content/en/nowhere/special-measures",
        "/navigator/content/en/court/Special_Measures",
        "/navigator/content/en/court/%2Fetc%2Fpasswd",
    ],
)
def test_paths_outside_content_are_refused(editor, url):
    assert editor.get(url).status_code == 404


def test_symlinks_are_refused(editor, editor_app, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("secret")
    link = editor_app.config["CONTENT_DIR"] / "en/court/linked-page.md"
    link.symlink_to(outside)
    assert editor.get("/navigator/content/en/court/linked-page").status_code == 404
    with pytest.raises(files.UnsafePath):
        files.content_path(editor_app.config["CONTENT_DIR"], "en", "court", "linked-page", ("en",))


def test_only_editors_and_admins_may_edit(editor_app):
    navigator_secret = pyotp.random_base32()
    navigator = create_user(role=Role.NAVIGATOR, totp_secret=navigator_secret)
    client = editor_app.test_client()
    sign_in(client, navigator, totp_secret=navigator_secret)
    assert client.get(PAGE).status_code == 404
    victim = editor_app.test_client()
    sign_in(victim, create_user())
    assert victim.get("/navigator/content").status_code == 404
    assert "/account/sign-in" in editor_app.test_client().get(PAGE).location
