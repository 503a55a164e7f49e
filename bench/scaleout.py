"""Scale-out: two web hosts and three workers on PostgreSQL, Redis and S3, with kill -9 half-way.

    .venv/bin/python -m bench scaleout [--registrations 500] [--badges 1000] [--emails 2000]

Starts moto's S3 server, an SMTP sink, two gunicorn hosts and three `flask worker`s on loopback,
each process with an instance folder of its own (files are shared through S3 only), on a fresh
PostgreSQL database (BENCH_ADMIN_URL, default the local server; database bench_scaleout) and
Redis database 5 (BENCH_REDIS_URL) for the rate limits, with leases of 60 s. Then:

1. registrations with photos posted concurrently to both hosts; one host is killed (kill -9)
   half-way, its requests retried on the other, and it is started again;
2. two badge jobs of ``--badges`` each and one bulk email to ``--emails`` people, with one
   worker killed (kill -9) half-way;
3. checks: rows == successful answers (plus answers lost with the killed host, found by their
   retry), no duplicate registration, every email delivered (duplicates counted), every job
   finished with one page per badge, every photo readable through the other host.

Prints the time of each phase and exits 1 when a check fails.
"""

import argparse
import io
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import psycopg
import requests
from PIL import Image

from bench._cluster import Cluster, fresh_database

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
DATABASE = "bench_scaleout"
SLUG = "idm-2008-return-migration"
STAFF_EMAIL = "registrar@scaleout.example.org"
#: No wait for background work lasts longer than this.
PATIENCE = 1800.0


def _photo(number: int) -> bytes:
    """A distinct small JPEG portrait."""
    image = Image.new("RGB", (480, 640), ((number * 37) % 256, (number * 91) % 256, 140))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=80)
    return output.getvalue()


