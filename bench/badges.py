"""Benchmark: 1,000 badges (A6, photos, QR codes) against one naive WeasyPrint document.

Builds a throw-away SQLite database with `flask demo fake`'s approved delegates and synthetic
portraits, then measures, each in a fresh process so that memory is its own:

- cold batch: empty page cache, pages rendered in chunks by parallel processes, then merged;
- warm batch: every page already cached (as the background worker's prerender_badges keeps
  it), merged with pikepdf: what "print badges" costs in practice;
- the same on A4 sheets of four, and after one registration changed (one page to render);
- single badges, cold (rendered) and cached, for a reprint at the desk;
- the naive baseline: one WeasyPrint document holding all the badges.

Times include loading the registrations. Memory is the peak proportional set size (PSS) of
the measuring process and its children (render processes, their fork server), sampled every
50 ms. Targets: warm batch ≤ 5 s and ≤ 400 MiB, ≥ 5× faster than the naive document, single
badge ≤ 150 ms.

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

from bench._measure import Peak

TARGET_SECONDS = 5.0
TARGET_MIB = 400.0
TARGET_RATIO = 5.0
TARGET_SINGLE_MS = 150.0
PHASES = ("cold", "warm", "sheets", "changed", "single", "naive")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="badges (1000)")
    parser.add_argument("--no-photos", action="store_true", help="delegates without portraits")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _app(folder: Path):
    """The application on the benchmark's database and folders."""
    os.environ["REGISTRATION_INSTANCE_PATH"] = str(folder / "instance")
    from registration import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "PHOTO_DIR": str(folder / "photos"),
            "BADGE_CACHE_DIR": str(folder / "badge-cache"),
        }
    )


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
        with Peak() as peak:
            if name == "naive":
                batch = services.badge_batch(event, RegistrationFilter())
                html = badges.badge_html(batch.contents, "a6", inline_qr=True)
                target.write_bytes(pdf.render_pdf(html, [badges.STYLESHEET]))
            else:
                batch = services.badge_batch(event, RegistrationFilter())
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
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
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
        "cold": "cold batch: render in processes, then merge",
        "warm": "warm batch: all pages cached, merge",
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
        f"warm batch peak ≤ {TARGET_MIB:.0f} MiB": warm["mib"] <= TARGET_MIB,
        f"single badge ≤ {TARGET_SINGLE_MS:.0f} ms (cold)": single["cold_ms"] <= TARGET_SINGLE_MS,
        "one page per badge": all(
            f["pages"] == args.count
            for n, f in figures.items()
            if n in ("cold", "warm", "changed", "naive")
        ),
    }
    if "naive" in figures:
        naive = figures["naive"]["seconds"]
        print(
            f"ratio naive / warm batch: {naive / warm['seconds']:.1f}×; "
            f"naive / cold batch: {naive / cold['seconds']:.1f}×"
        )
        checks[f"warm ≥ {TARGET_RATIO:.0f}× faster than naive"] = (
            naive / warm["seconds"] >= TARGET_RATIO
        )
    for name, met in checks.items():
        print(f"target {name}: {'met' if met else 'MISSED'}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
