"""Production mode (scripts/prod.sh) on free ports and a temporary folder, as a context manager:
the fault tests and the benchmarks start it the same way."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTS = ("HTTPS_PORT", "HTTP_PORT", "APP_PORT_1", "APP_PORT_2", "MAIL_SINK_PORT")
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323  # nosec B323 (our self-signed cert)


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_missing() -> list[str]:
    """What production mode needs that this machine lacks (empty: nothing)."""
    needs = (
        ("PostgreSQL on 127.0.0.1:5432", port_answers(5432)),
        ("Redis on 127.0.0.1:6379", port_answers(6379)),
        (
            "nginx (scripts/install.sh)",
            bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
        ),
    )
    return [what for what, ok in needs if not ok]


class Production:
    """`base` is its https address (self-signed), `ports` the ports it was given, `work` its
    folder (pid files, logs, nginx's cache), `masters` the two app servers' pids. Stopped on exit,
    always, with everything it started."""

    def __init__(self, env: dict | None = None, request_log: Path | None = None) -> None:
        # With request_log, every request's JSON log line (endpoint, status, ms) is kept there.
        self.request_log = request_log
        # Not under pytest's own temporary folder (0700): nginx's workers must reach the cache.
        self.work = Path(tempfile.mkdtemp(prefix="hub-prod-"))
        self.ports = {name: str(free_port()) for name in PORTS}
        self.env = {
            **(env or os.environ),
            **self.ports,
            "PROD_DIR": str(self.work),
            "NGINX_WORKERS": "2",
            "LOG_REQUESTS": "1" if request_log else "0",
        }
        self.base = f"https://127.0.0.1:{self.ports['HTTPS_PORT']}"
        self.process: subprocess.Popen | None = None
        self.masters: list[int] = []

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=10, context=UNVERIFIED) as r:
            return r.read()

    def __enter__(self) -> Production:
        log = self.request_log.open("w") if self.request_log else subprocess.DEVNULL
        try:  # the app logs to stderr
            self.process = subprocess.Popen(
                [str(ROOT / "scripts" / "prod.sh")],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        finally:
            if self.request_log:
                log.close()
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
        self.masters = [self.master(name) for name in ("APP_PORT_1", "APP_PORT_2")]
        return self

    def master(self, port_name: str) -> int:
        """The pid of the gunicorn master serving on that port now."""
        return int((self.work / f"app-{self.ports[port_name]}.pid").read_text())

    def kill_app_server(self, port_name: str) -> None:
        """SIGKILL one app server, master and workers, as a crash would."""
        master = self.master(port_name)
        workers = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
        for pid in [master, *map(int, workers.stdout.split())]:
            os.kill(pid, signal.SIGKILL)

    def __exit__(self, *_exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # prod.sh stops what it started
            self.process.wait(timeout=30)
        shutil.rmtree(self.work, ignore_errors=True)
