"""The job queue: claiming, leases, attempts, progress, outcomes, periodic occurrences, upkeep."""

import os
import threading
from datetime import timedelta

import pytest

from registration import queue
from registration.database import utcnow
from registration.errors import DomainError
from registration.extensions import db as _db
from registration.jobs import files, runner, services
from registration.jobs.models import Job, JobStatus
from registration.jobs.registry import PERIODIC, TASKS, periodic, task
from registration.storage import get_storage
from registration.storage.local import LocalStorage
from tests.concurrency import run_together

#: What the test tasks did, by job id.
RUNS: dict[int, int] = {}


@task("test-count", roles=("registrar",), title="Counting")
def _count(job):
    RUNS[job.id] = RUNS.get(job.id, 0) + 1
    for done in range(1, 4):
        job.progress(done, 3)
    job.write_result(b"counted", ".csv")


@task("test-flaky", max_attempts=2)
def _flaky(job):
    RUNS[job.id] = RUNS.get(job.id, 0) + 1
    raise OSError("disk on fire")


@task("test-refused")
def _refused(job):
    raise DomainError("Nothing to do here.", "nothing")


@task("test-slow")
def _slow(job):
    RUNS[job.id] = RUNS.get(job.id, 0) + 1
    threading.Event().wait(0.5)


@pytest.fixture(autouse=True)
def _forget_runs():
    """Job ids are reused once the tables are emptied."""
    RUNS.clear()


def _job(db, kind: str, **values) -> Job:
    job = services.enqueue(kind, event=None, payload=values.pop("payload", {}))
    for name, value in values.items():
        setattr(job, name, value)
    db.session.commit()
    return job


def _reload(db, job: Job) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_a_job_runs_reports_progress_and_keeps_its_result(db):
    job = _job(db, "test-count")

    assert runner.run_due() == 1

    job = _reload(db, job)
    assert job.status == JobStatus.DONE and (job.done, job.total) == (3, 3)
    assert job.attempts == 1 and job.claim_token is None and job.claimed_until is None
    assert get_storage().read(files.result_key(job.result_file)) == b"counted"
    assert job.expires_at > utcnow() + timedelta(hours=23)
    assert runner.run_due() == 0  # nothing left


def test_a_failing_job_is_retried_then_given_up_with_its_error(app, db):
    job = _job(db, "test-flaky")

    runner.run_due()
    job = _reload(db, job)
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.last_error == "OSError: disk on fire" and job.run_after > utcnow()

    job.run_after = utcnow()  # the back-off has passed
    db.session.commit()
    runner.run_due()
    job = _reload(db, job)
    assert job.status == JobStatus.FAILED and job.attempts == 2
    assert job.error == "The job failed." and job.last_error == "OSError: disk on fire"
    assert RUNS[job.id] == 2


def test_bad_input_fails_at_once_with_its_message(db):
    job = _job(db, "test-refused")

    runner.run_due()

    job = _reload(db, job)
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert job.error == "Nothing to do here." and job.last_error == "nothing"


