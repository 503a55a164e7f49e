"""Who may open each desk page under /desk (/manage and /api: tests/test_permissions.py)."""

import pytest

from tests.conftest import PASSWORD

ANONYMOUS = None
#: Endpoint → roles allowed; admins are always allowed.
ALLOWED = {
    "desk.index": {"checkin", "registrar"},
    "desk.page": {"checkin", "registrar"},
    "desk.walk_in": {"checkin", "registrar"},
    "desk.walked_in": {"checkin", "registrar"},
    "desk.admit_walk_in": {"checkin", "registrar"},
    "desk.dashboard": {"checkin", "registrar", "viewer"},
    "desk.attendance": {"checkin", "registrar", "viewer"},
    "desk.attendance_csv": {"registrar", "viewer"},
}
#: Open without a sign-in: the service worker script, and photos behind a secret link
#: (a wrong signature is a 404 for everyone).
PUBLIC = {"desk.service_worker": 200, "desk.photo": 404}


def _desk_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/desk"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_desk_page_has_a_rule(app):
    assert {rule.endpoint for rule, _method in _desk_rules(app)} == set(ALLOWED) | set(PUBLIC)


@pytest.mark.parametrize("role", [ANONYMOUS, "viewer", "checkin", "registrar", "admin"])
def test_desk_page_roles(app, make_staff, event, make_registration, role):
    registration = make_registration("approved")
    client = app.test_client()
    if role is not ANONYMOUS:
        user = make_staff(role)
        client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
    wrong = []
    for rule, method in _desk_rules(app):
        values = {
            "slug": event.slug,
            "checkpoint": "venue",
            "registration_id": registration.id,
            "signature": "0" * 32,
        }
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        response = client.open(url, method=method)
        response.close()
        if rule.endpoint in PUBLIC:
            if response.status_code != PUBLIC[rule.endpoint]:
                wrong.append((method, url, response.status_code))
            continue
        allowed = role == "admin" or role in ALLOWED[rule.endpoint]
        if role is ANONYMOUS:
            ok = response.status_code == 302 and "/auth/sign-in" in response.location
        elif allowed:
            ok = response.status_code not in (401, 403) and response.status_code < 500
        else:
            ok = response.status_code == 403
        if not ok:
            wrong.append((method, url, response.status_code))
    assert wrong == []
