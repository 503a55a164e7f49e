"""Benchmark: the scan API over HTTP beside a bare Flask endpoint, measured in the same run.

    .venv/bin/python -m bench.desk_scan        (or: .venv/bin/python bench/desk_scan.py)

Starts gunicorn on loopback ports against PostgreSQL, once with the application
(registration.wsgi:app) and once with a bare Flask app that parses the same JSON and answers
201, then drives each with 16 keep-alive connections (4 processes × 4 threads of http.client).
Each server is warmed up first (400 first scans of other badges for the application). Then
three rounds, each measuring side by side the bare endpoint, first scans of 3,000 badges (201:
row lock, entry, audit, scan log) and repeats of the same badges (409 already_checked_in);
every phase is bounded in requests and in time. Then, in this process, the CPU time and the SQL
statements of one first scan (the profile of the scan path). Target: first scans p99 <= 100 ms
and >= 15 % of the bare throughput, each the median of the rounds (every round is printed);
the exit status is 1 when it is missed.

BENCH_DATABASE_URL names the database (default: a local desk_bench database, created if
missing); its tables are dropped and recreated. BENCH_REGISTRATIONS (per round,
default 3000), BENCH_ROUNDS (3), BENCH_WORKERS (4) and BENCH_THREADS (4) tune the run.
"""

import json
import math
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.client import HTTPConnection
from pathlib import Path

from flask import Flask, jsonify, request

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/desk_bench"
)
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "3000"))
#: Rounds of (bare, first scans, repeats), interleaved: this machine's speed drifts within a
#: minute, so each round compares phases run side by side and the target uses the medians.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
PROCESSES, THREADS_PER_PROCESS = 4, 4  # 16 connections
#: No phase runs longer than this, whatever is left of its requests.
PHASE_SECONDS = 60.0
#: Badges scanned in this process to measure CPU time and statements per scan.
PROFILED = 300
#: Badges scanned before measuring (every worker warm: connections, names, caches).
WARM_UP = 400
#: The target: first scans' p99 at most this many ms, and at least this share of bare req/s.
TARGET_P99_MS = 100.0
TARGET_SHARE = 0.15

#: The baseline: Flask parses the same JSON body and answers 201, with no database.
bare_app = Flask("bare")


@bare_app.post("/api/v1/scans")
def bare_scan():
    """Parse the scan and answer (the cost of HTTP, gunicorn and Flask alone)."""
    payload = request.get_json()
    return jsonify(status="ok", checkpoint=payload.get("checkpoint")), 201


