"""Secret links never reach an access log: werkzeug's (development) or gunicorn's (production)."""

import logging
import os
import re
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from registration.security import new_token
from tests.conftest import DATABASE_URL, free_port

ROOT = Path(__file__).resolve().parent.parent


def _get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _visit_secret_pages(base: str, tokens: list[str]) -> None:
    """A manage link, a focal-point link and a document job, one with a secret Referer."""
    manage, focal_point, job, device = tokens
    assert _get(f"{base}/r/{manage}/edit?welcome=1") == 404
    assert _get(f"{base}/fp/{focal_point}", Referer=f"{base}/r/{manage}") == 404
    # Signed out: redirected to sign in, with the job's address in ?next= (masked too).
    assert _get(f"{base}/manage/jobs/{job}/download", Authorization=f"Bearer {device}") == 200


def test_the_development_server_log_hides_secret_links(app, caplog):
    tokens = [new_token() for _ in range(4)]
    server = make_server("127.0.0.1", free_port(), app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            _visit_secret_pages(f"http://127.0.0.1:{server.server_port}", tokens)
    finally:
        server.shutdown()
        thread.join()
    log = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /r/…/edit?welcome=1" in log and "GET /fp/…" in log
    assert not any(token in log for token in tokens)


def _readme_gunicorn_command() -> list[str]:
    """The gunicorn command of the README's production section, as words."""
    readme = (ROOT / "README.md").read_text()
    return shlex.split(re.search(r"`(gunicorn [^`]+)`", readme).group(1))


def test_the_readme_gunicorn_command_logs_no_secret():
    tokens = [new_token() for _ in range(4)]
    port = free_port()
    command = _readme_gunicorn_command()
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    command[command.index("--workers") + 1] = "1"
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    # The default format plus the request's Authorization and the response's Location.
    command[-1:-1] = [
        "--access-logformat",
        '%(h)s "%(r)s" %(s)s "%(f)s" "%({authorization}i)s" "%({location}o)s"',
    ]
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL}
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while _get_or_none(f"{base}/static/app.css") is None:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        _visit_secret_pages(base, tokens)
    finally:
        server.terminate()
        log, errors = server.communicate(timeout=30)
    log = log.decode()
    assert '"GET /r/…/edit?welcome=1 HTTP/1.1" 404' in log, errors.decode()
    assert f'"{base}/r/…"' in log  # the Referer, masked
    assert '"-"' in log  # the Authorization header left out
    assert not any(token in log for token in tokens), log


def _get_or_none(url: str) -> int | None:
    try:
        return _get(url)
    except OSError:
        return None
