"""Benchmark: a bulk email to 10,000 registrations returns at once (the fan-out is a job).

Builds a throw-away database (SQLite in a temporary folder by default, or the PostgreSQL
database given with --database-url, whose tables are DROPPED) with `flask demo fake`'s active
registrations, signs a registrar in and, through the test client (the server's own time), times
the confirmed "Send" request: it checks the text, reads the recipients' ids and queues one job.
Baseline in the same run: a small staff page. With --fan-out, also runs one of the queued jobs
as the worker does and prints how long writing the messages into the outbox takes.
Target: the send request ≤ 300 ms (95th percentile). Exits 1 when it is missed.

    .venv/bin/python -m bench.bulk_email [--count 10000] [--requests 10] [--fan-out]
                                         [--database-url URL]
"""

import argparse
import os
import statistics
import sys
import time

from bench._staff import signed_in, staff_app

TARGET_MS = 300.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="recipients (10000)")
    parser.add_argument("--requests", type=int, default=10, help="timed send requests (10)")
    parser.add_argument("--fan-out", action="store_true", help="also time one job's fan-out")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a dedicated PostgreSQL database (its tables are dropped); SQLite otherwise",
    )
    return parser.parse_args(argv)


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit status 1 if the target is missed."""
    args = _parse_args(argv)
    app, slug, backend = staff_app(
        "bench-bulk-email-",
        args.database_url,
        # Every timed request queues a job; the per-person limit is not what is measured.
        JOB_MAX_ACTIVE_PER_STAFF=args.requests + 5,
    )

    from registration.demo.fake import fake_registrations
    from registration.events.models import Event
    from registration.extensions import db
    from registration.jobs import runner
    from registration.mail.models import OutboxEmail

    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one()
        fake_registrations(event, args.count, status="approved", seed=3)
        db.session.commit()
    client = signed_in(app)
    url = f"/manage/e/{slug}/email"
    message = {
        "subject_en": "Venue for {reference}",
        "body_en": "Dear {given_name},\nthe venue has moved.\n{manage_link}",
        "subject_fr": "Lieu pour {reference}",
        "body_fr": "Bonjour {given_name},\nle lieu a changé.\n{manage_link}",
    }
    baseline = [
        _timed(lambda: client.get(f"/manage/e/{slug}/email-templates"))[0] for _ in range(10)
    ]
    preview_ms, preview = _timed(lambda: client.post(url, data=message | {"preview": "Preview"}))
    assert preview.status_code == 200 and 'id="send"' in preview.text, "preview failed"
    sends = []
    for _ in range(args.requests):
        elapsed, response = _timed(
            lambda: client.post(
                url, data=message | {"send": "Send", "confirm": "y", "expected": str(args.count)}
            )
        )
        assert response.status_code == 302 and "/manage/jobs/" in response.location, response.text[
            :500
        ]
        sends.append(elapsed)

    if args.fan_out:
        with app.app_context():
            fan_out_ms, _ = _timed(runner.run_one)
            written = db.session.query(OutboxEmail).filter_by(template="staff_message").count()

    p95 = sorted(sends)[min(round(0.95 * (len(sends) - 1)), len(sends) - 1)]
    print(
        f"Bulk email benchmark — {args.count:,} recipients, {backend}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'measure':<52} {'ms':>9}")
    print(
        f"{'baseline: status emails page (median of 10)':<52} {statistics.median(baseline):>9.1f}"
    )
    print(f"{'preview, two language versions':<52} {preview_ms:>9.1f}")
    print(f"{f'send request, median of {len(sends)}':<52} {statistics.median(sends):>9.1f}")
    print(f"{'send request, 95th percentile':<52} {p95:>9.1f}")
    if args.fan_out:
        print(f"{f'worker: fan-out of one job ({written:,} messages)':<52} {fan_out_ms:>9.1f}")
    ratio = statistics.median(sends) / statistics.median(baseline)
    print(f"ratio send request / baseline page: {ratio:.1f}×")
    met = p95 <= TARGET_MS
    print(f"target send request ≤ {TARGET_MS:.0f} ms (p95): {'met' if met else 'MISSED'}")
    if args.fan_out:
        complete = written == args.count
        print(f"target every message written by the job: {'met' if complete else 'MISSED'}")
        met = met and complete
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
