"""The built wheel is a complete application: installed outside the checkout, it upgrades a
database, loads the demo and serves French pages and French PDFs."""

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from registration import create_app
from registration.paths import PROJECT_ROOT

DEMO = "idm-2008-return-migration"

# The wheel runs on its own SQLite database: the PostgreSQL pass of CI need not build it again.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="database-independent; runs on SQLite"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``python -m build --wheel`` of this checkout, without isolation (the test extra has
    setuptools), so that it needs no download."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("registration-*.whl")
    return built


def test_wheel_carries_every_runtime_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "registration/templates/base.html",
        "registration/templates/documents/participants.html",
        "registration/static/app.css",
        "registration/config/default.py",
        "registration/migrations/env.py",
        "registration/migrations/versions/0001_initial_schema.py",
        "registration/translations/fr/LC_MESSAGES/messages.mo",
        "registration/translations/es/LC_MESSAGES/messages.mo",
        "registration/demo/idm-2008-return-migration.yaml",
    ):
        assert required in names, required
    assert not any(name.endswith("production.py") for name in names)


def test_installed_wheel_serves_french_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REGISTRATION_", "FLASK_", "PYTHON"))
    }
    env.update(FLASK_APP="registration", REGISTRATION_INSTANCE_PATH=str(tmp_path / "instance"))

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(venv / "bin" / "flask"), *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("db", "upgrade")
    run("demo", "load")
    run("demo", "fake", "--event", DEMO, "--count", "5", "--status", "approved", "--seed", "3")
    run(
        "documents", "participants", "--event", DEMO, "--lang", "fr",
        "--out", str(tmp_path / "liste.pdf"),
    )  # fmt: skip
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "liste.pdf").pages)
    assert "5 participants" in text
    assert "Document établi le" in text
    assert "Page 1 sur 1" in text

    page = subprocess.run(
        [str(python), "-c", _RENDER_FRENCH_PAGE],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    location, html = page.split("\n", 1)
    assert location.startswith(str(venv)), "the installed package, not the checkout, answered"
    assert 'lang="fr"' in html
    assert "Inscription" in html


_RENDER_FRENCH_PAGE = textwrap.dedent(
    f"""
    import registration
    app = registration.create_app()
    answer = app.test_client().get("/e/{DEMO}/register?lang=fr")
    assert answer.status_code == 200, answer.status_code
    print(registration.__file__)
    print(answer.get_data(as_text=True))
    """
)


def test_missing_catalogue_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRATION_LANGUAGES", '["en", "fr", "de"]')
    with pytest.raises(RuntimeError, match="catalogues missing for de"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
