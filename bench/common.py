"""What every benchmark shares: ports, starting and stopping servers, the machine's name, and
writing figures to bench/results.json and tables into bench/README.md between markers."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # production mode is started as the fault tests start it

from tests.production import (  # noqa: E402,F401
    Production,
    free_port,
    port_answers,
    production_missing,
)

BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "bench" / "README.md"


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def start(cmd: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=15)


def machine() -> str:
    return (
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def save(section: str, figures: dict) -> None:
    """Merge one benchmark's figures into bench/results.json."""
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[section] = {**figures, "machine": machine(), "date": dt.date.today().isoformat()}
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")


def update_readme(section: str, title: str, table: str) -> None:
    """Rewrite this benchmark's table in bench/README.md (added at the end the first time)."""
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    begin, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    block = f"{begin}\n{table}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text += f"\n## {title}\n\n{block}\n"
    README.write_text(text)
