"""The file storage API, the same tests for the local folder and S3 (moto's server)."""

import io
import pickle

import pytest

from registration.storage import StorageUnavailable, open_storage
from tests.s3server import free_port


def test_save_read_size_exists_delete(files):
    assert not files.exists("photos/a.jpg")
    files.save("photos/a.jpg", b"portrait")
    assert files.exists("photos/a.jpg")
    assert files.read("photos/a.jpg") == b"portrait"
    assert files.size("photos/a.jpg") == 8
    with files.open("photos/a.jpg") as stream:
        assert stream.read() == b"portrait"
    files.delete("photos/a.jpg")
    assert not files.exists("photos/a.jpg")
    files.delete("photos/a.jpg")  # deleting what is gone is fine


def test_save_a_stream_and_overwrite(files):
    files.save("job-results/x.pdf", io.BytesIO(b"first" * 100_000))
    files.save("job-results/x.pdf", io.BytesIO(b"second"))
    assert files.read("job-results/x.pdf") == b"second"


def test_missing_file(files):
    for action in (files.read, files.size, files.open):
        with pytest.raises(FileNotFoundError):
            action("photos/none.jpg")


def test_list_by_prefix(files):
    for key in ("badge-cache/a6/ab/1.pdf", "badge-cache/a6/cd/2.pdf", "badge-cache/card/3.pdf"):
        files.save(key, b"%PDF")
    files.save("photos/p.jpg", b"jpg")
    assert list(files.list("badge-cache/a6/")) == [
        "badge-cache/a6/ab/1.pdf",
        "badge-cache/a6/cd/2.pdf",
    ]
    assert len(list(files.list("badge-cache/"))) == 3
    assert list(files.list("photos/")) == ["photos/p.jpg"]
    assert list(files.list("letters/")) == []


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "photos/../x", ".hidden", "a//b", ""])
def test_keys_that_are_not_plain_names_are_refused(files, key):
    with pytest.raises(ValueError):
        files.save(key, b"x")


def test_a_pickled_store_reads_the_same_files(files):
    """Badge renderers in child processes receive the store pickled."""
    files.save("photos/b.jpg", b"portrait")
    assert pickle.loads(pickle.dumps(files)).read("photos/b.jpg") == b"portrait"


def test_local_store_does_not_follow_a_symlink_out_of_its_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    root = tmp_path / "files"
    (root / "photos").mkdir(parents=True)
    (root / "photos" / "link.jpg").symlink_to(secret)
    files = open_storage(root.as_uri(), {})
    assert not files.exists("photos/link.jpg")
    with pytest.raises(FileNotFoundError):
        files.read("photos/link.jpg")


def test_an_unreachable_object_store_is_a_clear_error():
    """Nothing listens on the port: every operation says the store cannot be reached."""
    settings = {"S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "STORAGE_TIMEOUT": 1}
    settings |= {"S3_ACCESS_KEY_ID": "x", "S3_SECRET_ACCESS_KEY": "y", "S3_REGION": "us-east-1"}
    files = open_storage("s3://nowhere", settings)
    for action in (
        lambda: files.save("photos/a.jpg", b"x"),
        lambda: files.read("photos/a.jpg"),
        lambda: files.exists("photos/a.jpg"),
        lambda: list(files.list("photos/")),
    ):
        with pytest.raises(StorageUnavailable) as caught:
            action()
        assert caught.value.code == "storage_unavailable"
        assert "cannot be reached" in caught.value.message


def test_a_local_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    files = open_storage(blocked.as_uri(), {})
    with pytest.raises(StorageUnavailable):
        files.save("photos/a.jpg", b"x")


def test_unknown_storage_url():
    with pytest.raises(ValueError):
        open_storage("ftp://example.org/files", {})
