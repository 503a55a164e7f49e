"""the desk's accent-free search column

Revision ID: 0003_h
Revises: 0003_f
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003_h"
down_revision = "0003_f"
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    """registration.delegates.models.fold_search as of this revision."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = (char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


def upgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.String(length=800), nullable=False, server_default="")
        )
    with op.batch_alter_table("registration") as batch_op:
        batch_op.alter_column("search_text", server_default=None)
        batch_op.create_index("ix_registration_event_search", ["event_id", "search_text"])
    connection = op.get_bind()
    table = sa.table(
        "registration",
        sa.column("id", sa.Integer),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("other_organisation", sa.String),
        sa.column("reference", sa.String),
        sa.column("search_text", sa.String),
    )
    rows = connection.execute(
        sa.select(
            table.c.id,
            table.c.given_name,
            table.c.family_name,
            table.c.other_organisation,
            table.c.reference,
        )
    ).all()
    for ident, *parts in rows:
        connection.execute(
            table.update()
            .where(table.c.id == ident)
            .values(search_text=_fold(" ".join(part or "" for part in parts)))
        )


def downgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_index("ix_registration_event_search")
        batch_op.drop_column("search_text")
