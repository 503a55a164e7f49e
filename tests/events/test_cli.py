"""`flask event …` and `flask demo load`."""

from registration.demo.services import DEMO_FILE
from registration.events.models import Event


def test_import_then_list(runner, db):
    result = runner.invoke(args=["event", "import", str(DEMO_FILE)])
    assert result.exit_code == 0, result.output
    assert "9 sessions, 9 categories, 33 entities" in result.output
    listing = runner.invoke(args=["event", "list"])
    assert "idm-2008-return-migration" in listing.output


def test_import_error_names_line_and_changes_nothing(runner, db, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(DEMO_FILE.read_text().replace("  slug: idm", "  slugg: idm"))
    result = runner.invoke(args=["event", "import", str(broken)])
    assert result.exit_code == 1
    assert "line 20: event.slug: missing" in result.output
    assert db.session.execute(db.select(Event)).first() is None


def test_demo_load_opens_registration(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "registration open until" in result.output
