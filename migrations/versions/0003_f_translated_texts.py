"""texts in every meeting language: event series/organiser/venue and session titles become
{language: text}; sessions get a description; entities get per-language names; badge language

Revision ID: 0003_f
Revises: 0003_i

Columns are added, filled, dropped and renamed in place (no batch mode): SQLite's batch mode
copies the table and drops the old one, and with foreign keys on, dropping ``event`` would
cascade to every session, category and registration. SQLite has had DROP and RENAME COLUMN
since 3.35; its NOT NULL columns keep their '{}' default (a NOT NULL column can only be
added with one there).
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0003_f'
down_revision = "0003_i"
branch_labels = None
depends_on = None

#: (table, column) pairs whose plain text becomes {first meeting language: text}.
_TEXTS = (('event', 'series'), ('event', 'organiser'), ('event', 'venue'), ('agenda_session', 'title'))


def _first_languages(connection) -> dict:
    """{event id: its first language}."""
    result = {}
    for event_id, languages in connection.execute(sa.text('SELECT id, languages FROM event')):
        if isinstance(languages, str):
            languages = json.loads(languages)
        result[event_id] = (languages or ['en'])[0]
    return result


def _add_not_null(table: str, column: str, kind, default: str) -> None:
    """A NOT NULL column, ``default`` on existing rows (kept as server default on SQLite)."""
    op.add_column(table, sa.Column(column, kind, nullable=False, server_default=sa.text(default)))
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column(table, column, server_default=None, existing_type=kind)


def _convert(table: str, column: str, to_dict: bool) -> None:
    """Replace ``column`` by a column of the other kind holding the same text."""
    connection = op.get_bind()
    first = _first_languages(connection)
    event_column = 'id' if table == 'event' else 'event_id'
    new_type = sa.JSON() if to_dict else sa.String(length=300)
    _add_not_null(table, f'{column}_new', new_type, "'{}'" if to_dict else "''")
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
    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.execute(f'ALTER TABLE {table} RENAME COLUMN {column}_new TO {column}')


def upgrade():
    for table, column in _TEXTS:
        _convert(table, column, to_dict=True)
    _add_not_null('agenda_session', 'description', sa.JSON(), "'{}'")
    _add_not_null('entity', 'names', sa.JSON(), "'{}'")
    op.add_column('event', sa.Column('badge_language', sa.String(length=5), nullable=True))


def downgrade():
    op.drop_column('event', 'badge_language')
    op.drop_column('entity', 'names')
    op.drop_column('agenda_session', 'description')
    for table, column in _TEXTS:
        _convert(table, column, to_dict=False)
