"""The lock files (requirements/*.txt, written by `make lock`) pin everything pyproject.toml asks
for: each dependency once, with `==`, a version its range allows, and the hashes pip's
--require-hashes checks. A dependency added or a range moved without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]
# Each lock and what it must hold: the runtime, then the dev extra on top, then the bench extra.
LOCKS = {
    "app": PROJECT["dependencies"],
    "dev": PROJECT["dependencies"] + EXTRAS["dev"],
    "bench": PROJECT["dependencies"] + EXTRAS["dev"] + EXTRAS["bench"],
}


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, [hashes])}; fails on a requirement that is not `name==version`."""
    pins: dict[str, tuple[str, list[str]]] = {}
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    # One requirement per logical line: its hashes follow on backslash-continued lines.
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pin = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})*)", line)
        assert pin, f"requirements/{name}.txt: not pinned with == and hashes: {line!r}"
        package = canonicalize_name(pin[1])
        assert package not in pins, f"requirements/{name}.txt pins {package} twice"
        pins[package] = (pin[2], re.findall(r"[0-9a-f]{64}", pin[3]))
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_dependency_is_pinned_with_hashes_in_its_lock(lock):
    pins = read_lock(lock)
    for line in LOCKS[lock]:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        package = canonicalize_name(requirement.name)
        assert package in pins, f"{requirement.name} is not in requirements/{lock}.txt: make lock"
        version, hashes = pins[package]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock}.txt pins {package}=={version}, outside {line!r}: make lock"
        )
        assert hashes, f"requirements/{lock}.txt has no hash for {package}"


@pytest.mark.parametrize(("smaller", "larger"), [("app", "dev"), ("dev", "bench")])
def test_the_locks_agree_on_what_they_share(smaller, larger):
    small, large = read_lock(smaller), read_lock(larger)
    assert set(small) <= set(large), set(small) - set(large)
    differ = {p: (small[p][0], large[p][0]) for p in small if small[p][0] != large[p][0]}
    assert not differ, f"{smaller}.txt and {larger}.txt pin different versions: {differ}"


def test_the_install_and_the_image_use_the_locks():
    install = (ROOT / "scripts" / "install.sh").read_text()
    for lock in LOCKS:
        assert f"requirements/{lock}.txt" in install
    assert install.count("--require-hashes") == 2  # the virtualenv and the image
    assert "COPY requirements/app.txt " in (ROOT / "Dockerfile").read_text()
