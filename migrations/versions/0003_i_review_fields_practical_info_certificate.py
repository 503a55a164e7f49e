"""review fields, secretariat address, practical information, certificate, list columns

Revision ID: 0003_i
Revises: 0003_a
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i"
down_revision = "0003_a"
branch_labels = None
depends_on = None

#: What the old switch "a delegate's change of name, entity, category or photo needs approval
#: again" meant, as review fields.
_OLD_KEY_FIELDS = ["name", "category", "entity", "photo"]
_event = sa.table(
    "event",
    sa.column("id", sa.Integer),
    sa.column("review_fields", sa.JSON),
    sa.column("reapprove_on_key_edit", sa.Boolean),
)


def _drop_column(table: str, column: str) -> None:
    """Drop a plain column in place. Alembic's batch mode would copy and drop the table on
    SQLite, and dropping ``event`` there cascades to every registration of the meeting."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))  # SQLite >= 3.35
    else:
        op.drop_column(table, column)


def _event_columns() -> tuple[sa.Column, ...]:
    """New columns of ``event`` (new objects each time: a Column joins one table only); their
    server defaults fill existing rows, and stay (SQLite cannot change a column in place)."""
    return (
        sa.Column("review_fields", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("secretariat_email", sa.String(length=254), nullable=False, server_default=""),
        sa.Column("practical_info", sa.Text(), nullable=False, server_default=""),
        sa.Column("certificate_logo", sa.String(length=80), nullable=True),
        sa.Column(
            "certificate_signatory", sa.String(length=200), nullable=False, server_default=""
        ),
        sa.Column(
            "certificate_signatory_title", sa.String(length=300), nullable=False, server_default=""
        ),
    )


def upgrade():
    op.create_table(
        "staff_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("list_columns", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_preference_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_preference")),
    )
    for column in _event_columns():
        op.add_column("event", column)
    # Meetings keep what their switch said: on → the old key fields, off → none.
    op.execute(
        _event.update()
        .where(_event.c.reapprove_on_key_edit == sa.true())
        .values(review_fields=_OLD_KEY_FIELDS)
    )
    _drop_column("event", "reapprove_on_key_edit")


def downgrade():
    op.add_column(
        "event",
        sa.Column("reapprove_on_key_edit", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    connection = op.get_bind()
    for event_id, fields in connection.execute(sa.select(_event.c.id, _event.c.review_fields)):
        connection.execute(
            _event.update()
            .where(_event.c.id == event_id)
            .values(reapprove_on_key_edit=bool(fields))
        )
    for column in reversed(_event_columns()):
        _drop_column("event", column.name)
    op.drop_table("staff_preference")
