"""Secrets at rest: manage and badge tokens are stored as a look-up hash and a sealed copy."""

import base64

import pytest
import sqlalchemy as sa

from registration.delegates.lookup import registration_for_link
from registration.delegates.models import Registration
from registration.security import TokenKeyError, new_token, seal_token, token_hash, unseal_token


def test_a_sealed_token_opens_only_with_its_key_and_purpose(app, monkeypatch):
    token = new_token()
    sealed = seal_token("manage", token)
    assert token not in sealed
    assert seal_token("manage", token) != sealed  # a fresh nonce every time
    assert unseal_token("manage", sealed, token_hash(token)) == token
    with pytest.raises(TokenKeyError):
        unseal_token("badge", sealed, token_hash(token))
    monkeypatch.setitem(app.config, "TOKEN_KEY", "another key")
    with pytest.raises(TokenKeyError):
        unseal_token("manage", sealed, token_hash(token))


@pytest.mark.parametrize(
    ("old_key", "previous"),
    [("old key", ["old key"]), ("old key", "old key"), (20261130, 20261130)],
    ids=["list", "one string", "digits read from the environment as a number"],
)
def test_a_rotated_key_list_opens_old_tokens_and_seals_with_the_new_key(
    app, monkeypatch, old_key, previous
):
    token = new_token()
    monkeypatch.setitem(app.config, "TOKEN_KEY", old_key)
    sealed_before = seal_token("manage", token)
    monkeypatch.setitem(app.config, "TOKEN_KEY", "new key")
    monkeypatch.setitem(app.config, "TOKEN_KEY_PREVIOUS", previous)
    assert unseal_token("manage", sealed_before, token_hash(token)) == token
    sealed_after = seal_token("manage", token)
    monkeypatch.setitem(app.config, "TOKEN_KEY_PREVIOUS", [])
    assert unseal_token("manage", sealed_after, token_hash(token)) == token
    with pytest.raises(TokenKeyError):
        unseal_token("manage", sealed_before, token_hash(token))
    monkeypatch.setitem(app.config, "TOKEN_KEY", "an unrelated key")
    monkeypatch.setitem(app.config, "TOKEN_KEY_PREVIOUS", ["another unrelated key"])
    for sealed in (sealed_before, sealed_after):
        with pytest.raises(TokenKeyError):
            unseal_token("manage", sealed, token_hash(token))


def test_a_tampered_sealed_token_is_refused(app):
    token = new_token()
    raw = base64.urlsafe_b64decode(seal_token("badge", token))
    # One bit flipped in the nonce, the ciphertext and the authentication tag.
    for position in (0, len(raw) // 2, len(raw) - 1):
        altered = bytearray(raw)
        altered[position] ^= 1
        with pytest.raises(TokenKeyError):
            unseal_token("badge", base64.urlsafe_b64encode(altered).decode(), token_hash(token))
    for broken in (base64.urlsafe_b64encode(raw[:-1]).decode(), "", "not base64 at all!"):
        with pytest.raises(TokenKeyError):
            unseal_token("badge", broken, token_hash(token))
    # Another row's sealed token, genuine but not the one this row's hash looks up.
    other = seal_token("badge", new_token())
    with pytest.raises(TokenKeyError):
        unseal_token("badge", other, token_hash(token))


def test_registration_tokens_survive_a_key_rotation(app, client, monkeypatch, make_registration):
    monkeypatch.setitem(app.config, "TOKEN_KEY", "key of last year")
    registration = make_registration()
    manage, badge = registration.manage_token, registration.badge_token
    monkeypatch.setitem(app.config, "TOKEN_KEY", "key of this year")
    monkeypatch.setitem(app.config, "TOKEN_KEY_PREVIOUS", ["key of last year"])
    assert (registration.manage_token, registration.badge_token) == (manage, badge)
    assert client.get(f"/r/{manage}").status_code == 200
    monkeypatch.setitem(app.config, "TOKEN_KEY_PREVIOUS", [])
    with pytest.raises(TokenKeyError):
        registration.manage_token  # noqa: B018 - the property is what is under test


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
