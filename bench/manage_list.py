"""Benchmark: the back office's registrations list with 10,000 registrations.

Builds a throw-away database (SQLite in a temporary folder by default, or the PostgreSQL
database given with --database-url, whose tables are DROPPED), fills it with `flask demo fake`'s
generator, signs a registrar in, and times list requests through the test client, i.e. the
server's own time without network. A small staff page measured in the same run is the baseline.
It also counts SQL statements per request, at 100 and at 10,000 registrations: the count must
not grow with the data (no N+1).

    .venv/bin/python -m bench.manage_list [--count 10000] [--requests 40] [--database-url URL]
"""

import argparse
import statistics
import sys
import time

from bench._staff import signed_in, staff_app

TARGET_MS = 150.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="registrations (10000)")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a dedicated PostgreSQL database (its tables are dropped); SQLite otherwise",
    )
    return parser.parse_args(argv)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(fraction * (len(ordered) - 1)), len(ordered) - 1)]


class _QueryCounter:
    """Counts the SQL statements sent while it is installed on the engine."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _seen(self, *_args) -> None:
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._seen)


def _time(client, url: str, requests: int) -> tuple[float, float]:
    """(median, p95) in milliseconds of ``requests`` GETs, after three warm-up requests."""
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings), _percentile(timings, 0.95)


def _queries(engine, client, url: str) -> int:
    with _QueryCounter(engine) as counter:
        assert client.get(url).status_code == 200, url
    return counter.count


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit status 1 if a target is missed."""
    args = _parse_args(argv)
    app, slug, backend = staff_app("bench-manage-list-", args.database_url)

    from registration.demo.fake import fake_registrations
    from registration.events.models import Event
    from registration.extensions import db

    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one()
        engine = db.engine
        entity_id = next(entity.id for entity in event.entities if entity.iso_code == "NL")
        session_id = event.sessions[3].id
    client = signed_in(app)

    base = f"/manage/e/{slug}/registrations"
    pages = {
        "baseline: status emails page": f"/manage/e/{slug}/email-templates",
        "list, first page (50)": base,
        "list, 200 per page": f"{base}?per_page=200",
        "list, page 150 of 200": f"{base}?page=150",
        "list, search 'mar'": f"{base}?q=mar",
        "list, status+category+session": (
            f"{base}?status=approved&status=pending&category=1&session={session_id}"
        ),
        "list, entity, sorted by name desc": f"{base}?entity={entity_id}&sort=name&descending=yes",
        "list, sorted by State/organisation": f"{base}?sort=entity",
        "list, not checked in, has photo": f"{base}?checked_in=no&photo=no",
    }

    with app.app_context():
        fake_registrations(db.session.get(type(event), event.id), 100, seed=1)
        db.session.commit()
    small = {name: _queries(engine, client, url) for name, url in pages.items()}

    started = time.perf_counter()
    with app.app_context():
        fake_registrations(db.session.get(type(event), event.id), args.count - 100, seed=2)
        db.session.commit()
    fill_seconds = time.perf_counter() - started

    print(
        f"Back-office list benchmark — {backend}, {args.count:,} registrations "
        f"(generated in {fill_seconds:.1f} s), {args.requests} requests per page"
    )
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'× base':>7} {'queries':>8} {'@100':>5}")
    failures = 0
    baseline = None
    for name, url in pages.items():
        median, p95 = _time(client, url, args.requests)
        baseline = baseline or median
        queries = _queries(engine, client, url)
        flags = []
        if queries != small[name]:
            flags.append("QUERIES GROW")
        if name.startswith("list") and p95 >= TARGET_MS:
            flags.append(f"over {TARGET_MS:.0f} ms")
        failures += bool(flags)
        print(
            f"{name:<40} {median:>10.1f} {p95:>8.1f} {median / baseline:>7.1f} {queries:>8} "
            f"{small[name]:>5}  {' '.join(flags)}"
        )
    print(
        f"target: every list page p95 < {TARGET_MS:.0f} ms server time, constant queries: "
        f"{'met' if not failures else 'MISSED'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
