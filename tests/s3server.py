"""moto's standalone S3 server in a child process on a loopback port, for the S3 backend's tests
(and `TEST_STORAGE=s3`, which runs the whole suite on it) and the scale-out benchmark."""

import socket
import subprocess
import sys
import time

import boto3

#: Credentials the local server accepts (it checks none).
ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    """A running moto S3 server; ``settings(bucket)`` are the app settings that use it."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_listening()

    def _wait_until_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the S3 server did not start")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the S3 server did not answer within 30 s")

    def client(self):
        """A boto3 client of this server."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def settings(self, bucket: str, prefix: str = "") -> dict:
        """Application settings storing files in ``bucket`` (created when missing)."""
        client = self.client()
        if bucket not in {item["Name"] for item in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=bucket)
        return {
            "STORAGE_URL": f"s3://{bucket}/{prefix}".rstrip("/"),
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_ADDRESSING_STYLE": "path",
        }

    def stop(self) -> None:
        """End the server."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
