"""`flask storage migrate` copies a folder into a bucket; `flask storage check`."""

import secrets

from registration.storage import open_storage
from tests.conftest import s3_server
from tests.s3server import free_port


def test_migrate_a_folder_into_a_bucket_then_again(app, runner, tmp_path):
    folder = open_storage(tmp_path.as_uri(), {})
    files = {
        "photos/a.jpg": b"portrait",
        "documents/b.pdf": b"%PDF-letter",
        "badge-cache/a6/ab/c.pdf": b"%PDF-page",
        "job-results/d.csv": b"a,b",
    }
    for key, data in files.items():
        folder.save(key, data)
    (tmp_path / "secret_key").write_text("not a stored file")
    settings = s3_server().settings("migrate-tests", prefix=secrets.token_hex(6))
    saved = {name: app.config.get(name) for name in settings}
    app.config.update({**settings, "STORAGE_URL": tmp_path.as_uri()})
    try:
        target_url = settings["STORAGE_URL"]
        result = runner.invoke(args=["storage", "migrate", "--to", target_url])
        assert result.exit_code == 0, result.output
        assert f"4 file(s) copied to {target_url}, 0 already there." in result.output
        bucket = open_storage(target_url, settings)
        assert {key: bucket.read(key) for key in bucket.list()} == files

        folder.save("photos/e.jpg", b"new")
        again = runner.invoke(args=["storage", "migrate", "--to", target_url])
        assert "1 file(s) copied" in again.output and "4 already there" in again.output
    finally:
        app.config.update(saved)


def test_migrate_to_a_store_that_is_down_says_so(app, runner, tmp_path):
    open_storage(tmp_path.as_uri(), {}).save("photos/a.jpg", b"portrait")
    saved = {name: app.config[name] for name in ("S3_ENDPOINT_URL", "STORAGE_TIMEOUT")}
    app.config.update(S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}", STORAGE_TIMEOUT=1)
    try:
        result = runner.invoke(
            args=["storage", "migrate", "--from", tmp_path.as_uri(), "--to", "s3://down"]
        )
    finally:
        app.config.update(saved)
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "0 file(s) copied so far" in result.output


def test_check(runner):
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    assert "works." in result.output
