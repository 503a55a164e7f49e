"""Admins set the retention period of a meeting in its setup."""

import pytest

from tests.setup.test_views import _event_form, _setup


def test_admin_sets_the_retention_period(client, db, event, sign_in):
    sign_in("admin")
    assert event.retention_days == 90  # the default
    page = client.get(_setup(event, "/")).text
    assert 'name="retention_days"' in page and 'value="90"' in page
    response = client.post(_setup(event, "/"), data=_event_form(event, retention_days="30"))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.retention_days == 30
    # A form without the field (an older page) keeps the period.
    client.post(_setup(event, "/"), data=_event_form(event))
    db.session.refresh(event)
    assert event.retention_days == 30


@pytest.mark.parametrize("value", ["-1", "3651", "ninety"])
def test_a_bad_period_is_refused_and_the_form_kept(client, db, event, sign_in, value):
    sign_in("admin")
    response = client.post(
        _setup(event, "/"), data=_event_form(event, retention_days=value, venue_en="Kept venue")
    )
    assert response.status_code == 400
    assert "Kept venue" in response.text
    db.session.refresh(event)
    assert event.retention_days == 90