def _ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist yet."""
    import sqlalchemy as sa

    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def _prepare(count: int) -> tuple[str, list[str]]:
    """Fresh schema, the demo meeting, ``count`` approved registrations and a device token.

    Returns the device token and the badge tokens.
    """
    from registration import create_app
    from registration.delegates.models import (
        BADGE,
        MANAGE,
        Registration,
        Status,
        registration_session,
        token_columns,
    )
    from registration.demo.services import load_demo
    from registration.desk.devices import create_device
    from registration.extensions import db
    from registration.security import new_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL})
    with app.app_context():
        db.drop_all()
        db.create_all()
        event = load_demo(date.today())
        category = next(c for c in event.categories if c.code == "member-state")
        entity = next(e for e in event.entities if e.iso_code == "NL")
        badges = [new_token() for _ in range(count)]
        rows = [
            {
                "event_id": event.id,
                "reference": f"B-{number:06d}",
                **token_columns(MANAGE, new_token()),
                **token_columns(BADGE, badge),
                "status": Status.APPROVED,
                "given_name": "Delegate",
                "family_name": f"Number{number}",
                "category_id": category.id,
                "entity_id": entity.id,
                "email": f"delegate{number}@example.org",
                "person_key": f"delegate{number}",
            }
            for number, badge in enumerate(badges)
        ]
        db.session.execute(db.insert(Registration), rows)
        ids = db.session.execute(db.select(Registration.id)).scalars().all()
        session_id = event.sessions[3].id
        db.session.execute(
            db.insert(registration_session),
            [{"registration_id": ident, "session_id": session_id} for ident in ids],
        )
        _device, token = create_device(event, "Benchmark desk")
        db.session.commit()
        db.engine.dispose()
    _settle(DATABASE_URL)
    return token, badges


def _settle(url: str) -> None:
    """Analyse the fresh tables and write a checkpoint before measuring.

    Thousands of rows were inserted a moment ago: otherwise autovacuum's ANALYZE and the next
    checkpoint run in the middle of a measured phase, as they would not at a real meeting whose
    registrations came in over weeks.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def profile_scans(device_token: str, badges: list[str]) -> tuple[float, float]:
    """CPU ms and SQL statements per first scan, through the app in this process."""
    import sqlalchemy as sa

    from registration import create_app
    from registration.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "benchmark-only-secret"}
    )
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    client = app.test_client()
    headers = {"Authorization": f"Bearer {device_token}"}
    client.post("/api/v1/scans", json={"token": "warm-up"}, headers=headers)
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    started = time.process_time()
    for number, badge in enumerate(badges):
        body = {"token": badge, "checkpoint": "venue", "nonce": f"profile-{badge[:12]}-{number}"}
        response = client.post("/api/v1/scans", json=body, headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"profiled scan answered {response.status_code}: {response.text}")
    cpu = (time.process_time() - started) * 1000 / len(badges)
    with app.app_context():
        sa.event.remove(db.engine, "before_cursor_execute", count)
        db.engine.dispose()
    return cpu, statements / len(badges)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(target: str, instance: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn serving ``target`` on a loopback port, once it accepts connections."""
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": "benchmark-only-secret",
        "REGISTRATION_INSTANCE_PATH": str(instance),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(PROJECT_ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--log-level",
            "warning",
            target,
        ],
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn for {target} exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn for {target} did not start")


def _drive_connections(args: tuple) -> tuple[list[float], dict[int, int], float]:
    """One process: THREADS_PER_PROCESS keep-alive connections sharing a list of bodies."""
    port, headers, bodies, deadline = args
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    position = iter(range(len(bodies)))

    def connection_loop() -> None:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        while time.time() < deadline:
            with lock:
                index = next(position, None)
            if index is None:
                break
            started = time.perf_counter()
            connection.request("POST", "/api/v1/scans", body=bodies[index], headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            seen[response.status] = seen.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, number in seen.items():
                statuses[status] = statuses.get(status, 0) + number

    started = time.perf_counter()
    threads = [threading.Thread(target=connection_loop) for _ in range(THREADS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def measure(port: int, headers: dict, bodies: list[bytes]) -> dict:
    """Send ``bodies`` over 16 connections; throughput, p50, p99 and the status counts."""
    deadline = time.time() + PHASE_SECONDS
    slices = [bodies[index::PROCESSES] for index in range(PROCESSES)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        parts = pool.map(_drive_connections, [(port, headers, s, deadline) for s in slices])
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for part in parts for latency in part[0])
    statuses: dict[int, int] = {}
    for _latencies, seen, _elapsed in parts:
        for status, number in seen.items():
            statuses[status] = statuses.get(status, 0) + number

    def percentile(share: float) -> float:
        return latencies[max(0, math.ceil(share * len(latencies)) - 1)] * 1000

    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": percentile(0.50),
        "p99": percentile(0.99),
        "statuses": statuses,
    }


def _bodies(badges: list[str], prefix: str) -> list[bytes]:
    return [
        json.dumps({"token": badge, "checkpoint": "venue", "nonce": f"{prefix}-{n}"}).encode()
        for n, badge in enumerate(badges)
    ]


def _line(label: str, result: dict) -> str:
    statuses = ", ".join(f"{status}×{n}" for status, n in sorted(result["statuses"].items()))
    return (
        f"{label:<34}{result['requests']:>9}{result['per_second']:>10.0f}"
        f"{result['p50']:>9.1f}{result['p99']:>9.1f}   {statuses}"
    )


def _measure_round(ports: tuple[int, int], headers: dict, badges: list[str], number: int) -> dict:
    """One round: the bare endpoint, then first scans and repeats of ``badges``."""
    bare_port, scan_port = ports
    return {
        "bare": measure(bare_port, headers, _bodies(badges, f"bare{number}") * 2),
        "first": measure(scan_port, headers, _bodies(badges, f"first{number}")),
        "repeat": measure(scan_port, headers, _bodies(badges, f"repeat{number}")),
    }


def _print_round(label: str, figures: dict) -> None:
    """A round's table: each phase, and the scan API against the bare endpoint."""
    print(label)
    print(_line("bare Flask endpoint (baseline)", figures["bare"]))
    print(_line("scan API, first scans (201)", figures["first"]))
    print(_line("scan API, repeated scans (409)", figures["repeat"]))
    for name in ("first", "repeat"):
        result, baseline = figures[name], figures["bare"]
        print(
            f"  scan API / bare, {name} scans: throughput "
            f"{result['per_second'] / baseline['per_second']:.2f}×, "
            f"p99 {result['p99'] / baseline['p99']:.1f}×"
        )


def main() -> int:
    """Prepare, serve, measure, print; 1 when the target is missed."""
    _ensure_database(DATABASE_URL)
    total = REGISTRATIONS * ROUNDS
    print(f"Preparing {total} approved registrations in {DATABASE_URL.rsplit('/', 1)[1]}…")
    device_token, badges = _prepare(total + PROFILED + WARM_UP)
    badges, profiled, warming = badges[:total], badges[total : total + PROFILED], badges[-WARM_UP:]
    headers = {
        "Authorization": f"Bearer {device_token}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    # Warm-up: first scans of other badges, so that each worker has its connections, the
    # meeting's names and its caches, as after the first minutes of the doors opening.
    warm_up = _bodies(warming, "warm")
    servers, rounds = [], []
    try:
        with tempfile.TemporaryDirectory(prefix="desk-bench-") as instance:
            bare, bare_port = _start_gunicorn("bench.desk_scan:bare_app", Path(instance))
            servers.append(bare)
            scan, scan_port = _start_gunicorn("registration.wsgi:app", Path(instance))
            servers.append(scan)
            measure(bare_port, headers, warm_up)
            measure(scan_port, headers, warm_up)
            for number in range(ROUNDS):
                part = badges[number * REGISTRATIONS : (number + 1) * REGISTRATIONS]
                rounds.append(_measure_round((bare_port, scan_port), headers, part, number))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"gunicorn {WORKERS} workers × {THREADS} threads (gthread), PostgreSQL, "
        f"{PROCESSES * THREADS_PER_PROCESS} keep-alive connections, loopback, "
        f"{os.cpu_count()} CPUs shared with the load generator; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"{'':<34}{'requests':>9}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   statuses")
    for number, figures in enumerate(rounds, 1):
        _print_round(f"round {number} of {ROUNDS}", figures)
    cpu, statements = profile_scans(device_token, profiled)
    print(
        f"first scan in process ({PROFILED} scans): {cpu:.1f} ms CPU per scan, "
        f"{statements:.1f} SQL statements per scan"
    )
    shares = [figures["first"]["per_second"] / figures["bare"]["per_second"] for figures in rounds]
    p99s = [figures["first"]["p99"] for figures in rounds]
    share, p99 = statistics.median(shares), statistics.median(p99s)
    met = p99 <= TARGET_P99_MS and share >= TARGET_SHARE
    print(
        f"target (first scans p99 <= {TARGET_P99_MS:.0f} ms and >= {TARGET_SHARE:.0%} of bare, "
        f"median of {ROUNDS} rounds): p99 {p99:.1f} ms, {share:.1%} of bare: "
        f"{'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_ROOT))
    sys.exit(main())
