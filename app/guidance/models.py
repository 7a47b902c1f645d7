"""The search index of guidance pages.

On PostgreSQL the table also has a generated, weighted `tsv` column (title A, summary B, body C)
with a GIN index; on SQLite an FTS5 table mirrors it through triggers. Both are created by the
migration, not by these models: see migrations/versions/0001_search_index.py.
"""

from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class SearchDocument(Model):
    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("lang", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    slug: Mapped[str] = mapped_column(String(120))
    section: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32))
