"""Anonymous guidance page: nginx static file vs bare Flask vs the hub, loaded with wrk in one run.

    make bench-guidance            (or: .venv/bin/python bench/guidance.py --seconds 10)

Writes bench/results.json (merging with what other benchmarks wrote) and the table in
bench/README.md between the `guidance` markers. Needs wrk and nginx (scripts/install.sh bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from common import (
    BIN,
    ROOT,
    Production,
    free_port,
    machine,
    production_missing,
    save,
    start,
    stop,
    update_readme,
    wait_for,
)

PAGE_PATH = "/guidance/your-rights"
WEIGHT_PAGES = {
    "home": "/",
    "guidance page": PAGE_PATH,
    "search": "/search?q=court",
    "guidance page (Arabic)": "/ar" + PAGE_PATH,
}


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": round(rps),
        "p99_ms": round(float(p99.group(1)) * scale, 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def load(cmd: list[str], url: str, env: dict, args: argparse.Namespace) -> dict:
    """Start a server, wait until it answers `url`, load it with wrk, stop it."""
    server = start(cmd, env)
    try:
        wait_for(url)
        return wrk(url, args.seconds, args.connections)
    finally:
        stop(server)


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("rel") in {"stylesheet", "icon"}:
            self.urls.append(a["href"])


def page_weight(base: str) -> dict:
    """First visit: the HTML and every asset it links, gzip-compressed as a server would send
    them. Repeat visit: assets come from the cache (immutable), the HTML revalidates (304)."""
    weights = {}
    for name, path in WEIGHT_PAGES.items():
        with urllib.request.urlopen(base + path) as r:
            html = r.read()
            etag = r.headers.get("ETag")
        # The repeat visit: the HTML revalidated with its ETag (assets are cached for a year).
        repeat = urllib.request.Request(base + path, headers={"If-None-Match": etag or ""})
        try:
            with urllib.request.urlopen(repeat) as r:
                repeat_status, repeat_bytes = r.status, len(r.read()) + len(str(r.headers))
        except urllib.error.HTTPError as not_modified:  # urllib raises on a 304
            repeat_status = not_modified.code
            repeat_bytes = len(str(not_modified.headers))
        parser = _Assets()
        parser.feed(html.decode())
        sizes = {path: len(gzip.compress(html, 6))}
        third_party = [u for u in parser.urls if u.startswith(("http:", "https:", "//"))]
        for url in parser.urls:
            with urllib.request.urlopen(base + url) as r:
                sizes[url] = len(gzip.compress(r.read(), 6))
        weights[name] = {
            "requests": len(sizes),
            "first_visit_bytes": sum(sizes.values()),
            "html_bytes": sizes[path],
            "third_party_requests": len(third_party),
            "web_fonts": sum(1 for u in parser.urls if u.endswith((".woff", ".woff2", ".ttf"))),
            "repeat_visit_status": repeat_status,
            "repeat_visit_bytes": repeat_bytes,
        }
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: run scripts/install.sh bench")

    work = Path(tempfile.mkdtemp(prefix="bench-guidance-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'hub.db'}",
        "LOG_REQUESTS": "1",
        "BENCH_PAGE": str(work / "page.html"),
    }
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    results: dict = {}
    hub_port = free_port()
    hub = start(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{hub_port}", "app:create_app()"], env
    )
    try:
        hub_url = f"http://127.0.0.1:{hub_port}"
        wait_for(hub_url + "/healthz")
        with urllib.request.urlopen(hub_url + PAGE_PATH) as r:
            page = r.read()
        (work / "page.html").write_bytes(page)
        weights = page_weight(hub_url)
        results["app"] = wrk(hub_url + PAGE_PATH, args.seconds, args.connections)
    finally:
        stop(hub)

    floor_port = free_port()
    results["floor"] = load(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{floor_port}",
            "--chdir",
            str(ROOT / "bench"),
            "flask_floor:app",
        ],
        f"http://127.0.0.1:{floor_port}{PAGE_PATH}",
        env,
        args,
    )

    nginx_port = free_port()
    (work / "guidance").mkdir()
    shutil.copy(work / "page.html", work / "guidance" / "your-rights")
    (work / "nginx.conf").write_text(f"""
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work};
  uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{nginx_port}; root {work}; }}
}}
""")
    try:
        results["nginx"] = load(
            ["nginx", "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
            f"http://127.0.0.1:{nginx_port}{PAGE_PATH}",
            env,
            args,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    prod = production(args, page)

    guidance = {
        "page": PAGE_PATH,
        "page_bytes": len(page),
        "seconds": args.seconds,
        "connections": args.connections,
        "nginx_static_rps": results["nginx"]["rps"],
        "flask_floor_rps": results["floor"]["rps"],
        "flask_floor_p99_ms": results["floor"]["p99_ms"],
        "app_rps": results["app"]["rps"],
        "app_p99_ms": results["app"]["p99_ms"],
        "app_non_2xx": results["app"]["non_2xx"],
        "app_vs_floor": round(results["app"]["rps"] / results["floor"]["rps"], 3),
        "page_weight": weights,
    }
    if prod:
        guidance.update(
            cached_rps=prod["cached"]["rps"],
            cached_p99_ms=prod["cached"]["p99_ms"],
            cached_non_2xx=prod["cached"]["non_2xx"],
            static_tls_rps=prod["static"]["rps"],
            # Against the same nginx serving the same bytes as a file, over the same TLS.
            cached_vs_static=round(prod["cached"]["rps"] / prod["static"]["rps"], 3),
            cached_vs_plain_static=round(prod["cached"]["rps"] / results["nginx"]["rps"], 3),
        )
    save("guidance", guidance)
    table = render_table(guidance, machine())
    print(table)
    update_readme("guidance", "Anonymous guidance page", table)
    return 0


def production(args: argparse.Namespace, page: bytes) -> dict | None:
    """(d) The hub in production mode (scripts/prod.sh: nginx with TLS and its page cache in
    front of two app servers), and the same nginx serving the page as a static file."""
    missing = production_missing()
    if missing:
        print("(d) skipped: production mode needs " + ", ".join(missing))
        return None
    static = ROOT / "app" / "static" / "dist" / "bench-page.html"  # dist/ is not in git
    static.write_bytes(page)
    try:
        with Production() as prod:
            for _ in range(2):  # fill the cache
                prod.get(PAGE_PATH)
            return {
                "cached": wrk(prod.base + PAGE_PATH, args.seconds, args.connections),
                "static": wrk(
                    prod.base + "/static/dist/bench-page.html", args.seconds, args.connections
                ),
            }
    finally:
        static.unlink(missing_ok=True)


def render_table(g: dict, machine: str) -> str:
    rows = [
        f"Measured {dt.date.today().isoformat()} on {machine}; wrk, {g['connections']} connections, "
        f"{g['seconds']} s each, page `{g['page']}` ({g['page_bytes']:,} bytes of HTML).",
        "",
        "| server | req/s | p99 latency | vs bare Flask |",
        "|---|---:|---:|---:|",
        f"| (a) nginx, static file | {g['nginx_static_rps']:,} | – | – |",
        f"| (b) bare Flask, gunicorn 2 workers | {g['flask_floor_rps']:,} | {g['flask_floor_p99_ms']} ms | 100 % |",
        f"| (c) the hub, gunicorn 2 workers | {g['app_rps']:,} | {g['app_p99_ms']} ms | {g['app_vs_floor']:.0%} |",
    ]
    if "cached_rps" in g:
        rows += [
            f"| (d) the hub in production mode, behind nginx's cache (TLS) | {g['cached_rps']:,} | "
            f"{g['cached_p99_ms']} ms | – |",
            f"| (e) the same nginx, the page as a static file (TLS) | {g['static_tls_rps']:,} | – | – |",
            "",
            f"(d) is {g['cached_vs_static']:.0%} of (e), the same bytes from the same server, and "
            f"{g['cached_vs_plain_static']:.0%} of (a), which has no TLS.",
        ]
    rows += [
        "",
        "Targets: (c) ≥ 60 % of (b), p99 < 25 ms; (d) ≥ 50 % of nginx static.",
        "",
        "| page | first visit: requests | bytes (gzip) | of which HTML | third-party | web fonts "
        "| repeat visit: requests | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, w in g["page_weight"].items():
        rows.append(
            f"| {name} | {w['requests']} | {w['first_visit_bytes']:,} | {w['html_bytes']:,} | "
            f"{w['third_party_requests']} | {w['web_fonts']} | 1 ({w['repeat_visit_status']}) "
            f"| {w['repeat_visit_bytes']:,} |"
        )
    rows += [
        "",
        "Targets: ≤ 50 KB, ≤ 5 requests, no web fonts, no third-party request. A repeat "
        "visit asks only for the HTML, with its ETag, and gets a 304 (headers only) when it is "
        "unchanged: CSS and JS are cached for a year under content-hashed names.",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
