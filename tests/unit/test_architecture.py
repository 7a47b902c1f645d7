"""The layers hold (import-linter's contracts in pyproject.toml), and the contracts would notice
a back-import: each deliberate break below, made in a copy of the app, fails them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_app_keeps_its_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "back_import", "contract"),
    [
        # infrastructure reaching up into a domain package
        ("notify/outbox.py", "from app.accounts.models import User", "know no domain"),
        # a lower capability reaching up: cases below entitlements
        ("cases/service.py", "from app.entitlements.service import evaluate_cases", "Layers"),
        # core, the bottom layer, reaching up
        ("core/time.py", "from app.cases.models import Case", "Layers"),
        # the pure engine needing Flask
        ("entitlements/engine.py", "from flask import current_app", "need no Flask"),
    ],
)
def test_a_deliberate_back_import_breaks_a_contract(tmp_path, module, back_import, contract):
    shutil.copytree(
        ROOT / "app",
        tmp_path / "app",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "assets"),
    )
    target = tmp_path / "app" / module
    target.write_text(target.read_text() + f"\n{back_import}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
