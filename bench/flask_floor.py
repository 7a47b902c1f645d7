"""The floor cost of any Flask response: a bare app returning a page as precomputed bytes.

Run by bench/guidance.py under gunicorn, with BENCH_PAGE naming the file to serve."""

import os
from pathlib import Path

from flask import Flask, Response

PAGE = Path(os.environ["BENCH_PAGE"]).read_bytes()
app = Flask(__name__)


@app.get("/guidance/<slug>")
def page(slug: str) -> Response:
    return Response(PAGE, mimetype="text/html")
