"""manage and badge tokens kept only as a look-up hash and a sealed copy

Existing tokens keep working: each is hashed for look-up and sealed under the token key
(TOKEN_KEY, else SECRET_KEY: run the upgrade with the deployment's settings), then the plain
columns are dropped.

Revision ID: 0003_a
Revises: 0002
Create Date: 2026-11-30 09:40:00

"""
from alembic import op
import sqlalchemy as sa

from registration.security import seal_token, token_hash, unseal_token


# revision identifiers, used by Alembic.
revision = '0003_a'
down_revision = '0002'
branch_labels = None
depends_on = None

PURPOSES = ("manage", "badge")
registration = sa.table(
    "registration",
    sa.column("id", sa.Integer),
    *(sa.column(f"{p}_token", sa.String) for p in PURPOSES),
    *(sa.column(f"{p}_token_hash", sa.String) for p in PURPOSES),
    *(sa.column(f"{p}_token_sealed", sa.String) for p in PURPOSES),
)


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        for purpose in PURPOSES:
            batch_op.add_column(sa.Column(f'{purpose}_token_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column(f'{purpose}_token_sealed', sa.String(length=120), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(registration.c.id, registration.c.manage_token, registration.c.badge_token)
    ).all()
    for row in rows:
        values = {}
        for purpose, token in zip(PURPOSES, (row.manage_token, row.badge_token)):
            values[f"{purpose}_token_hash"] = token_hash(token)
            values[f"{purpose}_token_sealed"] = seal_token(purpose, token)
        connection.execute(
            sa.update(registration).where(registration.c.id == row.id).values(**values)
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        for purpose in PURPOSES:
            batch_op.alter_column(f'{purpose}_token_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.alter_column(f'{purpose}_token_sealed', existing_type=sa.String(length=120), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_registration_{purpose}_token_hash'), [f'{purpose}_token_hash'])
            batch_op.drop_constraint(batch_op.f(f'uq_registration_{purpose}_token'), type_='unique')
            batch_op.drop_column(f'{purpose}_token')


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        for purpose in PURPOSES:
            batch_op.add_column(sa.Column(f'{purpose}_token', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(registration)).all()
    for row in rows:
        values = {
            f"{purpose}_token": unseal_token(
                purpose,
                getattr(row, f"{purpose}_token_sealed"),
                getattr(row, f"{purpose}_token_hash"),
            )
            for purpose in PURPOSES
        }
        connection.execute(
            sa.update(registration).where(registration.c.id == row.id).values(**values)
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        for purpose in PURPOSES:
            batch_op.alter_column(f'{purpose}_token', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_registration_{purpose}_token'), [f'{purpose}_token'])
            batch_op.drop_constraint(batch_op.f(f'uq_registration_{purpose}_token_hash'), type_='unique')
            batch_op.drop_column(f'{purpose}_token_hash')
            batch_op.drop_column(f'{purpose}_token_sealed')
