"""The storage tests run against both backends: a folder and the local S3 server."""

import secrets

import pytest

from registration.storage import open_storage
from tests.conftest import s3_server


@pytest.fixture(params=["local", "s3"])
def files(request, tmp_path):
    """An empty store of each backend (a fresh folder, or a fresh prefix of a bucket)."""
    if request.param == "local":
        return open_storage(tmp_path.as_uri(), {})
    settings = s3_server().settings("storage-tests", prefix=secrets.token_hex(8))
    return open_storage(settings["STORAGE_URL"], settings)
