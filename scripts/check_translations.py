"""Fail if any UI string in the code lacks a translation in any language's catalogue.

Extracts the strings afresh from app/ (so a string added without `make translations` is caught
too), then reads each translations/<lang>/LC_MESSAGES/messages.po: every message must be present,
translated in every plural form, not fuzzy, and keep the same %(placeholders)s as the English.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "-q",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-o",
                str(pot),
                "--no-location",
                "app",
            ],
            cwd=ROOT,
            check=True,
        )
        with pot.open("rb") as f:
            return {m.id: m for m in read_po(f) if m.id}


def problems_in(po_path: Path, wanted: dict) -> list[str]:
    with po_path.open("rb") as f:
        catalog = read_po(f)
    found = []
    for msgid in wanted:
        key = msgid if isinstance(msgid, str) else msgid[0]
        message = catalog.get(key)
        english = key if isinstance(msgid, str) else " ".join(msgid)
        if message is None:
            found.append(f"missing: {english!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            found.append(f"untranslated or fuzzy: {english!r}")
            continue
        need = set(PLACEHOLDER.findall(english))
        for text in strings:
            have = set(PLACEHOLDER.findall(text))
            # A plural form may leave the number out ("one page"), but never invent a placeholder.
            if have - need or (have != need and isinstance(msgid, str)):
                found.append(f"placeholders differ: {english!r} -> {text!r}")
    return found


def main() -> int:
    wanted = extract()
    failed = False
    for po in sorted(ROOT.glob("translations/*/LC_MESSAGES/messages.po")):
        lang = po.parent.parent.name
        found = problems_in(po, wanted)
        done = len(wanted) - len(found)
        print(f"{lang}: {done}/{len(wanted)} UI strings translated")
        for line in found:
            print(f"  {lang}: {line}")
        failed |= bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
