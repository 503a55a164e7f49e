"""The retention purge: personal data of a meeting past its retention period is erased, the
statistics and attendance counts stay exactly the same, and running it again changes nothing."""

from datetime import timedelta

import sqlalchemy as sa

from registration import storage
from registration.database import utcnow
from registration.delegates import photos
from registration.delegates.models import Registration, registration_session
from registration.delegations import letters
from registration.delegations.models import FocalPoint, NominationLetter
from registration.desk.models import Attendance
from registration.documents import badges, statistics
from registration.jobs import runner as job_runner
from registration.jobs.models import Job
from registration.mail.models import MailStatus, OutboxEmail
from registration.privacy import services
from registration.privacy.models import Erasure, ErasureStatus
from registration.security import token_hash
from tests.conftest import run_jobs
from tests.privacy.conftest import PERSONAL, end_meeting


def _figures(db, event) -> dict:
    """Every statistic of the meeting: charts of each scope, attendance and choices per session."""
    figures = {
        scope: [
            (chart.key, [(bar.label, bar.count) for bar in chart.bars])
            for chart in statistics.statistics(event, scope)
        ]
        for scope in statistics.SCOPES
    }
    figures["attendance"] = sorted(
        db.session.execute(
            sa.select(Attendance.checkpoint, sa.func.count())
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(Registration.event_id == event.id, Attendance.annulled_at.is_(None))
            .group_by(Attendance.checkpoint)
        ).all()
    )
    figures["chosen"] = sorted(
        db.session.execute(
            sa.select(registration_session.c.session_id, sa.func.count()).group_by(
                registration_session.c.session_id
            )
        ).all()
    )
    return figures


def _everything_stored(db) -> str:
    """Every value of every row of every table, as one text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            values.extend(str(value) for value in row)
    return "\n".join(values)


def test_a_meeting_within_its_retention_period_is_left_alone(db, meeting):
    end_meeting(db, meeting.event, days_ago=90)  # the 90th day after the meeting: still kept
    report = services.purge_expired_events()
    assert report.events == {}
    stored = _everything_stored(db)
    assert all(text in stored for text in PERSONAL)


def test_the_purge_erases_personal_data_and_keeps_the_statistics(db, meeting):
    event = meeting.event
    end_meeting(db, event, days_ago=91)
    before = _figures(db, event)
    assert before["attendance"] and before["chosen"]
    stored = _everything_stored(db)
    assert all(text in stored for text in PERSONAL)  # the sample holds what must go
    letter_names = [
        letter.stored_name for letter in db.session.scalars(sa.select(NominationLetter))
    ]
    tokens = (meeting.approved.manage_token, meeting.approved.badge_token)

    report = services.purge_expired_events()
    db.session.commit()

    counts = report.events[event.slug]
    assert counts.registrations == 6 and counts.photos == 1
    assert counts.letters == 2 and counts.focal_points == 1
    assert counts.emails >= 7 and counts.audit_entries >= 7
    assert _figures(db, event) == before
    stored = _everything_stored(db)
    assert [text for text in PERSONAL if text in stored] == []
    # Old links and QR codes open nothing.
    for column, token in zip(
        (Registration.manage_token_hash, Registration.badge_token_hash), tokens, strict=True
    ):
        assert db.session.scalar(sa.select(Registration).where(column == token_hash(token))) is None
    assert not photos.is_stored_photo(meeting.photo)
    assert not any(storage.get_storage().exists(letters.letter_key(n)) for n in letter_names)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FocalPoint)) == 0
    emails = db.session.scalars(sa.select(OutboxEmail)).all()
    assert emails and all(e.body_text == e.body_html == e.recipient == "" for e in emails)
    assert all(e.status != MailStatus.QUEUED for e in emails)  # nothing left to send
    erasures = db.session.scalars(sa.select(Erasure)).all()
    assert len(erasures) == 6
    assert {(e.cause, e.status) for e in erasures} == {("retention", ErasureStatus.ERASED)}


def test_rendered_badges_of_erased_people_are_deleted(db, meeting):
    event, approved = meeting.event, meeting.approved
    content = badges.BadgeData(event).content(approved)
    assert content["family_name"] == "ZEBROWSKA"
    page = badges.page_file("a6", badges.page_key(content, "a6", badges.fingerprint()))
    storage.get_storage().save(page, b"%PDF-1.7 a rendered badge")
    end_meeting(db, event, days_ago=120)
    report = services.purge_expired_events()
    db.session.commit()
    assert report.badge_pruning is not None and storage.get_storage().exists(page)
    run_jobs()  # as a worker does
    assert not storage.get_storage().exists(page)


def test_the_purge_is_idempotent(db, meeting):
    end_meeting(db, meeting.event, days_ago=200)
    services.purge_expired_events()
    db.session.commit()
    figures, stored = _figures(db, meeting.event), _everything_stored(db)

    again = services.purge_expired_events(utcnow() + timedelta(days=1))
    db.session.commit()

    assert set(again.total.as_dict().values()) == {0}
    assert list(again.events) == [meeting.event.slug]
    assert _figures(db, meeting.event) == figures
    assert _everything_stored(db) == stored


def test_the_retention_period_is_the_meetings_own(db, meeting):
    end_meeting(db, meeting.event, days_ago=11)
    meeting.event.retention_days = 10
    db.session.commit()
    assert list(services.purge_expired_events().events) == [meeting.event.slug]


def test_the_purge_command_reports_what_it_did(db, meeting, runner):
    end_meeting(db, meeting.event, days_ago=365)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert f"{meeting.event.slug}: 6 registrations, 1 photos, 2 letters" in result.output
    again = runner.invoke(args=["privacy", "purge"])
    assert f"{meeting.event.slug}: 0 registrations, 0 photos, 0 letters" in again.output


def test_the_worker_runs_the_purge_on_its_schedule(db, meeting):
    end_meeting(db, meeting.event, days_ago=200)
    job_runner._scheduled.clear()  # as a worker that has just started
    job_runner.schedule_periodic(utcnow())
    assert run_jobs() >= 2
    db.session.expire_all()
    # Nothing personal is left for a purge to erase: the worker's run erased it.
    again = services.purge_expired_events()
    assert list(again.events) == [meeting.event.slug]
    assert set(again.total.as_dict().values()) == {0}
    kinds = set(db.session.execute(db.select(Job.kind)).scalars())
    assert {"periodic:privacy-purge", "periodic:privacy-orphan-uploads"} <= kinds
