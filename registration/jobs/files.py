"""Job results in the file storage (area job-results): the only code that names their keys."""

from typing import BinaryIO

from werkzeug.wrappers import Response

from registration import storage


def result_key(name: str) -> str:
    """The storage key of a result (``name`` is a job token and a suffix, never user input)."""
    return storage.key(storage.JOB_RESULTS, name)


def save_result(name: str, data: bytes | BinaryIO) -> None:
    """Store a job's result."""
    storage.get_storage().save(result_key(name), data)


def send_result(name: str, mimetype: str, download_name: str) -> Response:
    """A download of a result (404 when it is gone)."""
    return storage.send(result_key(name), mimetype, as_attachment=True, download_name=download_name)


def delete_result(name: str) -> None:
    """Delete a result if it is there."""
    storage.get_storage().delete(result_key(name))


def result_names() -> list[tuple[str, float]]:
    """Every stored result: its name and when it was last written (epoch seconds)."""
    files = storage.get_storage()
    return [
        (key.rpartition("/")[2], files.modified(key))
        for key in files.list(f"{storage.JOB_RESULTS}/")
    ]
