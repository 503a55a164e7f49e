"""Migration 0003_i keeps each meeting's re-approval switch as review fields, and no row."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from registration.extensions import db
from tests.conftest import make_test_app
from tests.test_migrations import _minimal_row, empty_database_url  # noqa: F401 (fixture)


def test_the_switch_becomes_review_fields_and_registrations_stay(empty_database_url):  # noqa: F811
    app = make_test_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0003_a")
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["event", "category", "registration"])
        with db.engine.begin() as connection:
            for name, values in (
                ("event", {"id": 1, "slug": "on", "reapprove_on_key_edit": True}),
                ("event", {"id": 2, "slug": "off", "reapprove_on_key_edit": False}),
                ("category", {"id": 1, "event_id": 1}),
                ("registration", {"id": 1, "event_id": 1, "category_id": 1}),
            ):
                table = tables.tables[name]
                connection.execute(table.insert().values(_minimal_row(table, **values)))
        upgrade()
        rows = db.session.execute(
            sa.select(sa.column("slug"), sa.column("review_fields", sa.JSON))
            .select_from(sa.table("event"))
            .order_by(sa.column("id"))
        )
        assert [tuple(row) for row in rows] == [
            ("on", ["name", "category", "entity", "photo"]),
            ("off", []),
        ]
        count = db.session.execute(sa.text("SELECT count(*) FROM registration")).scalar_one()
        assert count == 1  # rebuilding ``event`` would have cascaded to its registrations
        db.session.rollback()
        downgrade(revision="0003_a")
        switches = db.session.execute(
            sa.text("SELECT reapprove_on_key_edit FROM event ORDER BY id")
        )
        assert [bool(value) for (value,) in switches] == [True, False]
        # The filler tokens are not sealed: 0003_a's downgrade could not unseal them.
        db.session.execute(sa.text("DELETE FROM registration"))
        db.session.commit()
        downgrade(revision="base")
        db.engine.dispose()
