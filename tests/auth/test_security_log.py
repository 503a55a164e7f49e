"""The security log: exports and sign-outs are recorded with who, where and when."""

from registration.auth.models import Role


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
