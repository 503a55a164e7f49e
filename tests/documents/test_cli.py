"""`flask documents …` commands on the demo meeting with synthetic delegates."""

from datetime import UTC, datetime

import openpyxl
import pytest

from registration.delegates.models import Registration
from registration.demo.fake import fake_registrations
from registration.desk.models import Attendance
from registration.events.models import Event
from tests.documents.conftest import pdf_pages


@pytest.fixture(autouse=True)
def _empty_badge_cache(badge_cache):
    """Every test starts with no cached badge page."""


@pytest.fixture
def delegates(db, event):
    fake_registrations(event, 30, seed=7)
    db.session.commit()


def _run(runner, *args):
    result = runner.invoke(args=["documents", *args])
    assert result.exit_code == 0, result.output
    return result


def test_badges_new_then_none_left(runner, db, event, delegates, tmp_path):
    out = tmp_path / "badges.pdf"
    approved = db.session.execute(
        db.select(db.func.count()).where(Registration.status == "approved")
    ).scalar_one()

    result = _run(
        runner, "badges", "--event", event.slug, "--layout", "card", "--new", "--out", str(out)
    )

    assert f"{approved} badges written" in result.output
    assert len(pdf_pages(out.read_bytes())) == approved
    again = runner.invoke(
        args=["documents", "badges", "--event", event.slug, "--new", "--out", str(out)]
    )
    assert again.exit_code == 1 and "There are no badges to print." in again.output


def test_badges_on_a4_sheets(runner, event, delegates, tmp_path):
    out = tmp_path / "sheets.pdf"
    _run(
        runner,
        "badges",
        "--event",
        event.slug,
        "--status",
        "approved",
        "--layout",
        "a4-4up",
        "--crop-marks",
        "--out",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_participants(runner, event, delegates, tmp_path):
    out = tmp_path / "list.pdf"
    result = _run(runner, "participants", "--event", event.slug, "--lang", "fr", "--out", str(out))
    assert "participants written" in result.output
    assert "ÉTATS MEMBRES" in pdf_pages(out.read_bytes())[0]


def test_export(runner, event, delegates, tmp_path):
    out = tmp_path / "export.xlsx"
    _run(
        runner,
        "export",
        "--event",
        event.slug,
        "--format",
        "xlsx",
        "--columns",
        "reference,email",
        "--out",
        str(out),
    )
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("Reference", "Email") and len(rows) == 31
    bad = runner.invoke(
        args=[
            "documents",
            "export",
            "--event",
            event.slug,
            "--format",
            "csv",
            "--columns",
            "nope",
            "--out",
            str(out),
        ]
    )
    assert bad.exit_code == 1


def test_attendance(runner, event, delegates, tmp_path):
    out = tmp_path / "attendance.xlsx"
    _run(runner, "attendance", "--event", event.slug, "--out", str(out))
    assert openpyxl.load_workbook(out).worksheets[0].max_row > 1


def test_certificate(runner, db, make_registration, tmp_path, meeting_ended):
    registration = make_registration("approved", family_name="Present")
    out = tmp_path / "certificate.pdf"
    refused = runner.invoke(
        args=["documents", "certificate", "--reference", registration.reference, "--out", str(out)]
    )
    assert refused.exit_code == 1 and "certificate of attendance is issued only" in refused.output
    db.session.add(
        Attendance(
            registration_id=registration.id,
            checkpoint="venue",
            checked_in_at=datetime(2026, 12, 17, 8, tzinfo=UTC),
        )
    )
    db.session.commit()

    _run(runner, "certificate", "--reference", registration.reference.lower(), "--out", str(out))

    assert "PRESENT" in pdf_pages(out.read_bytes())[0]


def test_warm_badges(runner, event, delegates):
    result = _run(runner, "warm-badges", "--batch", "10")
    assert "Badge cache is warm" in result.output
    assert "Badge cache is warm (0 pages" in _run(runner, "warm-badges").output


def test_prune_badges(runner, event, delegates):
    _run(runner, "warm-badges")
    assert "0 stale badge pages deleted." in _run(runner, "prune-badges").output


def test_unknown_event(runner, tmp_path):
    result = runner.invoke(
        args=["documents", "participants", "--event", "nope", "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1 and "No event" in result.output


def test_event_is_optional_when_there_is_one_meeting(runner, db, event, tmp_path):
    out = tmp_path / "attendance.xlsx"
    _run(runner, "attendance", "--out", str(out))
    assert out.read_bytes()[:2] == b"PK"

    second = Event(
        slug="second",
        title={"en": "Second"},
        start_date=event.start_date,
        end_date=event.end_date,
    )
    db.session.add(second)
    db.session.commit()
    refused = runner.invoke(args=["documents", "attendance", "--out", str(out)])
    assert refused.exit_code == 1 and "name one with --event SLUG" in refused.output
    _run(runner, "attendance", "--event", "second", "--out", str(out))


def test_make_run_takes_a_port():
    import subprocess

    from registration.paths import PROJECT_ROOT

    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert "--port 8123" in dry.stdout and "http://127.0.0.1:8123" in dry.stdout
