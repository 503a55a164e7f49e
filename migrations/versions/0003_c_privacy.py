"""retention period per meeting and the record of erasures

Revision ID: 0003_c
Revises: 0003_b
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_c'
down_revision = "0003_b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='90', nullable=False))

    op.create_table('erasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('requested', 'erased', 'declined', name='erasurestatus', native_enum=False, length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_erasure_decided_by_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_erasure_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_erasure_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_erasure_registration_id'))
    )
    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.create_index('ix_erasure_event_status', ['event_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.drop_index('ix_erasure_event_status')

    op.drop_table('erasure')
    # Not a batch operation: on SQLite it would copy and drop the event table, and dropping it
    # deletes every registration through ON DELETE CASCADE. SQLite >= 3.35 drops a column.
    op.execute('ALTER TABLE event DROP COLUMN retention_days')
