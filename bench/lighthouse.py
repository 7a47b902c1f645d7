"""Lighthouse (mobile) scores for performance and accessibility, and bytes transferred, on the
home page, a guidance page and a signed-in victim's timeline, served in production mode
(nginx, TLS, compression, the page cache) with the 200,000-case data set.

    make bench-lighthouse     (or: .venv/bin/python bench/lighthouse.py)

Targets: performance ≥ 95, accessibility 100. Uses npm's lighthouse (installed into
bench/.lighthouse by scripts/install.sh bench) with Debian's Chromium. Writes bench/results.json
(section "lighthouse") and its table in bench/README.md.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BIN, ROOT, Production, machine, production_missing, save, update_readme
from ingest import SESSIONS, scale_data, scale_env

LIGHTHOUSE = ROOT / "bench" / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PAGES = {"home": "/", "guidance page": "/guidance/your-rights", "timeline (signed in)": None}


def run(url: str, cookie: str | None, out: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--form-factor=mobile",
        "--chrome-flags=--headless=new --no-sandbox --ignore-certificate-errors",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
    }


def main() -> int:
    missing = production_missing() + [
        what
        for what, ok in (
            ("lighthouse (scripts/install.sh bench)", LIGHTHOUSE.exists()),
            ("Debian's Chromium", Path(CHROMIUM).exists()),
        )
        if not ok
    ]
    if missing:
        print("bench/lighthouse.py needs: " + "; ".join(missing), file=sys.stderr)
        return 2
    scale_data(200_000)
    env = scale_env(SECRET_KEY=secrets.token_hex(32), HUB_ENV="production")
    out = subprocess.run(
        [str(BIN / "python"), "-c", SESSIONS, "1"],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    token, case = out[-2], out[-1]
    scores = {}
    with Production(env) as prod, tempfile.TemporaryDirectory() as tmp:
        for name, path in PAGES.items():
            cookie = None
            if path is None:
                path, cookie = f"/account/cases/{case}", f"__Host-hub={token}"
            prod.get(path if cookie is None else "/healthz")  # warm the app and the cache
            scores[name] = run(prod.base + path, cookie, Path(tmp) / "report.json")
            if cookie and "/account/sign-in" in (scores[name]["final_url"] or ""):
                raise RuntimeError("the timeline redirected to sign-in: the session was refused")
    figures = {"pages": scores, "date": time.strftime("%Y-%m-%d")}
    save("lighthouse", figures)
    table = render(figures)
    print(table)
    update_readme("lighthouse", "Lighthouse (mobile)", table)
    return 0


def render(f: dict) -> str:
    rows = [
        f"Measured {f['date']} on {machine()}; Lighthouse 13.5 (mobile, simulated slow 4G and "
        "CPU slowdown) with Debian's Chromium, against production mode (nginx, TLS, gzip/brotli).",
        "",
        "| page | performance | accessibility | bytes | LCP | CLS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in f["pages"].items():
        rows.append(
            f"| {name} | {s['performance']} | {s['accessibility']} | {s['bytes']:,} | "
            f"{s['lcp_ms']:,} ms | {s['cls']} |"
        )
    rows += ["", "Targets: performance ≥ 95, accessibility 100."]
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
