"""Question pages, one question per page, as WTForms forms with GOV.UK widgets (infrastructure:
it knows no part of the hub's domain).

    STEPS = Flow("requests.statement_step", "requests/statement_step.html", [
        Step("new-or-update", KindForm), Step("physical", PhysicalForm), ...])
    return STEPS.page(slug, answers=draft.answers, save=save_draft, url_values={...})

- `forms.QuestionForm`: a page's form; knows the answers saved on the other pages.
- `fields`: radios, checkboxes, select, text with a character count, a date in three parts.
- `flow.Flow`/`flow.Step`: the pages in order, back links, GET/POST of a page, check-page errors;
  `flow.carried` reads answers carried in hidden fields by a flow that keeps nothing.
- `templates/questions/page.html` (in app/templates): the page layout the flows' templates extend.
"""
