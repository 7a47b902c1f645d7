from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block

from app.accounts.models import Role
from app.accounts.policy import login_required
from app.content import SECTIONS, render_markdown
from app.content.status import translation_status
from app.core.forms import required
from app.i18n import localized_route
from app.navigator import bp, editor, files
from app.navigator.forms import PageForm, PreviewForm

EDITORS = (Role.EDITOR, Role.ADMIN)
PAGE = "/navigator/content/<code:content_lang>/<section:section>/<slug:slug>"


def _path_or_404(content_lang: str, section: str, slug: str):
    try:
        return editor.path_for(content_lang, section, slug)
    except files.UnsafePath:
        abort(404)


@localized_route(bp, "/navigator/content")
@login_required(*EDITORS)
def content_list(lang: str):
    store = editor.store()
    store.refresh(force=True)
    status = {row.lang: row for row in translation_status(store)}
    sections = store.contents("en")
    return render_template(
        "navigator/content_list.html",
        sections=sections,
        languages=[code for code in store.languages if code != "en"],
        status=status,
        all_sections=SECTIONS,
    )


@localized_route(bp, PAGE, methods=["GET", "POST"])
@login_required(*EDITORS)
def edit_page(lang: str, content_lang: str, section: str, slug: str):
    path = _path_or_404(content_lang, section, slug)
    translation = content_lang != "en"
    form = PageForm()
    problems, conflict = [], None
    on_disk = files.read(path)
    if request.method == "GET":
        if on_disk is not None:
            draft = editor.parse_draft(on_disk)
        elif translation:
            english = editor.store().pages("en").get(slug)
            if english is None or english.section != section:
                abort(404)
            draft = editor.translation_draft(english, content_lang)
        else:
            draft = editor.Draft({"section": section, "order": 10}, "")
        form.fill(draft.meta, draft.body)
        form.base_hash.data = files.text_hash(on_disk) if on_disk is not None else ""
    elif form.validate_on_submit():
        front_matter = form.front_matter(section, translation=translation)
        text = editor.Draft(front_matter, required(form.body.data)).to_text()
        action = "edit" if on_disk is not None else ("translate" if translation else "create")
        result = editor.save(
            path,
            content_lang,
            text,
            base_hash=form.base_hash.data or "",  # not sent: as if no page was there
            editor=g.user,
            action=action,
        )
        if result.saved:
            return redirect(
                url_for(
                    "navigator.edit_page",
                    content_lang=content_lang,
                    section=section,
                    slug=slug,
                    saved=1,
                )
            )
        problems, conflict = result.problems, result.conflict_text
        if conflict is not None:
            return render_template(
                "navigator/conflict.html",
                mine=text,
                theirs=conflict,
                form=form,
                content_lang=content_lang,
                section=section,
                slug=slug,
                theirs_hash=files.text_hash(conflict),
            ), 409
    preview = render_markdown(form.body.data or "", content_lang)
    problem_errors = [{"text": p.message, "href": "#body"} for p in problems]
    return render_template(
        "navigator/edit.html",
        form=form,
        problems=problems,
        problem_errors=problem_errors,
        preview=preview,
        content_lang=content_lang,
        section=section,
        slug=slug,
        translation=translation,
        exists=on_disk is not None,
        saved=request.args.get("saved"),
    )


@localized_route(bp, "/navigator/content/preview/<code:content_lang>", methods=["POST"])
@login_required(*EDITORS)
def preview(lang: str, content_lang: str):
    """The live preview: the same engine as the site, so what you see is what will be shown."""
    form = PreviewForm()
    if not form.validate_on_submit():
        abort(400)
    rendered = render_markdown(form.body.data or "", content_lang)
    return render_block(
        "navigator/edit.html", "preview", preview=rendered, content_lang=content_lang
    )


@localized_route(bp, PAGE + "/history")
@login_required(*EDITORS)
def page_history(lang: str, content_lang: str, section: str, slug: str):
    path = _path_or_404(content_lang, section, slug)
    return render_template(
        "navigator/history.html",
        revisions=editor.history(path),
        content_lang=content_lang,
        section=section,
        slug=slug,
    )


@localized_route(bp, PAGE + "/restore/<int:revision_id>", methods=["POST"])
@login_required(*EDITORS)
def restore(lang: str, content_lang: str, section: str, slug: str, revision_id: int):
    path = _path_or_404(content_lang, section, slug)
    if not PreviewForm().validate_on_submit():
        abort(400)
    old = editor.revision(path, revision_id)
    if old is None:
        abort(404)
    current = files.read(path)
    result = editor.save(
        path,
        content_lang,
        old.text,
        base_hash=files.text_hash(current) if current else "",
        editor=g.user,
        action="restore",
        restored_from=old.id,
    )
    if not result.saved:
        return render_template(
            "navigator/history.html",
            revisions=editor.history(path),
            problems=result.problems,
            content_lang=content_lang,
            section=section,
            slug=slug,
        ), 400
    return redirect(
        url_for(
            "navigator.edit_page", content_lang=content_lang, section=section, slug=slug, saved=1
        )
    )
