"""The Alembic chain builds, on an empty database, exactly the schema the models declare."""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from registration.delegates.lookup import registration_for_link
from registration.extensions import db
from registration.security import new_token, token_hash
from tests.conftest import _TMP, DATABASE_URL, ON_POSTGRES, make_test_app


@pytest.fixture
def empty_database_url():
    """A new, empty database of the same kind as the suite's, dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{_TMP / f'migrations-{uuid.uuid4().hex}.sqlite'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_matches_the_models_and_downgrade_empties(empty_database_url):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def test_0003_f_keeps_existing_texts_in_the_meetings_first_language(empty_database_url):
    """Plain series, venue and session titles become {first language: text}; nothing is lost."""
    app = make_test_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO event (slug, title, series, organiser, start_date, end_date,"
                    " timezone, venue, languages, reference_prefix, moderation,"
                    " reapprove_on_key_edit, created_at) VALUES ('m', :title, 'Série', '',"
                    " '2030-01-01', '2030-01-02', 'UTC', 'Genève', :languages, 'M', true, true,"
                    " '2030-01-01 00:00:00+00')"
                ),
                {"title": '{"fr": "Titre"}', "languages": '["fr", "en"]'},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO agenda_session (event_id, code, title, kind, starts_at, ends_at,"
                    " room, moderator, speakers) SELECT id, 's', 'Ouverture', 'plenary',"
                    " '2030-01-01 09:00:00+00', '2030-01-01 10:00:00+00', '', '', '[]' FROM event"
                )
            )
        upgrade(revision="0003_f")
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT series, organiser, venue FROM event")).one()
            session = "SELECT title, description FROM agenda_session"
            title = connection.execute(sa.text(session)).one()
        loads = lambda value: value if isinstance(value, dict) else json.loads(value)  # noqa: E731
        assert [loads(value) for value in row] == [{"fr": "Série"}, {}, {"fr": "Genève"}]
        assert [loads(value) for value in title] == [{"fr": "Ouverture"}, {}]
        downgrade(revision="0002")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT venue FROM event")).scalar_one() == "Genève"
        downgrade(revision="base")
        db.engine.dispose()


def _minimal_row(table: sa.Table, **values) -> dict:
    """``values`` plus a plain value for every other required column of ``table``."""
    fillers = {
        sa.String: "x",
        sa.Text: "x",
        sa.Integer: 1,
        sa.Boolean: False,
        sa.JSON: {},
        sa.DateTime: datetime.now(UTC),
        sa.Date: date(2026, 7, 7),
    }
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        row[column.name] = next(v for t, v in fillers.items() if isinstance(column.type, t))
    return row


def test_tokens_of_existing_registrations_keep_working_once_sealed(empty_database_url):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    manage, badge = new_token(), new_token()
    with app.app_context():
        upgrade(revision="0002")
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["event", "category", "registration"])
        with db.engine.begin() as connection:
            for name, values in (
                ("event", {"id": 1, "slug": "idm"}),
                ("category", {"id": 1, "event_id": 1}),
                (
                    "registration",
                    {
                        "id": 1,
                        "event_id": 1,
                        "category_id": 1,
                        "status": "approved",
                        "manage_token": manage,
                        "badge_token": badge,
                    },
                ),
            ):
                connection.execute(
                    tables.tables[name].insert().values(_minimal_row(tables.tables[name], **values))
                )
        upgrade()
        stored = db.session.execute(sa.text("SELECT * FROM registration")).mappings().one()
        assert manage not in str(dict(stored)) and badge not in str(dict(stored))
        assert stored["badge_token_hash"] == token_hash(badge)
        registration = registration_for_link(manage)
        assert (registration.manage_token, registration.badge_token) == (manage, badge)
        db.session.rollback()
        downgrade(revision="0002")
        plain = db.session.execute(sa.text("SELECT manage_token, badge_token FROM registration"))
        assert tuple(plain.one()) == (manage, badge)
        db.session.rollback()
        downgrade(revision="base")
        db.engine.dispose()


def test_upgrade_keeps_every_row_that_hangs_on_a_registration(empty_database_url):
    """Rebuilding a parent table (SQLite's way to alter it) must not cascade to its children."""
    app = make_test_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    children = ("registration_session", "attendance", "audit_event", "outbox_email")
    with app.app_context():
        upgrade(revision="0002")
        tables = sa.MetaData()
        tables.reflect(db.engine)
        rows = (
            ("event", {"id": 1, "slug": "idm"}),
            ("category", {"id": 1, "event_id": 1}),
            ("agenda_session", {"id": 1, "event_id": 1}),
            (
                "registration",
                {
                    "id": 1,
                    "event_id": 1,
                    "category_id": 1,
                    "status": "approved",
                    "manage_token": new_token(),
                    "badge_token": new_token(),
                },
            ),
            ("registration_session", {"registration_id": 1, "session_id": 1}),
            ("attendance", {"id": 1, "registration_id": 1, "event_id": 1}),
            ("audit_event", {"id": 1, "registration_id": 1, "event_id": 1}),
            ("outbox_email", {"id": 1, "registration_id": 1, "event_id": 1}),
        )
        with db.engine.begin() as connection:
            for name, values in rows:
                table = tables.tables[name]
                known = {key: value for key, value in values.items() if key in table.columns}
                connection.execute(table.insert().values(_minimal_row(table, **known)))
        upgrade()
        counts = {
            name: db.session.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("registration", *children)
        }
        assert counts == dict.fromkeys(("registration", *children), 1)
        db.session.rollback()
        db.session.execute(sa.text("DELETE FROM registration"))  # fillers are not sealed tokens
        db.session.commit()
        downgrade(revision="base")
        db.engine.dispose()
