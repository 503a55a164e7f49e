"""The back-office dashboard: counts and charts per meeting."""

from registration.auth.models import Role


def test_dashboard_counts_by_status_and_category(client, sign_in, make_registration):
    make_registration()
    make_registration()
    make_registration("approved")
    sign_in(Role.VIEWER)
    page = client.get("/manage/").text
    assert '<strong data-count="total">3</strong>' in page
    assert '<strong data-count="pending">2</strong>' in page
    assert '<strong data-count="approved">1</strong>' in page


def test_dashboard_charts_statistics(client, sign_in, make_registration):
    make_registration(gender="female")
    make_registration(gender="male", language="fr")
    sign_in(Role.VIEWER)
    page = client.get("/manage/").text
    assert 'id="chart-category"' in page and 'id="chart-gender"' in page
    assert '<g data-label="Female" data-count="1">' in page
    assert 'id="chart-language"' in page
