"""The security log: exports and sign-outs are recorded with who, where and when."""

import logging

from flask.logging import default_handler

from registration.auth.models import Role
from registration.auth.security_log import logger


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "registration.security"]


def test_exports_are_logged(client, db, event, sign_in, caplog):
    viewer = sign_in(Role.VIEWER)
    assert client.get(f"/manage/e/{event.slug}/attendance.xlsx").status_code == 200
    (line,) = [line for line in _security_lines(caplog) if 'event="export"' in line]
    assert f'account="{viewer.email}"' in line and 'address="127.0.0.1"' in line
    assert 'outcome="success"' in line and "time=" in line


def test_sign_out_is_logged(client, db, sign_in, caplog):
    user = sign_in(Role.REGISTRAR)
    client.post("/auth/sign-out")
    assert any(
        'event="sign_out"' in line and f'account="{user.email}"' in line
        for line in _security_lines(caplog)
    )


def test_a_security_event_is_written_once_not_again_by_flask_handler(app):
    event = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "event=x", (), None)
    other = logger.makeRecord("registration", logging.INFO, __file__, 1, "other", (), None)
    assert [bool(handler.filter(event)) for handler in logger.handlers] == [True]
    assert not default_handler.filter(event)
    assert default_handler.filter(other)
