"""review fields, secretariat address, practical information, certificate, list columns

Revision ID: 0003_i
Revises: 0003_a
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i"
down_revision = "0003_a"  # re-chained after main's 0003_a at merge
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
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_fields", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("secretariat_email", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("practical_info", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("certificate_logo", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column(
                "certificate_signatory", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "certificate_signatory_title",
                sa.String(length=300),
                nullable=False,
                server_default="",
            )
        )
    # Meetings keep what their switch said: on → the old key fields, off → none.
    for switch, fields in ((True, _OLD_KEY_FIELDS), (False, [])):
        op.execute(
            _event.update()
            .where(_event.c.reapprove_on_key_edit == switch)
            .values(review_fields=fields)
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("review_fields", existing_type=sa.JSON(), nullable=False)
        for name in (
            "secretariat_email",
            "practical_info",
            "certificate_signatory",
            "certificate_signatory_title",
        ):
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column("reapprove_on_key_edit")


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reapprove_on_key_edit", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    connection = op.get_bind()
    for event_id, fields in connection.execute(sa.select(_event.c.id, _event.c.review_fields)):
        connection.execute(
            _event.update()
            .where(_event.c.id == event_id)
            .values(reapprove_on_key_edit=bool(fields))
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column("reapprove_on_key_edit", server_default=None)
        batch_op.drop_column("certificate_signatory_title")
        batch_op.drop_column("certificate_signatory")
        batch_op.drop_column("certificate_logo")
        batch_op.drop_column("practical_info")
        batch_op.drop_column("secretariat_email")
        batch_op.drop_column("review_fields")
    op.drop_table("staff_preference")
