"""Secrets at rest: manage and badge tokens are stored as a look-up hash and a sealed copy."""

import pytest
import sqlalchemy as sa

from registration.delegates.lookup import registration_for_link
from registration.delegates.models import Registration
from registration.security import TokenKeyError, new_token, seal_token, token_hash, unseal_token


def test_a_sealed_token_opens_only_with_its_key_and_purpose(app):
    token = new_token()
    sealed = seal_token("manage", token)
    assert token not in sealed
    assert seal_token("manage", token) != sealed  # a fresh salt every time
    assert unseal_token("manage", sealed, token_hash(token)) == token
    with pytest.raises(TokenKeyError):
        unseal_token("badge", sealed, token_hash(token))
    app.config["TOKEN_KEY"] = "another key"
    try:
        with pytest.raises(TokenKeyError):
            unseal_token("manage", sealed, token_hash(token))
    finally:
        app.config["TOKEN_KEY"] = None


def test_the_database_holds_no_usable_token(db, make_registration):
    registration = make_registration()
    manage, badge = registration.manage_token, registration.badge_token
    assert manage != badge
    row = db.session.execute(
        sa.select(Registration.__table__).where(Registration.id == registration.id)
    ).one()
    stored = " ".join(str(value) for value in row)
    assert manage not in stored and badge not in stored
    assert row.manage_token_hash == token_hash(manage)
    assert row.badge_token_hash == token_hash(badge)


def test_links_and_badges_are_found_by_the_hash_of_their_token(
    client, db, make_registration, make_staff
):
    registration = make_registration(status="approved")
    assert registration_for_link(registration.manage_token).id == registration.id
    assert client.get(f"/r/{registration.manage_token}").status_code == 200
    assert client.get(f"/r/{registration.manage_token_hash}").status_code == 404
    assert client.get(f"/r/{registration.badge_token}").status_code == 404


def test_a_new_manage_token_ends_the_old_link_but_not_the_badge(client, db, make_registration):
    registration = make_registration()
    old, badge = registration.manage_token, registration.badge_token
    new = registration.issue_manage_token()
    db.session.commit()
    assert client.get(f"/r/{old}").status_code == 404
    assert client.get(f"/r/{new}").status_code == 200
    assert registration.badge_token == badge
