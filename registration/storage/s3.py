"""The S3-compatible backend (AWS S3, MinIO, Ceph…) through boto3."""

import contextlib
import os
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from registration.storage import Storage, StorageUnavailable, check_key

#: Error codes that mean "no such file" rather than "the store is not working".
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage(Storage):
    """Objects in ``bucket`` under ``prefix``. Objects appear whole, so writes are atomic.

    The client is made on first use in each process (boto3 clients are not shared across a
    fork) and left out when the object is pickled for a child process.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str = "auto",
        timeout: float = 10,
    ):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._settings = {
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            # None lets boto3 find credentials itself (AWS_* variables, an instance role…).
            "aws_access_key_id": access_key_id or None,
            "aws_secret_access_key": secret_access_key or None,
            "config": Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": addressing_style},
            ),
        }
        self._client, self._pid = None, None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_client": None, "_pid": None}

    @property
    def client(self):
        """This process's boto3 client."""
        if self._client is None or self._pid != os.getpid():
            self._client = boto3.session.Session().client("s3", **self._settings)
            self._pid = os.getpid()
        return self._client

    def _name(self, key: str) -> str:
        """The object name of ``key``."""
        return f"{self.prefix}/{check_key(key)}" if self.prefix else check_key(key)

    @contextlib.contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        """Missing objects become FileNotFoundError, every other failure StorageUnavailable."""
        try:
            yield
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(key) from error
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error

    def save(self, key: str, data: bytes | BinaryIO) -> None:
        """Put the object (a stream goes up in parts when it is large)."""
        name = self._name(key)
        with self._errors(key):
            if isinstance(data, bytes | bytearray | memoryview):
                self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(data))
            else:
                self.client.upload_fileobj(data, self.bucket, name)

    def open(self, key: str) -> BinaryIO:
        """The object's body, streamed."""
        with self._errors(key):
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]

    def read(self, key: str) -> bytes:
        """The object's bytes."""
        with self._errors(key):
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
            with contextlib.closing(body):
                return body.read()

    def exists(self, key: str) -> bool:
        """Whether the object is there."""
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def _head(self, key: str) -> dict:
        with self._errors(key):
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))

    def size(self, key: str) -> int:
        """The object's size."""
        return self._head(key)["ContentLength"]

    def modified(self, key: str) -> float:
        """When the object was written."""
        return self._head(key)["LastModified"].timestamp()

    def delete(self, key: str) -> None:
        """Delete the object (S3 answers the same when there is none)."""
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys that start with ``prefix``, in S3's (byte) order."""
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start + prefix
        )
        with self._errors(prefix):
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(start) :]
