"""texts in every meeting language: event series/organiser/venue and session titles become
{language: text}; sessions get a description; entities get per-language names; badge language

Revision ID: 0003_f
Revises: 0002
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0003_f'
down_revision = '0002'
branch_labels = None
depends_on = None

#: (table, column) pairs whose plain text becomes {first meeting language: text}.
_TEXTS = (('event', 'series'), ('event', 'organiser'), ('event', 'venue'), ('agenda_session', 'title'))


def _first_languages(connection) -> dict:
    """{event id: its first language}."""
    rows = connection.execute(sa.text('SELECT id, languages FROM event')).all()
    result = {}
    for event_id, languages in rows:
        if isinstance(languages, str):
            languages = json.loads(languages)
        result[event_id] = (languages or ['en'])[0]
    return result


def _convert(table: str, column: str, to_dict: bool) -> None:
    """Replace ``column`` by a column of the other kind holding the same text."""
    connection = op.get_bind()
    first = _first_languages(connection)
    event_column = 'id' if table == 'event' else 'event_id'
    new_type = sa.JSON() if to_dict else sa.String(length=300)
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column(f'{column}_new', new_type, nullable=True))
    rows = connection.execute(sa.text(f'SELECT id, {event_column}, {column} FROM {table}')).all()
    target = sa.table(table, sa.column('id', sa.Integer), sa.column(f'{column}_new', new_type))
    for row_id, event_id, value in rows:
        if to_dict:
            new = {first.get(event_id, 'en'): value} if value else {}
        else:
            value = json.loads(value) if isinstance(value, str) else (value or {})
            new = (value.get(first.get(event_id, 'en')) or next(iter(value.values()), ''))[:300]
        connection.execute(
            target.update().where(target.c.id == row_id).values({f'{column}_new': new})
        )
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_column(column)
        batch_op.alter_column(f'{column}_new', new_column_name=column, existing_type=new_type, nullable=False)


def _add_dict_column(table: str, column: str) -> None:
    """A NOT NULL JSON column, {} on existing rows."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column(column, sa.JSON(), nullable=True))
    target = sa.table(table, sa.column(column, sa.JSON))
    op.get_bind().execute(target.update().values({column: {}}))
    with op.batch_alter_table(table) as batch_op:
        batch_op.alter_column(column, existing_type=sa.JSON(), nullable=False)


def upgrade():
    for table, column in _TEXTS:
        _convert(table, column, to_dict=True)
    _add_dict_column('agenda_session', 'description')
    _add_dict_column('entity', 'names')
    with op.batch_alter_table('event') as batch_op:
        batch_op.add_column(sa.Column('badge_language', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('event') as batch_op:
        batch_op.drop_column('badge_language')
    with op.batch_alter_table('entity') as batch_op:
        batch_op.drop_column('names')
    with op.batch_alter_table('agenda_session') as batch_op:
        batch_op.drop_column('description')
    for table, column in _TEXTS:
        _convert(table, column, to_dict=False)
