"""The local-folder backend: files under one folder, written atomically."""

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from registration.storage import Storage, StorageUnavailable, check_key


class LocalStorage(Storage):
    """Files under ``root`` (created when missing); a key is a relative path."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.url = self.root.as_uri() if self.root.is_absolute() else f"file:{self.root}"

    def _path(self, key: str) -> Path:
        """The file of ``key``, refusing any way out of the root (such as a symlink)."""
        path = self.root / check_key(key)
        base = self.root.resolve()
        if base not in path.resolve().parents:
            raise FileNotFoundError(key)
        return path

    def save(self, key: str, data: bytes | BinaryIO) -> None:
        """Write a temporary file beside the target, then rename it over the target."""
        path = self.root / check_key(key)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as target:
                if isinstance(data, bytes | bytearray | memoryview):
                    target.write(data)
                else:
                    shutil.copyfileobj(data, target)
            os.replace(temporary, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise StorageUnavailable(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        """The file opened for reading."""
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise FileNotFoundError(key) from error
        except OSError as error:
            raise StorageUnavailable(str(error)) from error

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        try:
            return self._path(key).is_file()
        except FileNotFoundError:
            return False

    def size(self, key: str) -> int:
        """The file's size."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.stat().st_size

    def modified(self, key: str) -> float:
        """The file's modification time."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.stat().st_mtime

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        try:
            self._path(key).unlink(missing_ok=True)
        except FileNotFoundError:
            return
        except OSError as error:
            raise StorageUnavailable(str(error)) from error

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under the folder part of ``prefix`` that start with ``prefix``, sorted as S3
        lists them (hidden files, such as a write in progress, are not keys)."""
        folder = self.root / prefix.rpartition("/")[0]
        found = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                key = name if relative == "." else f"{relative}/{name}"
                if not name.startswith(".") and key.startswith(prefix):
                    found.append(key)
        yield from sorted(found)
