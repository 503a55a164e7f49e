"""The Alembic chain builds, on an empty database, exactly the schema the models declare."""

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
