"""What every benchmark shares: ports, starting and stopping servers, the machine's name, and
writing figures to bench/results.json and tables into bench/README.md between markers."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "bench" / "README.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=15)


def machine() -> str:
    return (f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")  # fmt: skip


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


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def production_missing() -> list[str]:
    """What production mode needs that this machine lacks (empty: nothing)."""
    import shutil

    needs = (("PostgreSQL on 127.0.0.1:5432", port_answers(5432)),
             ("Redis on 127.0.0.1:6379", port_answers(6379)),
             ("nginx (scripts/install.sh bench)",
              bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())))  # fmt: skip
    return [what for what, ok in needs if not ok]


class Production:
    """scripts/prod.sh on free ports and a temporary folder, as a context manager: `base` is its
    https address (self-signed), `masters` the two app servers' pids. Stopped on exit, always."""

    def __init__(self, env: dict | None = None, request_log: Path | None = None) -> None:
        import tempfile

        # With request_log, every request's JSON log line (endpoint, status, ms) is kept there.
        self.request_log = request_log

        self.work = Path(tempfile.mkdtemp(prefix="bench-prod-"))
        self.ports = {name: str(free_port()) for name in ("HTTPS_PORT", "HTTP_PORT", "APP_PORT_1",
                                                          "APP_PORT_2", "MAIL_SINK_PORT")}  # fmt: skip
        self.env = {**(env or os.environ), **self.ports, "PROD_DIR": str(self.work),
                    "NGINX_WORKERS": "2"}  # fmt: skip
        self.env["LOG_REQUESTS"] = "1" if request_log else "0"
        self.base = f"https://127.0.0.1:{self.ports['HTTPS_PORT']}"
        self.process: subprocess.Popen | None = None

    def get(self, path: str) -> bytes:
        import ssl

        unverified = ssl._create_unverified_context()  # noqa: S323  # nosec B323 (our own cert)
        with urllib.request.urlopen(self.base + path, timeout=10, context=unverified) as r:
            return r.read()

    def __enter__(self) -> Production:
        if self.request_log is None:
            self.process = start(["scripts/prod.sh"], self.env)
        else:
            with self.request_log.open("w") as log:  # the app logs to stderr
                self.process = subprocess.Popen(["scripts/prod.sh"], cwd=ROOT, env=self.env,
                                                stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                self.get("/healthz")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"production mode did not start: see {self.work}") from None
                time.sleep(0.5)
        self.masters = [int((self.work / f"app-{self.ports[p]}.pid").read_text())
                        for p in ("APP_PORT_1", "APP_PORT_2")]  # fmt: skip
        return self

    def __exit__(self, *_exc) -> None:
        import shutil

        if self.process is not None and self.process.poll() is None:
            stop(self.process)
        shutil.rmtree(self.work, ignore_errors=True)
