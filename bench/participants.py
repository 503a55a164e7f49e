"""Benchmark: the list of participants with 2,000 participants, in English, French and Spanish.

Builds a throw-away SQLite database with `flask demo fake`'s approved delegates, then times
the whole list (SQL → ordered data → HTML → PDF with running header and "Page X of Y") in each
language. The baseline, measured in the same run, is WeasyPrint laying out the same names as
bare paragraphs without our stylesheet: the least any PDF of this text costs. Target: ≤ 10 s.

    .venv/bin/python -m bench.participants [--count 2000]
"""

import argparse
import io
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench._measure import Peak

TARGET_SECONDS = 10.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table; exit status 1 if the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="participants (2000)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-participants-"))
    os.environ.setdefault("REGISTRATION_INSTANCE_PATH", str(folder / "instance"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import pypdf
    from markupsafe import escape

    from registration import create_app
    from registration.demo.fake import fake_registrations
    from registration.demo.services import load_demo
    from registration.documents import participants, pdf
    from registration.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "STORAGE_URL": (folder / "files").as_uri(),
        }
    )
    with app.app_context(), app.test_request_context():
        db.create_all()
        event = load_demo(date.today())
        fake_registrations(event, args.count, status="approved", seed=1)
        db.session.commit()
        print(
            f"List of participants benchmark — {args.count:,} approved delegates "
            f"(those who consented are listed); load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'measure':<44} {'seconds':>8} {'peak MiB':>9} {'pages':>6} {'listed':>7}")

        data = participants.participants_data(event, "en", official=True)
        names = "".join(f"<p>{escape(person['name'])}</p>" for person in data["entries"])
        with Peak() as baseline:
            plain = pdf.render_pdf(f"<html><body>{names}</body></html>", [])
        pages = len(pypdf.PdfReader(io.BytesIO(plain)).pages)
        print(
            f"{'baseline: bare names, no stylesheet':<44} {baseline.seconds:>8.2f} "
            f"{baseline.mib:>9.0f} {pages:>6} {len(data['entries']):>7}"
        )

        slowest = 0.0
        for language, official in (("en", True), ("en", False), ("fr", False), ("es", False)):
            with Peak() as peak:
                data = participants.participants_data(event, language, official=official)
                document = participants.render_participants(data)
            target = folder / f"participants-{language}.pdf"
            target.write_bytes(document)
            pages = len(pypdf.PdfReader(target).pages)
            slowest = max(slowest, peak.seconds)
            label = f"list in {language}{' (official: all approved)' if official else ''}"
            print(
                f"{label:<44} {peak.seconds:>8.2f} {peak.mib:>9.0f} {pages:>6} {data['count']:>7}"
            )
    print(f"slowest list / baseline: {slowest / baseline.seconds:.1f}×")
    met = slowest <= TARGET_SECONDS
    print(
        f"target ≤ {TARGET_SECONDS:.0f} s for {args.count:,} participants: "
        f"{'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
