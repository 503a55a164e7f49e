"""Benchmark: 1,000 badges (A6, photos, QR codes) against one naive WeasyPrint document.

Builds a throw-away SQLite database with `flask demo fake`'s approved delegates and synthetic
portraits, then measures, each in a fresh process so that memory is its own:

- cold batch: empty page cache; a badge job queued as the web page does, run by
  `flask worker --concurrency 2` (started and idle beforehand): the batch is split into parts
  that both worker processes render, then merged. Timed from queueing to the job done;
- warm batch: every page already cached (as the worker's pre-rendering keeps it), the same
  job through the same workers: merge only. What "print badges" costs in practice;
- the warm batch on A4 sheets of four, and after one registration changed (in this process);
- single badges, cold (rendered) and cached, for a reprint at the desk;
- the naive baseline: one WeasyPrint document holding all the badges (QR codes as SVG,
  photos as images), laid out in one process.

Times include loading the registrations. Memory is the peak proportional set size (PSS) of
the measuring process and its children (the worker processes), sampled every 50 ms.
Targets, each against the naive document measured in the same run: cold batch with two
workers ≥ 2× faster; warm batch ≥ 5× faster and ≤ 5 s; the warm merge in one process (the
"changed" phase) ≤ 400 MiB; single badge ≤ 150 ms.
Exits 1 when a target is missed.

    .venv/bin/python -m bench.badges [--count 1000] [--no-photos] [--skip-naive]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench._measure import Peak, process_tree

TARGET_SECONDS = 5.0
TARGET_MIB = 400.0
TARGET_COLD_RATIO = 2.0
TARGET_WARM_RATIO = 5.0
TARGET_SINGLE_MS = 150.0
#: Worker processes of the cold and warm batches.
WORKERS = 2
PHASES = ("cold", "warm", "sheets", "changed", "single", "naive")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="badges (1000)")
    parser.add_argument("--no-photos", action="store_true", help="delegates without portraits")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _settings(folder: Path) -> dict:
    """The benchmark's database and folders; pre-rendering off, so that "cold" stays cold."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
        "STORAGE_URL": (folder / "files").as_uri(),
        "BADGE_PRERENDER_SECONDS": 0,
        # Badge tokens are sealed with it: the workers and this process need the same key.
        "SECRET_KEY": "bench-secret-key-not-for-production",
    }


def _app(folder: Path):
    """The application on the benchmark's database and folders."""
    os.environ["REGISTRATION_INSTANCE_PATH"] = str(folder / "instance")
    from registration import create_app

    return create_app(_settings(folder))


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has the file ``path`` open."""
    try:
        return any(link.resolve() == path for link in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def _start_workers(folder: Path) -> subprocess.Popen:
    """`flask worker --concurrency 2` on the benchmark's database, once started and idle."""
    environment = {
        **os.environ,
        "FLASK_APP": "registration",
        "REGISTRATION_INSTANCE_PATH": str(folder / "instance"),
    }
    environment["DATABASE_URL"] = _settings(folder)["SQLALCHEMY_DATABASE_URI"]
    for name, value in _settings(folder).items():
        environment[f"REGISTRATION_{name}"] = str(value)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "worker",
            "--concurrency",
            str(WORKERS),
            "--interval",
            "0.1",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    # Started: the supervisor and every job process have the database open (their first
    # look at the queue comes after the application is built).
    database = (folder / "bench.sqlite").resolve()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if sum(_has_open(pid, database) for pid in process_tree(process.pid)) > WORKERS:
            return process
    raise RuntimeError("the workers did not start")


def _queued_batch(folder: Path, event, output: str = "a6") -> tuple[str, float]:
    """Queue a badge job as the documents page does and wait for it; (result file, seconds)."""
    from registration.database import writing_worker
    from registration.extensions import db
    from registration.jobs import files
    from registration.jobs import services as jobs
    from registration.jobs.models import Job, JobStatus

    db.session.rollback()
    started = time.perf_counter()
    # As the documents page's POST does: the write lock is taken when the transaction begins
    # (the running workers commit meanwhile; SQLite refuses a write after a stale read).
    with writing_worker():
        job = jobs.enqueue(
            "badges", event=event, payload={"filter": {}, "output": output}, download_name="b.pdf"
        )
        db.session.commit()
    while True:
        db.session.rollback()
        state = db.session.get(Job, job.id)
        if state.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if state.status != JobStatus.DONE:
        raise RuntimeError(f"badge job failed: {state.last_error or state.error}")
    # The local storage of _settings: the result is a file under its folder.
    return str(folder / "files" / files.result_key(state.result_file)), seconds


def _prepare(folder: Path, count: int, photos: bool) -> float:
    """Create the database with ``count`` approved delegates; returns the seconds it took."""
    from registration.demo.fake import fake_registrations
    from registration.demo.services import load_demo
    from registration.extensions import db

    app = _app(folder)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        fake_registrations(load_demo(date.today()), count, status="approved", photos=photos, seed=1)
        db.session.commit()
        return time.perf_counter() - started


