"""Build the Dockerfile's image without Docker, then run it and ask it for pages.

    sudo .venv/bin/python scripts/image_check.py      (or: make image-check)

Where Docker is at hand, `docker build .` is the real thing. These machines have Docker's client
but no daemon, and no registry to pull `python:3.11-slim-bookworm` from, so this stands in for it:

1. the base image, made the way its own Dockerfile makes it: a minimal Debian bookworm
   (debootstrap) with CPython 3.11 under its own prefix (this machine's, which is built for
   bookworm too) and the run-time libraries that image installs;
2. the project's Dockerfile read and followed instruction by instruction in a chroot of it: ENV,
   WORKDIR, COPY (from this checkout, as the build context), RUN, USER; the FROM line must name
   that base, so a change of base is noticed here;
3. the image's CMD run as its USER against PostgreSQL (a schema of its own), and its HEALTHCHECK,
   the home page, a guidance page in Arabic, a static file and the OpenAPI document asked for;
   the worker's and the mail sink's modules imported, as compose.yaml runs them.

Prints each step's time and the image's size; exit status 0 only if everything answered. Leaves
nothing mounted or running; the image folder is removed unless --keep. Needs root (debootstrap,
chroot, mount), the network (Debian, PyPI, npm) and PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "python:3.11-slim-bookworm"
MIRROR = "http://deb.debian.org/debian"
# What the python:3.11-slim-bookworm image adds to Debian for its Python (its Dockerfile's
# run-time packages), and what this Python was linked against.
BASE_PACKAGES = (
    "ca-certificates",
    "netbase",
    "tzdata",
    "libssl3",
    "libffi8",
    "libsqlite3-0",
    "zlib1g",
    "libbz2-1.0",
    "liblzma5",
    "libuuid1",
    "libncursesw6",
    "libreadline8",
    "libexpat1",
    "libgdbm6",
    "libdb5.3",
)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


class ImageError(RuntimeError):
    pass


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def parse_dockerfile(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        name, _, args = current.partition(" ")
        instructions.append((name.upper(), args.strip()))
        current = ""
    return instructions


def env_pairs(args: str) -> dict[str, str]:
    """ENV a=1 b="two words" (the key=value form; the old "ENV key value" form too)."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


