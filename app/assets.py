"""Links to the built CSS and JS, whose names carry a content hash (scripts/build-assets.mjs)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, url_for


def init_app(app: Flask) -> None:
    manifest_path = Path(app.static_folder or "") / "dist" / "manifest.json"
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text())
    except FileNotFoundError as exc:
        raise RuntimeError(
            f"{manifest_path} is missing: build the assets with scripts/install.sh (make run does)"
        ) from exc

    def asset_url(name: str) -> str:
        return url_for("static", filename="dist/" + manifest[name])

    app.jinja_env.globals["asset_url"] = asset_url