def test_a_job_whose_worker_died_is_taken_over_when_the_lease_lapses(app, db):
    job = _job(db, "test-count")
    # A worker claims the job and dies without a word.
    claim = queue.claim(
        Job,
        runner._ready,
        (Job.id,),
        limit=1,
        lease=timedelta(seconds=60),
        values={"status": JobStatus.RUNNING, "attempts": Job.attempts + 1},
    )
    db.session.commit()
    assert [row.id for row in claim.rows] == [job.id]

    assert runner.run_due() == 0  # the lease is alive: nobody else takes the job

    _db.session.execute(
        _db.update(Job)
        .where(Job.id == job.id)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert runner.run_due() == 1
    job = _reload(db, job)
    assert job.status == JobStatus.DONE and job.attempts == 2 and RUNS[job.id] == 1
    # The dead worker's token no longer records anything.
    assert not queue.settle(Job, job.id, claim.token, {"status": JobStatus.FAILED})


def test_a_job_that_kills_its_worker_every_time_is_given_up(db):
    job = _job(db, "test-flaky", attempts=2, status=JobStatus.RUNNING)  # two workers died

    runner.run_due()

    job = _reload(db, job)
    assert job.status == JobStatus.FAILED and "gave up after 2 attempts" in job.last_error
    assert job.id not in RUNS


def test_two_workers_racing_for_one_job_run_it_once(app, db):
    job_id = _job(db, "test-slow").id

    def worker(ready):
        ready()
        return runner.run_one()

    outcomes = run_together(app, [worker, worker, worker])

    assert sorted(outcomes) == [False, False, True]
    assert RUNS[job_id] == 1 and db.session.get(Job, job_id).status == JobStatus.DONE


def test_a_periodic_occurrence_is_queued_once_whatever_the_number_of_workers(app, db):
    @periodic("test-tick", every=timedelta(hours=1))
    def tick(job):
        RUNS[-1] = RUNS.get(-1, 0) + 1

    try:
        now = utcnow()
        for _worker in range(3):
            runner._scheduled.clear()  # as if each were another process
            runner.schedule_periodic(now)
        rows = db.session.execute(db.select(Job).where(Job.kind == "periodic:test-tick")).scalars()
        assert len(list(rows)) == 1
        runner._scheduled.clear()
        runner.schedule_periodic(now + timedelta(hours=1))  # the next occurrence
        assert (
            db.session.scalar(
                db.select(_db.func.count()).select_from(Job).where(Job.kind == "periodic:test-tick")
            )
            == 2
        )
    finally:
        PERIODIC.pop("test-tick")
        TASKS.pop("periodic:test-tick")
        runner._scheduled.clear()


def test_expired_jobs_and_their_files_are_deleted_by_the_worker(db):
    old, fresh = _job(db, "test-count"), _job(db, "test-count")
    runner.run_due()
    old, fresh = _reload(db, old), _reload(db, fresh)
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    old_file, fresh_file = files.result_key(old.result_file), files.result_key(fresh.result_file)

    assert services.expire_jobs() == 1

    assert not get_storage().exists(old_file) and get_storage().exists(fresh_file)
    assert db.session.get(Job, old.id) is None and db.session.get(Job, fresh.id) is not None


def test_orphan_result_files_are_deleted_once_old(db):
    stored = get_storage()
    if not isinstance(stored, LocalStorage):
        pytest.skip("ages a file by its modification time, which only a folder lets us set")
    files.save_result("orphan-1.pdf", b"%PDF")
    files.save_result("orphan-2.pdf", b"%PDF")
    two_hours_ago = (utcnow() - timedelta(hours=2)).timestamp()
    os.utime(stored.root / files.result_key("orphan-1.pdf"), (two_hours_ago, two_hours_ago))

    assert services.delete_orphan_results() == 1
    assert not stored.exists(files.result_key("orphan-1.pdf"))
    assert stored.exists(files.result_key("orphan-2.pdf"))
    files.delete_result("orphan-2.pdf")


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_staff_have_a_bounded_number_of_jobs(app, db, make_staff, role):
    staff = make_staff(role)
    limit = app.config["JOB_MAX_ACTIVE_PER_STAFF"]
    for _ in range(limit):
        services.enqueue("test-count", event=None, payload={}, by=staff)
    db.session.commit()

    with pytest.raises(services.JobError) as refused:
        services.enqueue("test-count", event=None, payload={}, by=staff)
    assert refused.value.code == "too_many_jobs"
    assert f"You already have {limit} jobs under way" in refused.value.message

    runner.run_due()  # once they have finished, there is room again
    services.enqueue("test-count", event=None, payload={}, by=staff)


def test_enormous_and_forbidden_jobs_are_refused(app, db, make_staff):
    registrar, viewer = make_staff("registrar"), make_staff("viewer")

    with pytest.raises(services.JobError) as too_large:
        services.enqueue("test-count", event=None, payload={}, by=registrar, size=10**6)
    with pytest.raises(services.JobError) as forbidden:
        services.enqueue("test-count", event=None, payload={}, by=viewer)

    assert too_large.value.code == "too_large" and "1000000" in too_large.value.message
    assert forbidden.value.code == "not_allowed"
    assert db.session.scalar(db.select(_db.func.count()).select_from(Job)) == 0
