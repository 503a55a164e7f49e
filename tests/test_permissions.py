"""The role matrix: every route under /manage and /api, for every role and for anonymous visitors.

``ALLOWED`` is the policy, written out by hand (issue 3 §8): a new route fails this test until
someone decides who may use it and adds one line below.
"""

import pytest
from werkzeug.routing.converters import NumberConverter

from registration.auth.models import Role
from tests.conftest import PASSWORD

ADMIN = frozenset({Role.ADMIN})
#: Registrars do everything but event setup and staff accounts.
WRITE = ADMIN | {Role.REGISTRAR}
#: Read-only lists and reports.
READ = WRITE | {Role.VIEWER}
#: The check-in desk.
DESK = WRITE | {Role.CHECKIN}
#: The desk's live counts are also a report.
DESK_AND_READ = DESK | {Role.VIEWER}
#: Authorised by a device token (Bearer), never by a staff session.
TOKEN = frozenset()

ALLOWED: dict[str, frozenset] = {
    # Back office (registration/manage)
    "manage.dashboard": READ,
    "manage.audit": ADMIN,
    "manage.registrations": READ,
    "manage.list_columns": READ,
    "manage.registration": READ,
    "manage.photo": READ,
    "manage.bulk": WRITE,
    "manage.promote": WRITE,
    "manage.edit": WRITE,
    "manage.approve": WRITE,
    "manage.reset": WRITE,
    "manage.reject": WRITE,
    "manage.withdraw": WRITE,
    "manage.compose": WRITE,
    "manage.email_templates": WRITE,
    "manage.email_template": WRITE,
    # Mail log (registration/mail)
    "mail.mailbox": READ,
    "mail.message": READ,
    "mail.attachment": READ,
    "mail.resend": WRITE,
    # Delegations, focal points, nomination letters (registration/delegations)
    "delegations.index": READ,
    "delegations.delegation": READ,
    "delegations.letter": READ,
    "delegations.upload_letter": WRITE,
    "delegations.invite": WRITE,
    "delegations.resend": WRITE,
    "delegations.revoke": WRITE,
    # Event setup and staff accounts (registration/setup): admins only
    "setup.event": ADMIN,
    "setup.categories": ADMIN,
    "setup.category": ADMIN,
    "setup.entities": ADMIN,
    "setup.entity": ADMIN,
    "setup.import_entities": ADMIN,
    "setup.confirm_import": ADMIN,
    "setup.sessions": ADMIN,
    "setup.agenda_session": ADMIN,
    "setup.certificate": ADMIN,
    "setup.certificate_logo": ADMIN,
    "staff.accounts": ADMIN,
    "staff.create": ADMIN,
    "staff.deactivate": ADMIN,
    "staff.reactivate": ADMIN,
    "staff.change_role": ADMIN,
    "staff.resend_invitation": ADMIN,
    "staff.reset_two_factor": ADMIN,
    # Documents (registration/documents); the desk reprints badges
    "documents.badge": DESK,
    "documents.staff_certificate": READ,
    "documents.print_badges": WRITE,
    "documents.index": READ,
    "documents.participants": READ,
    "documents.export": READ,
    "documents.attendance": READ,
    "documents.statistics_page": READ,
    "documents.statistics_csv": READ,
    # Jobs (registration/jobs): each job's kind narrows who may follow it
    "jobs.job": READ,
    "jobs.progress": READ,
    "jobs.download": READ,
    # Check-in desk (registration/desk)
    "desk.device_list": ADMIN,
    "desk.revoke_device": ADMIN,
    "desk_xhr.scan": DESK,
    "desk_xhr.frame": DESK,
    "desk_xhr.search": DESK,
    "desk_xhr.annul": DESK,
    "desk_xhr.register_device": DESK,
    "desk_xhr.badge_printed": DESK,
    "desk_xhr.counts": DESK_AND_READ,
    "desk_api.scans": TOKEN,
    "desk_api.roster_snapshot": TOKEN,
    # Erasure requests and retention (registration/privacy)
    "privacy.requests": WRITE,
    "privacy.confirm": WRITE,
    "privacy.decline": WRITE,
}

ROLES = [None, *Role]
#: Values for URL variables: ids that exist nowhere, so that allowed requests change nothing.
MISSING_ID = 987_654


def _rules(app):
    """(endpoint, method, rule) for every staff-facing route."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.rule.startswith(("/manage", "/api")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule


def _url(rule, slug: str) -> str:
    values = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], NumberConverter):
            values[name] = MISSING_ID
        elif name == "slug":
            values[name] = slug
        elif name == "kind":
            values[name] = "approved"
        elif name == "language":
            values[name] = "en"
        else:
            values[name] = "no-such-thing"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_has_a_rule(app):
    endpoints = {endpoint for endpoint, _method, _rule in _rules(app)}
    missing = sorted(endpoints - set(ALLOWED))
    assert missing == [], f"add these endpoints to ALLOWED in {__file__}: {missing}"


def test_no_rule_for_a_route_that_is_gone(app):
    endpoints = {endpoint for endpoint, _method, _rule in _rules(app)}
    assert sorted(set(ALLOWED) - endpoints) == []


def _denied_anonymously(response) -> bool:
    """Anonymous visitors are sent to the sign-in page (pages) or get 401 (APIs)."""
    if response.status_code == 401:
        return True
    return response.status_code == 302 and "/auth/sign-in" in response.location


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_role_matrix(app, db, make_staff, event, role):
    client = app.test_client()
    if role is not None:
        user = make_staff(role)
        signed = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
        assert signed.status_code == 302
    wrong = []
    for endpoint, method, rule in _rules(app):
        if endpoint not in ALLOWED:
            continue  # reported by test_every_route_has_a_rule
        url = _url(rule, event.slug)
        # Requests share the test's session here: end its transaction, as a request's would
        # end, so that a request that writes does not write from a snapshot older than a job's.
        db.session.rollback()
        response = client.open(url, method=method)
        status = response.status_code
        allowed = role in ALLOWED[endpoint]
        if status >= 500:
            wrong.append((method, url, status, "server error"))
        elif role is None or (ALLOWED[endpoint] is TOKEN):
            if not _denied_anonymously(response):
                wrong.append((method, url, status, "should need sign-in or a token"))
        elif allowed and (status in (401, 403) or _denied_anonymously(response)):
            wrong.append((method, url, status, f"{role.value} should be allowed"))
        elif not allowed and status != 403:
            wrong.append((method, url, status, f"{role.value} should get 403"))
        response.close()
    assert wrong == []
