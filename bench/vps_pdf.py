"""Victim Personal Statement as a PDF (WeasyPrint), in English and in Arabic.

    .venv/bin/python bench/vps_pdf.py

Renders a statement of about 9,000 characters across its five sections (paragraphs of four
sentences, all the choices answered) with `statement_pdf`, one warm-up and then 20 timed renders
per language, in this process. The brief called that three pages; at 11pt Noto Sans it is four
(about 2,300 characters a page in short paragraphs), so the figures are on the safe side of the
target for three. Reports the p50 and p95 time per PDF, the PDF's size and pages, and the
process's peak resident memory (getrusage: before rendering, after the English renders, after
both).

Writes bench/results.json (section "vps_pdf") and its table in bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from datetime import UTC, datetime

from common import ROOT, machine, percentile, save, update_readme

TARGET_S = 1.5
CHARACTERS = 9_000

ENGLISH = [
    "Since the night it happened I have not slept through once.",
    "I wake at three and check the door, then the windows, then the door again.",
    "At work I cannot keep my mind on anything, and my manager has noticed.",
    "I used to take the night bus home from my shift; now I pay for taxis I cannot afford.",
    "My daughter asks why I jump when the doorbell rings, and I do not know what to tell her.",
    "The bruising has gone but my wrist still aches when it is cold.",
    "I have stopped going to the gym where I met my friends every Saturday.",
    "Some days I do not leave the flat at all.",
]
ARABIC = [
    "منذ تلك الليلة لم أنم ليلة كاملة.",
    "أستيقظ في الثالثة وأتفقد الباب ثم النوافذ ثم الباب مرة أخرى.",
    "لا أستطيع التركيز في عملي، وقد لاحظ مديري ذلك.",
    "كنت أعود إلى البيت بالحافلة الليلية، والآن أدفع أجرة سيارات لا أقدر عليها.",
    "تسألني ابنتي لماذا أفزع عندما يرن جرس الباب، ولا أعرف بماذا أجيبها.",
    "اختفت الكدمات لكن معصمي ما زال يؤلمني عندما يكون الجو باردا.",
    "توقفت عن الذهاب إلى النادي حيث كنت ألتقي بأصدقائي كل يوم سبت.",
    "في بعض الأيام لا أخرج من البيت أبدا.",
]
SECTIONS = (
    "effects_physical",
    "effects_emotional",
    "effects_financial",
    "effects_family",
    "concerns",
)


def answers(sentences: list[str], characters: int) -> dict[str, str]:
    """About `characters` of statement, shared among the sections, four sentences a paragraph."""
    each = characters // len(SECTIONS)
    found: dict[str, str] = {}
    n = 0
    for section in SECTIONS:
        paragraphs: list[list[str]] = [[]]
        while sum(len(s) + 1 for p in paragraphs for s in p) + 2 * len(paragraphs) < each:
            if len(paragraphs[-1]) == 4:
                paragraphs.append([])
            paragraphs[-1].append(sentences[n % len(sentences)])
            n += 1
        found[section] = "\n\n".join(" ".join(p) for p in paragraphs)
    return {
        **found,
        "reading": "someone_else",
        "court_support": sentences[0],
        "statement_language": "en",
        "interpreter": "no",
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def measure(render, document, renders: int) -> dict:
    from pypdf import PdfReader

    pdf = render(document)  # warm-up: fonts loaded, templates compiled
    timings = []
    for _ in range(renders):
        started = time.perf_counter()
        pdf = render(document)
        timings.append(time.perf_counter() - started)
    characters = sum(len(document.answers[s]) for s in SECTIONS)
    return {
        "characters": characters,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_bytes": len(pdf),
        "p50_s": round(percentile(timings, 0.5), 3),
        "p95_s": round(percentile(timings, 0.95), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.victim_requests.pdfs import StatementDocument, statement_pdf

    app = create_app()
    figures: dict = {"renders": args.renders}
    with app.app_context():
        figures["rss_before_mb"] = peak_rss_mb()
        for language, sentences in (("en", ENGLISH), ("ar", ARABIC)):
            document = StatementDocument(
                reference="VPS-3KX7QP2M",
                kind="make",
                case_reference="01/23456/26",
                agency_name="Metropolitan Police Service – Witness Care Unit",
                victim_name="Amina Yusuf" if language == "en" else "أمينة يوسف",
                submitted_at=datetime(2026, 11, 24, 10, 30, tzinfo=UTC),
                language=language,
                answers={**answers(sentences, CHARACTERS), "statement_language": language},
            )
            for key, value in measure(statement_pdf, document, args.renders).items():
                figures[f"{language}_{key}"] = value
            figures[f"rss_after_{language}_mb"] = peak_rss_mb()
            print(
                f"{language}: {figures[f'{language}_pages']} pages, "
                f"p50 {figures[f'{language}_p50_s']} s, p95 {figures[f'{language}_p95_s']} s"
            )
    save("vps_pdf", figures)
    table = render(figures, time.strftime("%Y-%m-%d"))
    print(table)
    update_readme("vps_pdf", "Victim Personal Statement PDF", table)
    return 0


def render(f: dict, date: str) -> str:
    def row(language: str, name: str) -> str:
        return (
            f"| {name} | {f[f'{language}_characters']:,} | {f[f'{language}_pages']} | "
            f"{f[f'{language}_p50_s']} s | {f[f'{language}_p95_s']} s | "
            f"{f[f'{language}_pdf_bytes']:,} | {f[f'rss_after_{language}_mb']} MB |"
        )

    return "\n".join(
        [
            f"Measured {date} on {machine()}; `statement_pdf` (WeasyPrint) in one process, "
            f"{f['renders']} renders per language after one warm-up.",
            "",
            "| statement | characters | pages | p50 | p95 | PDF bytes | peak RSS after |",
            "|---|---:|---:|---:|---:|---:|---:|",
            row("en", "English"),
            row("ar", "Arabic (right to left)"),
            "",
            f"Peak RSS with the app loaded, before the first PDF: {f['rss_before_mb']} MB "
            "(peak RSS only grows: the Arabic row includes the English renders).",
            "",
            f"Target: < {TARGET_S} s per three-page statement (these are four pages: see the script).",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
