"""A small deployment on loopback for the scale-out benchmark: its own PostgreSQL database,
a Redis database, moto's S3 server, an SMTP sink, gunicorn web hosts and `flask worker`s.

Every process is started in a session of its own, so that kill -9 takes a gunicorn master and
its workers at once, and only the processes started here are ever stopped.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import redis
import requests
from aiosmtpd.controller import Controller

from tests.s3server import S3Server, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: Leases of the run (the default, 300 s, would make the run wait five minutes after a kill).
LEASE_SECONDS = 60


class SmtpSink:
    """An SMTP server that counts what arrives, by Message-ID (repeats are duplicates)."""

    def __init__(self):
        self.port = free_port()
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.ids[message["Message-ID"]] += 1
        return "250 Message accepted for delivery"

    def counts(self) -> tuple[int, int]:
        """(messages received, distinct Message-IDs)."""
        with self.lock:
            return sum(self.ids.values()), len(self.ids)

    def stop(self) -> None:
        self.controller.stop()


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name``; return its SQLAlchemy URL."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin_url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + (
        f"/{name}"
    )


class Cluster:
    """The processes of one run and the settings they share."""

    def __init__(self, folder: Path, database_url: str, redis_url: str):
        self.folder = folder
        self.redis = redis.Redis.from_url(redis_url)
        self.redis.flushdb()  # our own database number: rate-limit counters of earlier runs
        self.s3 = S3Server()
        self.smtp = SmtpSink()
        settings = self.s3.settings("bench-scaleout", prefix="files")
        self.env = {
            **os.environ,
            "FLASK_APP": "registration",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-scaleout-" + "0" * 32,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp.port),
            "REGISTRATION_RATELIMIT_STORAGE_URI": redis_url,
            # Hundreds of people register from one loopback address here; at a meeting they
            # come from many. The limits stay on, counted in Redis across both hosts.
            "REGISTRATION_RATELIMIT_PUBLIC_POST": "100000 per minute",
            "REGISTRATION_RATELIMIT_PER_EMAIL": "100000 per hour",
            # A killed worker's claims are taken over after this, within the run.
            "REGISTRATION_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
            **{f"REGISTRATION_{name}": str(value) for name, value in settings.items()},
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}

    def _env(self, name: str) -> dict:
        """Each process has an instance folder of its own: nothing is shared through disk."""
        instance = self.folder / name
        instance.mkdir(parents=True, exist_ok=True)
        return {**self.env, "REGISTRATION_INSTANCE_PATH": str(instance)}

    def flask(self, *args: str) -> str:
        """Run one `flask …` command to its end; its output."""
        result = subprocess.run(
            [str(BIN / "flask"), *args],
            env=self._env("cli"),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command,
            env=self._env(name),
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self, name: str, workers: int = 2, threads: int = 4) -> str:
        """A gunicorn host on a loopback port; its base URL once it answers."""
        port = self.ports.setdefault(name, free_port())
        command = [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads)]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout", "300", "registration.wsgi:app"]
        self._start(name, command)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/", timeout=5).status_code == 200:
                    return base
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer within 60 s (see {name}.log)")

    def start_worker(self, name: str) -> None:
        """A `flask worker` process."""
        self._start(name, [str(BIN / "flask"), "worker", "--interval", "0.5"])

    def kill(self, name: str) -> None:
        """kill -9 the process and every process of its session (a gunicorn's workers)."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """End every process started here, then the S3 server and the SMTP sink."""
        for name in list(self.processes):
            process = self.processes.pop(name)
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        self.s3.stop()
        self.smtp.stop()
        self.redis.flushdb()
