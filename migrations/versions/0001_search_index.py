"""Search index of guidance pages.

One table for both databases; each database then gets its own full-text structure:
- SQLite: an FTS5 table over title, summary and body, kept in step by triggers;
- PostgreSQL: a generated tsvector column (title weighted A, summary B, body C), English stemming
  for English pages and the 'simple' configuration for other languages, with a GIN index.

Revision ID: 0001
Revises:
Created: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_PG_CONFIG = "CASE WHEN lang = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END"
_PG_TSV = f"""
ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector({_PG_CONFIG}, title), 'A') ||
    setweight(to_tsvector({_PG_CONFIG}, summary), 'B') ||
    setweight(to_tsvector({_PG_CONFIG}, body), 'C')
) STORED
"""

_SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, summary, body,
        content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO search_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
]


def upgrade():
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("lang", "slug", name=op.f("uq_search_document_lang")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_TSV)
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")
    elif dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_document")
