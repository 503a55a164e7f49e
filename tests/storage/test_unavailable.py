"""A file store that is down: a clear message, what was typed kept, nothing lost, never a 500."""

import contextlib
import io

from registration.delegates.models import Registration
from registration.delegates.photos import store_photo
from tests.delegates.photo_files import image_bytes
from tests.s3server import free_port


@contextlib.contextmanager
def store_down(app):
    """Point the app at an object store that nobody answers, then back at its own."""
    names = ("STORAGE_URL", "S3_ENDPOINT_URL", "STORAGE_TIMEOUT")
    saved = {name: app.config[name] for name in names}
    app.config.update(
        STORAGE_URL="s3://down",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        STORAGE_TIMEOUT=1,
    )
    try:
        yield
    finally:
        app.config.update(saved)


def _register(client, event, form_data, photo: bytes):
    data = form_data(photo=(io.BytesIO(photo), "me.jpg"))
    return client.post(f"/e/{event.slug}/register", data=data, content_type="multipart/form-data")


def test_registration_with_a_photo_while_the_store_is_down(app, client, db, event, form_data):
    with store_down(app):
        response = _register(client, event, form_data, image_bytes())

    assert response.status_code == 400
    assert "The file store cannot be reached just now" in response.text
    assert 'value="Alzate Donoso"' in response.text
    assert db.session.execute(db.select(Registration)).first() is None
    # Once the store is back the same submission goes through.
    assert _register(client, event, form_data, image_bytes()).status_code == 302
    assert db.session.execute(db.select(Registration)).scalar_one().photo


def test_a_photo_asked_for_while_the_store_is_down(app, client, make_registration):
    registration = make_registration(photo=store_photo(image_bytes()))
    with store_down(app):
        response = client.get(f"/r/{registration.manage_token}/photo")

    assert response.status_code == 503
    assert "The file store cannot be reached just now" in response.text
    with client.get(f"/r/{registration.manage_token}/photo") as back:
        assert back.status_code == 200 and back.data[:2] == b"\xff\xd8"