def _phase(name: str, folder: Path) -> dict:
    """Measure one phase in this process; returns its figures."""
    import pypdf

    from registration.delegates.filters import RegistrationFilter
    from registration.delegates.models import Registration
    from registration.documents import badges, pdf, services
    from registration.events.models import Event
    from registration.extensions import db

    app = _app(folder)
    with app.app_context(), app.test_request_context():
        event = db.session.execute(db.select(Event)).scalar_one()
        ids = list(
            db.session.execute(db.select(Registration.id).order_by(Registration.id)).scalars()
        )
        if name == "single":
            cold, warm = [], []
            for registration_id in ids[1:11]:
                registration = db.session.get(Registration, registration_id)
                registration.given_name += " Jr"  # a page that is not cached yet
                db.session.commit()
                for timings in (cold, warm):
                    started = time.perf_counter()
                    services.render_badge(registration)
                    timings.append((time.perf_counter() - started) * 1000)
            return {"cold_ms": statistics.median(cold), "warm_ms": statistics.median(warm)}
        if name == "changed":
            db.session.get(Registration, ids[0]).family_name = "Changed-Name"
            db.session.commit()
        target = folder / f"{name}.pdf"
        if name in ("cold", "warm"):
            workers = _start_workers(folder)
            try:
                with Peak() as peak:
                    result, seconds = _queued_batch(folder, event)
            finally:
                workers.terminate()
                workers.wait(60)
            pages = len(pypdf.PdfReader(result).pages)
            return {"seconds": seconds, "mib": peak.mib, "pages": pages}
        with Peak() as peak:
            batch = services.badge_batch(event, RegistrationFilter())
            if name == "naive":
                html = badges.badge_html(batch.contents, "a6", part="all")
                target.write_bytes(pdf.render_pdf(html, [badges.STYLESHEET]))
            else:
                output = "a4-4up" if name == "sheets" else "a6"
                services.write_badges(batch, str(target), output=output)
        pages = len(pypdf.PdfReader(target).pages)
        return {"seconds": peak.seconds, "mib": peak.mib, "pages": pages}


def _run_phase(name: str, folder: Path) -> dict:
    """Run one phase in a fresh Python process and read its figures."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.badges", "--phase", name, "--folder", str(folder)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if result.returncode != 0:
        raise SystemExit(f"phase {name} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit status 1 if a target is missed."""
    args = _parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.phase:
        print(json.dumps(_phase(args.phase, args.folder)))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="bench-badges-"))
    fill = _prepare(folder, args.count, photos=not args.no_photos)
    load = os.getloadavg()[0]
    print(
        f"Badge benchmark — {args.count:,} approved delegates"
        f"{'' if args.no_photos else ' with photos'} (generated in {fill:.1f} s); "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at start"
    )
    print(f"{'measure':<48} {'seconds':>8} {'peak MiB':>9} {'pages':>6}")
    labels = {
        "cold": f"cold batch: job, {WORKERS} worker processes, merge",
        "warm": f"warm batch: job, {WORKERS} workers, all cached",
        "sheets": "warm batch on A4 sheets of four",
        "changed": "warm batch after one registration changed",
        "naive": "naive: one WeasyPrint document",
    }
    figures = {}
    for name in PHASES:
        if name == "naive" and args.skip_naive:
            continue
        figures[name] = _run_phase(name, folder)
        if name in labels:
            f = figures[name]
            print(f"{labels[name]:<48} {f['seconds']:>8.2f} {f['mib']:>9.0f} {f['pages']:>6}")
    single = figures["single"]
    print(f"{'single badge, cold (median of 10)':<48} {single['cold_ms'] / 1000:>8.3f}")
    print(f"{'single badge, cached (median of 10)':<48} {single['warm_ms'] / 1000:>8.3f}")

    warm, cold = figures["warm"], figures["cold"]
    checks = {
        f"warm batch ≤ {TARGET_SECONDS:.0f} s": warm["seconds"] <= TARGET_SECONDS,
        # The worker tree holds two idle renderers besides: the merge is measured alone.
        f"warm merge in one process peak ≤ {TARGET_MIB:.0f} MiB": figures["changed"]["mib"]
        <= TARGET_MIB,
        f"single badge ≤ {TARGET_SINGLE_MS:.0f} ms (cold)": single["cold_ms"] <= TARGET_SINGLE_MS,
        "one page per badge": all(
            f["pages"] == args.count
            for n, f in figures.items()
            if n in ("cold", "warm", "changed", "naive")
        ),
    }
    if "naive" in figures:
        naive = figures["naive"]["seconds"]
        cold_ratio, warm_ratio = naive / cold["seconds"], naive / warm["seconds"]
        print(f"ratio naive / cold batch: {cold_ratio:.1f}×; naive / warm batch: {warm_ratio:.1f}×")
        checks[f"cold (two workers) ≥ {TARGET_COLD_RATIO:.0f}× faster than naive"] = (
            cold_ratio >= TARGET_COLD_RATIO
        )
        checks[f"warm ≥ {TARGET_WARM_RATIO:.0f}× faster than naive"] = (
            warm_ratio >= TARGET_WARM_RATIO
        )
    for name, met in checks.items():
        print(f"target {name}: {'met' if met else 'MISSED'}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
