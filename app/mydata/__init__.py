"""A person's own data, whole: the export (right of access) put together from every capability
that holds something about them, one level above accounts and requests so that neither needs
the other."""

from flask import Blueprint

bp = Blueprint("mydata", __name__, template_folder="templates")

from app.mydata import views  # noqa: E402,F401  (routes register on import)