class Image:
    def __init__(self, folder: Path) -> None:
        self.root = folder / "rootfs"
        self.python = Path(sys.base_prefix)  # the base image's Python, at the same path inside
        self.env = {
            "PATH": f"{self.python}/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/root",
        }
        # This machine reaches PyPI and npm through its own settings (a proxy's CA, mirrors):
        # the build gets the same, as `docker build` would get a network.
        passed = (
            "PIP_CERT",
            "PIP_DEFAULT_TIMEOUT",
            "PIP_INDEX_URL",
            "NODE_EXTRA_CA",
            "SSL_CERT",
            "REQUESTS_CA",
        )
        self.env |= {k: v for k, v in os.environ.items() if k.startswith(passed)}
        self.workdir = "/"
        self.user = "root"
        self.cmd: list[str] = []
        self.healthcheck = ""
        self.port = 8000  # the Dockerfile's EXPOSE, if it has one
        self.mounted: list[Path] = []

    # --- the base image -------------------------------------------------------------------------

    def make_base(self) -> None:
        if not shutil.which("debootstrap"):
            say("apt: installing debootstrap")
            run(["apt-get", "install", "-y", "-qq", "debootstrap"], stdout=subprocess.DEVNULL)
        say(f"base: Debian bookworm (minbase) + {self.python.name} = {BASE}")
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                "bookworm",
                str(self.root),
                MIRROR,
            ],
            stdout=subprocess.DEVNULL,
        )
        target = self.root / str(self.python).lstrip("/")
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        site = Path(sysconfig.get_paths()["purelib"])
        # The interpreter and its standard library; of this machine's packages only pip.
        shutil.copytree(self.python / "bin", target / "bin", symlinks=True)
        shutil.copytree(self.python / "include", target / "include", symlinks=True)
        (target / "lib").mkdir(parents=True)
        for lib in (self.python / "lib").glob("libpython*"):
            shutil.copy2(lib, target / "lib" / lib.name)
        skip = shutil.ignore_patterns("site-packages", "__pycache__", "test")
        shutil.copytree(stdlib, target / "lib" / stdlib.name, symlinks=True, ignore=skip)
        for name in ("pip", "setuptools", "_distutils_hack"):
            for found in site.glob(f"{name}*"):
                copy = shutil.copytree if found.is_dir() else shutil.copy2
                copy(found, target / "lib" / stdlib.name / "site-packages" / found.name)
        # The base image keeps Python in /usr/local, open to every user; this one sits where it
        # was built (its library path is fixed there), so every folder on the way is opened up.
        for folder in [target, *target.relative_to(self.root).parents][:-1]:
            (self.root / folder).chmod(0o755)
        for name in ("python", "python3", "pip", "pip3"):
            link = self.root / "usr/local/bin" / name
            link.unlink(missing_ok=True)
            link.symlink_to(f"{self.python}/bin/{'python3' if 'python' in name else 'pip3'}")
        # Name resolution and the proxy's CA, as a build container gets from its host.
        shutil.copy2("/etc/resolv.conf", self.root / "etc/resolv.conf")
        if CA_BUNDLE.exists():
            shutil.copy2(CA_BUNDLE, self.root / str(CA_BUNDLE).lstrip("/"))
        if Path("/etc/pip.conf").exists():  # where pip finds that CA (not this machine's caches)
            shutil.copy2("/etc/pip.conf", self.root / "etc/pip.conf")

    def mount(self) -> None:
        for what, where, options in (
            ("proc", "proc", ["-t", "proc"]),
            ("/dev", "dev", ["--bind"]),
            ("/dev/pts", "dev/pts", ["--bind"]),
        ):
            target = self.root / where
            target.mkdir(exist_ok=True)
            run(["mount", *options, what, str(target)])
            self.mounted.append(target)

    def unmount(self) -> None:
        for target in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(target)], check=False)
        self.mounted.clear()

    # --- the Dockerfile -------------------------------------------------------------------------

    def follow(self, dockerfile: Path) -> None:
        for name, args in parse_dockerfile(dockerfile):
            started = time.monotonic()
            getattr(self, f"_{name.lower()}")(args)
            if name in ("RUN", "COPY"):
                say(
                    f"{name} {args[:70]}{'…' if len(args) > 70 else ''} "
                    f"({time.monotonic() - started:.0f} s)"
                )

    def _from(self, args: str) -> None:
        if args.split()[0] != BASE:
            raise ImageError(f"the Dockerfile now starts FROM {args}; this check builds {BASE}")

    def _env(self, args: str) -> None:
        self.env |= env_pairs(args)

    def _workdir(self, args: str) -> None:
        self.workdir = os.path.join(self.workdir, args)
        (self.root / self.workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)

    def _copy(self, args: str) -> None:
        """Docker's COPY from this checkout: a directory's contents, files into a folder (dest
        ending in "/", or several sources) or to a name; what .dockerignore names left out."""
        *sources, dest = shlex.split(args)
        target = self.root / os.path.join(self.workdir, dest).lstrip("/")
        into_folder = dest.endswith("/") or len(sources) > 1
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(
                    path, target, dirs_exist_ok=True, symlinks=True, ignore=self._ignored
                )
            else:
                target.mkdir(parents=True, exist_ok=True) if into_folder else None
                shutil.copy2(path, target / path.name if into_folder else target)

    def _ignored(self, folder: str, names: list[str]) -> set[str]:
        patterns = [
            line.strip().removeprefix("**/").rstrip("/")
            for line in (ROOT / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        relative = Path(folder).relative_to(ROOT)
        return {
            name
            for name in names
            for pattern in patterns
            if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(str(relative / name), pattern)
        }

    def _run(self, args: str) -> None:
        self.chroot(["/bin/sh", "-c", args])

    def _user(self, args: str) -> None:
        self.user = args

    def _expose(self, args: str) -> None:
        self.port = int(args.split("/")[0])

    def _healthcheck(self, args: str) -> None:
        self.healthcheck = args.split(" CMD ", 1)[1] if " CMD " in args else ""

    def _cmd(self, args: str) -> None:
        self.cmd = json.loads(args) if args.startswith("[") else ["/bin/sh", "-c", args]

    def ids(self) -> str:
        """USER as uid:gid, read from the image's own /etc/passwd (not this machine's)."""
        for line in (self.root / "etc/passwd").read_text().splitlines():
            name, _pw, uid, gid, *_rest = line.split(":")
            if self.user in (name, uid):
                return f"{uid}:{gid}"
        raise ImageError(f"USER {self.user} is not in the image's /etc/passwd")

    def chroot(
        self,
        cmd: list[str],
        env: dict | None = None,
        *,
        background: bool = False,
        check: bool = True,
        **kwargs,
    ) -> subprocess.Popen | subprocess.CompletedProcess:
        """Run in the image, as the current USER, from WORKDIR; wait unless `background`."""
        line = [
            "chroot",
            f"--userspec={self.ids()}",
            str(self.root),
            "/bin/sh",
            "-c",
            f"cd {shlex.quote(self.workdir)} && exec " + shlex.join(cmd),
        ]
        environment = {**self.env, **(env or {})}
        if self.user != "root":
            environment["HOME"] = self.workdir
        if background:
            return subprocess.Popen(line, env=environment, start_new_session=True, **kwargs)
        return subprocess.run(line, env=environment, check=check, **kwargs)


def get(url: str) -> tuple[int, bytes]:
    """As nginx asks it in production: TLS ended at the proxy, which says so."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def serve_and_ask(image: Image) -> list[tuple[str, bool, str]]:
    """Start the image's CMD, as a container would, and ask it what a deployment would."""
    from sqlalchemy import create_engine, text

    port = image.port
    if not port_free(port):
        raise ImageError(f"port {port} (the image's EXPOSE) is taken on this machine")
    schema = f"image_{secrets.token_hex(4)}"
    engine = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    env = {
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEY": secrets.token_hex(32),
        "PROXY_COUNT": "1",
        # Production refuses to start without shared rate limits: this machine's Redis.
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"{POSTGRES}?options=-csearch_path%3D{schema}",
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open while the server runs)
    server = image.chroot(image.cmd, env, background=True, stdout=log, stderr=subprocess.STDOUT)
    checks: list[tuple[str, bool, str]] = []
    try:
        deadline = time.monotonic() + 120
        while port_free(port):
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise ImageError("the image's CMD did not serve:\n" + log.read().decode()[-3000:])
            time.sleep(0.5)
        pages = (
            ("health", "/healthz", b""),
            ("home page", "/", b"Victim Care Hub"),
            ("guidance in Arabic", "/ar/guidance/your-rights", b'dir="rtl"'),
            ("OpenAPI document", "/api/v1/openapi.json", b'"openapi"'),
        )
        for label, path, want in pages:
            status, body = get(f"http://127.0.0.1:{port}{path}")
            checks.append((label, status == 200 and want in body, f"{status}, {len(body):,} B"))
        status, body = get(f"http://127.0.0.1:{port}/")
        links = [part.split('"')[1] for part in body.decode().split("href=")[1:]]
        css = next((link for link in links if link.startswith("/static/") and ".css" in link), None)
        status, sheet = get(f"http://127.0.0.1:{port}{css}") if css else (0, b"")
        checks.append(
            ("its stylesheet", status == 200 and len(sheet) > 10_000, f"{status}, {len(sheet):,} B")
        )
        if image.healthcheck:  # as Docker runs it: in the container, as its user
            probe = image.chroot(["/bin/sh", "-c", image.healthcheck], env, check=False)
            ok = probe.returncode == 0
            checks.append(("HEALTHCHECK", ok, "exit 0" if ok else "failed"))
        for label, module in (
            ("worker (huey_consumer)", "app.worker"),
            ("mail sink", "app.notify.sink"),
        ):
            done = image.chroot(
                ["python", "-c", f"import {module}"], env, check=False, capture_output=True
            )
            checks.append((label, done.returncode == 0, done.stderr.decode()[-200:] or "imports"))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the image folder afterwards")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print(
            "image_check needs root (debootstrap, chroot, mount): run it with sudo", file=sys.stderr
        )
        return 2
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 5432)) != 0:
            print("image_check needs PostgreSQL on 127.0.0.1:5432", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="hub-image-", dir="/var/tmp"))
    image = Image(folder)
    started = time.monotonic()
    try:
        image.make_base()
        base_size = _size(image.root)
        image.mount()
        image.follow(ROOT / "Dockerfile")
        built = time.monotonic() - started
        say(
            f"image built in {built:.0f} s: {_size(image.root) / 1e6:,.0f} MB "
            f"(the base {base_size / 1e6:,.0f} MB)"
        )
        checks = serve_and_ask(image)
    except (ImageError, subprocess.CalledProcessError) as error:
        print(f"image_check: {error}", file=sys.stderr)
        return 1
    finally:
        image.unmount()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    for label, ok, detail in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {label}: {detail}")
    return 0 if all(ok for _label, ok, _detail in checks) else 1


def _size(path: Path) -> int:
    return int(
        subprocess.run(
            ["du", "-sb", "-x", str(path)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
    )


if __name__ == "__main__":
    sys.exit(main())