def _csrf_token(page: str) -> str:
    """The CSRF token of the first form of a page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class Run:
    """One benchmark run: the cluster, the people, the answers and the checks."""

    def __init__(self, cluster: Cluster, database_url: str):
        self.cluster = cluster
        self.sql = psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True)
        self.hosts: dict[str, str] = {}
        self.timings: list[tuple[str, float]] = []
        self.password = ""
        self.checks: list[tuple[str, bool, str]] = []

    def phase(self, name: str, started: float) -> None:
        self.timings.append((name, time.monotonic() - started))
        print(f"  {name}: {self.timings[-1][1]:.1f} s", flush=True)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))

    def scalar(self, query: str, *args):
        return self.sql.execute(query, args).fetchone()[0]

    # Set-up ------------------------------------------------------------------------------------

    def set_up(self, badges: int, emails: int) -> None:
        """Schema, the demo meeting (no capacity), an admin, approved people, hosts, workers."""
        started = time.monotonic()
        flask = self.cluster.flask
        flask("db", "upgrade")
        flask("demo", "load")
        # A meeting of a few thousand: the demo's capacity of 400 would wait-list nearly all.
        self.sql.execute("UPDATE event SET capacity = NULL WHERE slug = %s", (SLUG,))
        # A registrar prints and writes to people; admins must also enrol an authenticator.
        created = flask(
            "staff", "create", STAFF_EMAIL, "--role", "registrar", "--generate-password"
        )
        self.password = created.rsplit("): ", 1)[1].strip()
        flask(
            "demo",
            "fake",
            "--event",
            SLUG,
            "--count",
            str(badges),
            "--status",
            "approved",
            "--photos",
            "--seed",
            "1",
        )
        rest = max(emails - badges, badges)
        flask(
            "demo",
            "fake",
            "--event",
            SLUG,
            "--count",
            str(rest),
            "--status",
            "approved",
            "--seed",
            "2",
        )
        for name in ("web-a", "web-b"):
            self.hosts[name] = self.cluster.start_web(name)
        for number in (1, 2, 3):
            self.cluster.start_worker(f"worker-{number}")
        self.phase("set-up (schema, demo, people, 2 hosts, 3 workers)", started)

    # Registrations -----------------------------------------------------------------------------

    def _form(self, number: int, entities: list[tuple[int, int]]) -> dict:
        category, entity = entities[number % len(entities)]
        return {
            "category": str(category),
            "entity": str(entity),
            "given_name": f"Person{number}",
            "family_name": f"Scaleout{number}",
            "email": f"person{number}@scaleout.example.org",
            "language": "en",
            "privacy": "y",
        }

    def register_all(self, count: int) -> dict:
        """Post ``count`` registrations to both hosts; kill web-a half-way, retry on web-b."""
        started = time.monotonic()
        entities = self.sql.execute(
            "SELECT c.id, e.id FROM category c JOIN entity e ON e.category_id = c.id "
            "JOIN event v ON v.id = c.event_id WHERE v.slug = %s AND c.code = 'member-state'",
            (SLUG,),
        ).fetchall()
        forms = [self._form(number, entities) for number in range(count)]
        outcome: dict[int, tuple[str, str]] = {}  # number → (host that answered, answer)
        lost: set[int] = set()
        killed = threading.Event()
        done = [0]
        lock = threading.Lock()

        def post(number: int, host: str) -> requests.Response:
            """As a browser does: the form (its CSRF token), then the submission."""
            browser = requests.Session()
            url = f"{self.hosts[host]}/e/{SLUG}/register"
            token = _csrf_token(browser.get(url, timeout=300).text)
            files = {"photo": ("me.jpg", _photo(number), "image/jpeg")}
            data = {**forms[number], "csrf_token": token}
            return browser.post(url, data=data, files=files, allow_redirects=False, timeout=300)

        def one(number: int) -> None:
            # Alternate hosts, as a load balancer would; none sends to a host known dead.
            host = "web-a" if number % 2 == 0 and not killed.is_set() else "web-b"
            try:
                response = post(number, host)
            except requests.RequestException:  # the host died with the request in flight
                with lock:
                    lost.add(number)
                host = "web-b"
                response = post(number, host)
            answer = "ok" if response.status_code == 302 else f"http_{response.status_code}"
            if response.status_code == 400 and "already registered" in response.text:
                answer = "duplicate"
            with lock:
                outcome[number] = (host, answer, response.headers.get("Location", ""))
                done[0] += 1
                if done[0] == count // 2 and not killed.is_set():
                    killed.set()
                    self.cluster.kill("web-a")
                    print(f"  kill -9 web-a after {done[0]} answers", flush=True)

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(one, range(count)))
        self.phase(f"{count} registrations with photos on 2 hosts (web-a killed half-way)", started)
        started = time.monotonic()
        self.hosts["web-a"] = self.cluster.start_web("web-a")
        self.phase("web-a started again", started)
        return {"outcome": outcome, "lost": lost}

    def check_registrations(self, count: int, answers: dict) -> None:
        outcome, lost = answers["outcome"], answers["lost"]
        ok = sum(1 for _host, answer, _location in outcome.values() if answer == "ok")
        duplicates_refused = sum(1 for _h, answer, _l in outcome.values() if answer == "duplicate")
        other = sorted({answer for _h, answer, _l in outcome.values()} - {"ok", "duplicate"})
        rows = self.scalar(
            "SELECT count(*) FROM registration WHERE email LIKE '%%@scaleout.example.org'"
        )
        distinct = self.scalar(
            "SELECT count(DISTINCT email) FROM registration "
            "WHERE email LIKE '%%@scaleout.example.org'"
        )
        # A duplicate answer can only follow a request whose answer was lost with web-a.
        self.check(
            "rows == successful answers",
            rows == ok + duplicates_refused and duplicates_refused <= len(lost),
            f"{rows} rows, {ok} answered 302, {duplicates_refused} committed by web-a before it "
            f"died (answer lost, retry refused as duplicate), {len(lost)} retried, "
            f"other answers: {other or 'none'}",
        )
        self.check("no duplicate registration", rows == distinct, f"{rows - distinct} duplicates")
        self.check("every registration recorded", distinct == count, f"{distinct} of {count}")

    # Photos ------------------------------------------------------------------------------------

    def check_photos(self, answers: dict) -> None:
        """Each registration's photo through the host that did not take it (its secret link)."""
        started = time.monotonic()
        pairs = [
            ("web-b" if host == "web-a" else "web-a", location.split("?")[0])
            for host, answer, location in answers["outcome"].values()
            if answer == "ok"
        ]

        def read(pair: tuple[str, str]) -> bool:
            other, path = pair
            response = requests.get(f"{self.hosts[other]}{path}/photo", timeout=60)
            return response.status_code == 200 and response.content[:2] == b"\xff\xd8"

        with ThreadPoolExecutor(8) as pool:
            readable = sum(pool.map(read, pairs))
        rows, with_photo = self.sql.execute(
            "SELECT count(*), count(photo) FROM registration "
            "WHERE email LIKE '%%@scaleout.example.org'"
        ).fetchone()
        self.check(
            "every photo readable through the other host",
            readable == len(pairs) and with_photo == rows,
            f"{readable} of {len(pairs)} read through the other host; "
            f"{with_photo} of {rows} registrations have a photo",
        )
        self.phase(f"{len(pairs)} photos read through the other host", started)

    # Jobs and email ----------------------------------------------------------------------------

    def _signed_in(self) -> requests.Session:
        """A session signed in on web-a; the first sign-in replaces the generated password."""
        session, web = requests.Session(), self.hosts["web-a"]
        token = _csrf_token(session.get(f"{web}/auth/sign-in").text)
        answer = session.post(
            f"{web}/auth/sign-in",
            data={"email": STAFF_EMAIL, "password": self.password, "csrf_token": token},
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        if answer.headers["Location"].endswith("/auth/new-password"):
            self.password = "scale-out bench " + secrets.token_urlsafe(16)
            token = _csrf_token(session.get(f"{web}/auth/new-password").text)
            answer = session.post(
                f"{web}/auth/new-password",
                data={"password": self.password, "confirm": self.password, "csrf_token": token},
                allow_redirects=False,
            )
            if answer.status_code != 302:
                raise RuntimeError(f"choosing the password failed: {answer.status_code}")
        # Signing in starts a new session: the forms' token is read from a page of it.
        session.csrf = _csrf_token(session.get(f"{web}/auth/account").text)
        return session

    def jobs_and_email(self, badges: int, emails: int) -> dict:
        """Two badge jobs (with and without photos) and one bulk email; kill a worker half-way."""
        started = time.monotonic()
        session = self._signed_in()
        base = self.hosts["web-a"]
        tokens = []
        for photo in ("yes", "no"):
            answer = session.post(
                f"{base}/manage/e/{SLUG}/badges?status=approved&photo={photo}",
                data={"output": "a6", "which": "all", "csrf_token": session.csrf},
                allow_redirects=False,
            )
            if "Location" not in answer.headers:
                raise RuntimeError(f"badge job refused: {answer.status_code} {answer.text[:800]}")
            tokens.append(answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        email_started = time.monotonic()
        subject, body = "Practical information", "Dear {given_name}, the meeting opens at 9:00."
        answer = session.post(
            f"{base}/manage/e/{SLUG}/email?status=approved",
            # One field set for the form with a text per language and a confirmed count (the
            # message fan-out is a job) and one for the older single-text form.
            data={
                "subject_en": subject,
                "body_en": body,
                "subject": subject,
                "body": body,
                "confirm": "y",
                "expected": str(emails),
                "send": "1",
                "csrf_token": session.csrf,
            },
            allow_redirects=False,
        )
        email_request = time.monotonic() - email_started
        location = answer.headers.get("Location", "")
        email_job = location.rstrip("/").rsplit("/", 1)[-1] if "/manage/jobs/" in location else None
        print(
            f"  bulk email request: {answer.status_code} in {email_request * 1000:.0f} ms "
            f"({'a job' if email_job else 'messages written in the request'})",
            flush=True,
        )
        followed = [*tokens, email_job] if email_job else tokens
        killed = False
        deadline = time.monotonic() + PATIENCE
        states = {}
        while time.monotonic() < deadline:
            states = {
                token: session.get(f"{self.hosts['web-b']}/manage/jobs/{token}/progress").json()
                for token in followed
            }
            done = sum(states[token]["done"] or 0 for token in tokens)
            if not killed and done >= badges:
                self.cluster.kill("worker-1")
                killed = True
                print(f"  kill -9 worker-1 at {done} of {2 * badges} badges", flush=True)
            if all(state["status"] in ("done", "failed") for state in states.values()):
                break
            time.sleep(1)
        self.phase(
            f"2 badge jobs of {badges} and the bulk email's job "
            f"({'worker-1 killed' if killed else 'no kill'})",
            started,
        )
        started = time.monotonic()
        self._wait_for_mail(deadline)
        queued = self.scalar("SELECT count(*) FROM outbox_email WHERE subject = %s", subject)
        self.phase(f"bulk email to {queued} people delivered", started)
        return {
            "session": session,
            "tokens": tokens,
            "states": states,
            "queued": queued,
            "email_status": answer.status_code,
            "email_job": email_job,
            "email_request": email_request,
        }

    def _wait_for_mail(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            waiting = self.scalar("SELECT count(*) FROM outbox_email WHERE status <> 'sent'")
            if waiting == 0:
                return
            time.sleep(1)

    def check_jobs_and_email(self, badges: int, emails: int, work: dict) -> None:
        session, base = work["session"], self.hosts["web-b"]
        pages = []
        for token in work["tokens"]:
            state = work["states"][token]
            if state.get("status") != "done":
                pages.append(f"{token[:6]}…: {state.get('status')} {state.get('error', '')}")
                continue
            pdf = session.get(f"{base}/manage/jobs/{token}/download").content
            with pikepdf.open(io.BytesIO(pdf)) as document:
                pages.append(len(document.pages))
        self.check(
            "every job finished",
            pages == [badges, badges],
            f"pages per job, downloaded through web-b: {pages}",
        )
        rows, sent = self.sql.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox_email"
        ).fetchone()
        received, distinct = self.cluster.smtp.counts()
        email_job = work["email_job"] and work["states"][work["email_job"]]
        self.check(
            "bulk email queued for everyone",
            work["queued"] == emails
            and work["email_status"] == 302
            and (email_job is None or email_job["status"] == "done"),
            f"{work['queued']} messages for {emails} people; the request answered "
            f"{work['email_status']} in {work['email_request'] * 1000:.0f} ms"
            + (f", its job {email_job['status']}" if email_job else ", no job (in the request)"),
        )
        self.check(
            "every email delivered",
            sent == rows == distinct,
            f"{rows} messages queued, {sent} marked sent, {distinct} distinct Message-IDs "
            f"received by the SMTP sink, {received - distinct} duplicate deliveries",
        )

    # Report ------------------------------------------------------------------------------------

    def report(self) -> int:
        print("\nphases:")
        for name, seconds in self.timings:
            print(f"  {seconds:8.1f} s  {name}")
        print("checks:")
        for name, ok, detail in self.checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
        failed = [name for name, ok, _detail in self.checks if not ok]
        print(f"scale-out: {'all checks passed' if not failed else 'FAILED: ' + ', '.join(failed)}")
        return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Run the scale-out benchmark; 1 when a check fails."""
    parser = argparse.ArgumentParser(prog="python -m bench scaleout", description=__doc__)
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--emails", type=int, default=2000)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    print(f"scale-out: logs in {folder}", flush=True)
    database_url = fresh_database(ADMIN_URL, DATABASE)
    cluster = Cluster(folder, database_url, REDIS_URL)
    run = Run(cluster, database_url)
    try:
        run.set_up(args.badges, args.emails)
        answers = run.register_all(args.registrations)
        run.check_registrations(args.registrations, answers)
        run.check_photos(answers)
        work = run.jobs_and_email(args.badges, args.emails)
        run.check_jobs_and_email(args.badges, args.emails, work)
    finally:
        cluster.stop()
    return run.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
