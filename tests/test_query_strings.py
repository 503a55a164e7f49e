"""Whatever a person puts in a query string, staff pages answer without a server error."""

import pytest

from registration.auth.models import Role

WEIRD_VALUES = ["99999999999999999999999999", "-1", "abc", "%'_\u202e", "x" * 3000]
KEYS = [
    "page",
    "per_page",
    "sort",
    "desc",
    "status",
    "category",
    "entity",
    "session",
    "q",
    "checked_in",
    "has_photo",
    "badge_printed",
    "scope",
    "recipient",
    "event",
]
PAGES = [
    "/manage/e/{slug}/registrations",
    "/manage/e/{slug}/documents",
    "/manage/mail/",
    "/manage/e/{slug}/statistics",
    "/manage/e/{slug}/statistics.csv",
    "/manage/e/{slug}/attendance.xlsx",
    "/manage/e/{slug}/delegations/",
    "/manage/e/{slug}/email",
    "/desk/e/{slug}/dashboard",
    "/desk/e/{slug}/attendance/venue",
    "/api/desk/{slug}/search",
    "/api/desk/{slug}/counts",
]


@pytest.mark.parametrize("page", PAGES)
def test_odd_query_values_never_give_a_server_error(
    client, event, sign_in, make_registration, page
):
    make_registration()
    sign_in(Role.ADMIN)
    path = page.format(slug=event.slug)
    failures = []
    for key in KEYS:
        for value in WEIRD_VALUES:
            response = client.get(path, query_string={key: value})
            if response.status_code >= 500:
                failures.append((key, value[:30], response.status_code))
            response.close()
    assert failures == []
