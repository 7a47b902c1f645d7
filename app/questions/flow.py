"""A question flow: one question per page, each page a form class and a next-step function.

Two ways to keep the answers between pages:
- `Flow.page`: the answers are kept by the caller (a draft saved on every page). GET shows the
  page with what was saved; POST checks it, shows it again with the errors and what was typed,
  or saves (`save(values)`) and redirects to the next page, to the check page when the answer was
  changed from there (`?next=check`), or to `later` when the person chose to stop for now.
- `Flow.carry`: nothing is kept (a private checker): the answers travel in the page as hidden
  fields, and each POST answers with the next page itself, or with `done(answers)` at the end.

A step without a next-step function goes to the step after it, and the last one to the check
page. An htmx request gets the flow's `block` of the template, when it has one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from jinja2_fragments.flask import render_block
from wtforms.fields.core import UnboundField

from app.questions.forms import QuestionForm

CHECK = "check-your-answers"
Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    slug: str  # in the URL, or in the page's `step` hidden field
    form: type[QuestionForm]
    next: Callable[[Answers], str | None] | None = None  # None: the following step


class Flow:
    def __init__(
        self,
        endpoint: str,
        template: str,
        steps: Sequence[Step],
        *,
        check: str | None = CHECK,
        block: str | None = None,
    ) -> None:
        self.endpoint = endpoint  # takes the slug as `step`
        self.template = template
        self.steps = tuple(steps)
        self.check = check
        self.block = block
        self._by_slug = {step.slug: step for step in self.steps}

    # --- The order of the pages -----------------------------------------------------------------

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    @property
    def first(self) -> str:
        return self.steps[0].slug

    def next(self, slug: str, answers: Answers) -> str | None:
        step = self._by_slug[slug]
        if step.next is not None:
            return step.next(answers)
        index = self.steps.index(step)
        return self.steps[index + 1].slug if index + 1 < len(self.steps) else self.check

    def path(self, answers: Answers) -> list[str]:
        """The pages these answers lead through, in order (then the check page, if any)."""
        found: list[str] = []
        slug: str | None = self.first
        while slug in self._by_slug and slug not in found:
            found.append(slug)
            slug = self.next(slug, answers)
        return found + ([self.check] if self.check else [])

    def back(self, slug: str, answers: Answers) -> str | None:
        path = self.path(answers)
        if slug in path:
            index = path.index(slug)
            return path[index - 1] if index else None
        slugs = [step.slug for step in self.steps]
        return slugs[slugs.index(slug) - 1] if slug in slugs[1:] else None

    @property
    def check_page(self) -> str:
        """The check page's slug, for a flow that has one."""
        if self.check is None:
            raise LookupError(f"the flow of {self.endpoint} has no check page")
        return self.check

    def before_check(self, answers: Answers) -> str:
        """The page the check page goes back to: the last these answers lead through."""
        back = self.back(self.check_page, answers)
        assert back is not None, "the check page comes after the first page, at least"
        return back

    def step_of(self, field: str) -> str:
        """The page that asks `field` (for a check page's error links)."""
        for step in self.steps:
            if field in _field_names(step.form):
                return step.slug
        raise KeyError(field)

    def url(self, slug: str, **values: Any) -> str:
        return url_for(self.endpoint, step=slug, **values)

    # --- One page ---------------------------------------------------------------------------------

    def form(self, slug: str, answers: Answers, *, posted: bool) -> QuestionForm:
        """The page's form: what was posted, or (to show it) the answers so far."""
        form_class = self._by_slug[slug].form
        if posted:
            return form_class(answers=answers)
        return form_class(formdata=None, data=dict(answers), answers=answers)

    def render(
        self, slug: str, form: QuestionForm, *, status: int = 200, **context: Any
    ) -> ResponseReturnValue:
        return _render(self.template, self.block, {"form": form, "step": slug, **context}, status)

    def page(
        self,
        slug: str,
        *,
        answers: Answers,
        save: Callable[[dict[str, Any]], None],
        url_values: Mapping[str, Any],
        later: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> ResponseReturnValue:
        """A page of a flow whose answers the caller keeps (see the module's docstring)."""
        returning = request.args.get("next") == "check" and self.check is not None
        form = self.form(slug, answers, posted=request.method == "POST")
        if request.method == "POST" and form.validate():
            values = form.values()
            save(values)
            if later and getattr(form, "later", None) is not None and form.later.data:
                return redirect(later)
            following = self.check if returning else self.next(slug, {**answers, **values})
            return redirect(self.url(following or self.first, **url_values))
        back = self.back(slug, answers)
        return self.render(
            slug,
            form,
            back=self.url(back, **url_values) if back else None,
            action=self.url(slug, **url_values, **({"next": "check"} if returning else {})),
            later=later is not None,
            **(context or {}),
        )

    def check_errors(
        self, problems: Iterable[tuple[str, str]], **url_values: Any
    ) -> list[dict[str, str]]:
        """A check page's error summary: each (field, message) links to the page that asks it."""
        return [
            {"text": message, "href": self.url(self.step_of(field), next="check", **url_values)}
            for field, message in problems
        ]

    def problems(self, answers: Answers) -> list[tuple[str, str]]:
        """Each page on the way checked again with the saved answers, before they are sent:
        (field, message) for each answer that is missing or wrong."""
        found = []
        for slug in self.path(answers):
            if slug in self._by_slug:
                form = self._by_slug[slug].form(
                    formdata=None, data=dict(answers), answers=answers, meta={"csrf": False}
                )
                if not form.validate():
                    found += [(name, str(errors[0])) for name, errors in form.errors.items()]
        return found

    # --- A flow that keeps nothing --------------------------------------------------------------

    def carry(
        self,
        slug: str | None,
        answers: Answers,
        *,
        done: Callable[[dict[str, Any]], ResponseReturnValue],
        context: Mapping[str, Any] | None = None,
    ) -> ResponseReturnValue:
        """Answer the POST of page `slug` (None: the start page's) given the answers carried so
        far. A page with errors comes back with status 400 and every answer kept."""
        answers = dict(answers)
        following: str | None = self.first
        if slug in self._by_slug:
            form = self.form(slug, answers, posted=True)
            if not form.validate():
                return self.render(
                    slug, form, status=400, carried=_carried(answers, form), **(context or {})
                )
            answers.update(form.values())
            answers[f"_seen_{slug}"] = "yes"
            following = self.next(slug, answers)
        if following is None or following not in self._by_slug:
            return done(answers)
        form = self.form(following, answers, posted=False)
        return self.render(following, form, carried=_carried(answers, form), **(context or {}))


def ask(
    form: QuestionForm,
    template: str,
    *,
    save: Callable[[Any], str],
    block: str | None = None,
    **context: Any,
) -> ResponseReturnValue:
    """A question page on its own: a valid POST is saved (`save(form)` says where to go next);
    otherwise the page, with the errors and what was typed."""
    if request.method == "POST" and form.validate():
        return redirect(save(form))
    return _render(template, block, {"form": form, **context})


def _render(
    template: str, block: str | None, context: dict[str, Any], status: int = 200
) -> ResponseReturnValue:
    if block and "HX-Request" in request.headers:
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def carried(
    names: Iterable[str], steps: Iterable[str] = (), limit: int = 20
) -> tuple[str | None, dict[str, str]]:
    """The page posted (its `step` hidden field) and the answers carried in hidden fields: each
    of `names`, and which of `steps` were seen. Each value cut to `limit` characters. The one
    place that reads a posted form by hand."""
    answers = {name: (request.form.get(name) or "").strip()[:limit] for name in names}
    for step in steps:
        if request.form.get(f"_seen_{step}"):
            answers[f"_seen_{step}"] = "yes"
    return request.form.get("step") or None, answers


def _carried(answers: Answers, form: QuestionForm) -> dict[str, str]:
    own = {field.name for field in form.questions()}
    return {
        name: str(value)
        for name, value in answers.items()
        if value and name not in own and not isinstance(value, list)
    }


def _field_names(form_class: type[QuestionForm]) -> set[str]:
    names = set()
    for attribute in dir(form_class):
        unbound = getattr(form_class, attribute, None)
        if not attribute.startswith("_") and isinstance(unbound, UnboundField):
            names.add(unbound.kwargs.get("name") or attribute)
    return names
