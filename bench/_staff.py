"""Set-up shared by the benchmarks that drive staff pages through the test client."""

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

EMAIL = "bench@staff.example.org"
PASSWORD = "bench password 1234"


def staff_app(prefix: str, database_url: str | None, **settings):
    """The app on a throw-away database: ``database_url``, else SQLite in a temporary folder.

    The demo meeting and a registrar (EMAIL, PASSWORD) are in it; the tables are recreated.
    Returns (app, the demo event's slug, "SQLite" or "PostgreSQL").
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("REGISTRATION_INSTANCE_PATH", str(folder / "instance"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    from registration import create_app
    from registration.auth.models import Role
    from registration.auth.services import create_staff
    from registration.demo.services import load_demo
    from registration.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'bench.sqlite'}",
            "STORAGE_URL": (folder / "files").as_uri(),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_FAST": True,
            **settings,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        slug = load_demo(date.today()).slug
        create_staff(EMAIL, Role.REGISTRAR, PASSWORD)
        db.session.commit()
    backend = "PostgreSQL" if (database_url or "").startswith("postgresql") else "SQLite"
    return app, slug, backend


def signed_in(app):
    """A test client signed in as the benchmark's registrar."""
    client = app.test_client()
    signed = client.post("/auth/sign-in", data={"email": EMAIL, "password": PASSWORD})
    assert signed.status_code == 302, "sign-in failed"
    return client
