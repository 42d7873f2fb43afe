"""Drive every main page over HTTP against gunicorn, as a share of a bare view's throughput.

`make bench-http` runs this with config.settings.bench (production settings
plus two bare views). It seeds 10,000 people into a throwaway PostgreSQL
database, serves the site with gunicorn (4 sync workers by default),
signs the demo personas in, measures each page in-process once (queries and
bytes), warms every worker up on every address for a second, and then
measures each with wrk (requests per second, p50 and p99 at 8
connections), and prints each page's requests per second as a share of the
bare view's, measured in the same run: before the pages and again after.

A page added to Trellis joins PLAN below, and so the table.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import urlsplit

import psycopg
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from ladders.signals import bench_pages
from people.models import User

from .seed_demo import DOMAIN

# (persona, page label, address); {engineer} is the demo engineer's id.
PLAN = [
    ("engineer", "ladder overview", "/ladders/engineering/"),
    ("engineer", "competency grid", "/ladders/engineering/grid/"),
    ("engineer", "level", "/ladders/engineering/levels/senior-1/"),
    ("engineer", "competency", "/ladders/engineering/competencies/technical/"),
    ("engineer", "level diff", "/ladders/engineering/diff/"),
    ("engineer", "search", "/ladders/search/?q=incident"),
    ("engineer", "my path", "/path/"),
    ("engineer", "assessments", "/assessments/"),
    ("engineer", "notifications", "/people/notifications/"),
    ("engineer", "a person", "/people/{manager}/"),
    ("engineer", "people", "/people/"),
    ("engineer", "people search", "/people/?q=engineer"),
    ("engineer", "org chart", "/people/org/"),
    ("engineer", "org chart branch", "/people/org/?root={director}"),
    ("manager", "team", "/team/"),
    ("manager", "a report's path", "/path/{engineer}/"),
    ("manager", "compare", "/path/{engineer}/compare/"),
    ("manager", "a report's profile", "/people/{engineer}/"),
    ("manager", "assessments", "/assessments/"),
    ("director", "team", "/team/"),
    ("director", "assessments", "/assessments/"),
    ("cto", "team", "/team/"),
    ("cto", "assessments", "/assessments/"),
    ("cto", "a report's path", "/path/{engineer}/"),
    ("hr", "assessments", "/assessments/"),
    ("hr", "a person's path", "/path/{engineer}/"),
    ("hr", "hr home", "/hr/"),
]
PERSONAS = ["engineer", "manager", "director", "cto", "hr"]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Measured:
    label: str
    persona: str
    url: str
    status: int = 0
    queries: int = 0
    bytes: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    errors: int = 0


def _ms(value: str, unit: str) -> float:
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """Requests/s, p50 ms, p99 ms and non-2xx/3xx responses from wrk --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", output)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, _ms(*p50.groups()), _ms(*p99.groups()), int(errors.group(1)) if errors else 0


class Command(BaseCommand):
    help = "Serve the site with gunicorn and measure every main page with wrk (run by make bench-http)."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=10_000)
        parser.add_argument("--seconds", type=int, default=8, help="wrk run per page (after a 2 s warm-up)")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--reuse", action="store_true", help="keep the seeded database of the last run")
        parser.add_argument(
            "--only", help="measure only pages whose label contains this (or, comma-separated, any of these)"
        )

    def handle(self, *args, **options):
        if settings.ROOT_URLCONF != "config.urls_bench":
            raise CommandError("Run with DJANGO_SETTINGS_MODULE=config.settings.bench (make bench-http does).")
        if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("DATABASE_URL must name a throwaway PostgreSQL database with 'bench' in its name.")
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: apt-get install wrk")
        if not options["reuse"] or not User.objects.filter(email=f"engineer@{DOMAIN}").exists():
            self._fresh_database(options["employees"])
        cache.clear()
        self.csrf_secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        call_command("collectstatic", "--noinput", verbosity=0)

        people = {name: User.objects.get(email=f"{name}@{DOMAIN}") for name in PERSONAS}
        ids = {name: person.pk for name, person in people.items()}
        cookies = {name: self._session(person) for name, person in people.items()}
        wanted = [part.strip() for part in (options["only"] or "").split(",") if part.strip()]
        # Pages of the apps built on ladders join the plan.
        extra = [row for _, found in bench_pages.send(sender=self.__class__, people=people) for row in found]
        plan = [
            (persona, label, url.format(**ids))
            for persona, label, url in [*PLAN, *extra]
            if persona in people and (not wanted or any(part in label for part in wanted))
        ]
        rows = [self._in_process(persona, label, url, cookies[persona]) for persona, label, url in plan]
        connections.close_all()

        server = self._serve(options["workers"], options["port"])
        try:
            base = f"http://127.0.0.1:{options['port']}"
            drive = lambda url, cookie=None: self._wrk(base + url, cookie, options)  # noqa: E731
            # Every worker warms up on every address first (its imports, templates,
            # compiled queries and kept pages), so that the first pages measured
            # are not also paying for the server's start.
            self._warm(base, [("/bench/hello/", None), ("/bench/hello-signed-in/", cookies["engineer"])]
                       + [(row.url, cookies[row.persona]) for row in rows], options)
            bare_before = drive("/bench/hello/")
            signed_in = drive("/bench/hello-signed-in/", cookies["engineer"])
            for row in rows:
                row.rps, row.p50, row.p99, row.errors = drive(row.url, cookies[row.persona])
                self.stderr.write(f"  {row.persona:<9} {row.label:<18} {row.rps:8.1f} req/s")
            bare_after = drive("/bench/hello/")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)
        self._report(rows, bare_before, bare_after, signed_in, options)

    # --- Setting up --------------------------------------------------------------------

    def _fresh_database(self, employees: int) -> None:
        name = connection.settings_dict["NAME"]
        connections.close_all()
        params = {k: v for k, v in {
            "host": connection.settings_dict["HOST"] or None,
            "port": connection.settings_dict["PORT"] or None,
            "user": connection.settings_dict["USER"] or None,
            "password": connection.settings_dict["PASSWORD"] or None,
        }.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        self.stderr.write(f"Seeding {employees:,} people into {name}…")
        call_command("migrate", "--noinput", verbosity=0)
        call_command("seed_demo", employees=employees, stdout=open(os.devnull, "w"))
        # What autovacuum does for a database in use: statistics for the
        # planner, and the visibility map that lets counts read only an index.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def _session(self, user: User) -> str:
        """A signed-in session as the login would leave it (HR admins: past the second factor)."""
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        now = time.time()
        store[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": now, "email": user.email},
            *([{"method": "mfa", "at": now, "type": "totp"}] if user.sees_everyone else []),
        ]
        store["account_authentication_methods_user"] = str(user.pk)
        store.create()
        return store.session_key

    def _in_process(self, persona: str, label: str, url: str, cookie: str) -> Measured:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_secret
        client.get(url)  # warm this process's caches, as the workers' warm-up does
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{persona} {url} answered {response.status_code}, not 200.")
        return Measured(label, persona, url, response.status_code, len(captured), len(response.content))

    def _serve(self, workers: int, port: int) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return server
            except OSError:
                time.sleep(0.2)
        server.kill()
        raise CommandError("gunicorn did not start.")

    def _warm(self, base: str, addresses: list[tuple[str, str | None]], options) -> None:
        for url, cookie in addresses:
            cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={self.csrf_secret}"
            headers = ["-H", f"Cookie: {cookies}"] if cookie else []
            subprocess.run(
                ["wrk", "-t2", f"-c{options['connections']}", "-d1s", *headers, "-H", "Host: 127.0.0.1", base + url],
                capture_output=True,
                check=True,
            )

    def _wrk(self, url: str, cookie: str | None, options) -> tuple[float, float, float, int]:
        # A browser that has loaded a page sends the CSRF cookie it was given with each request.
        cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}; {settings.CSRF_COOKIE_NAME}={self.csrf_secret}"
        headers = ["-H", f"Cookie: {cookies}"] if cookie else []
        host = ["-H", f"Host: {urlsplit(url).hostname}"]
        common = ["wrk", "-t2", f"-c{options['connections']}", "--latency", *headers, *host]
        subprocess.run([*common, "-d2s", url], capture_output=True, check=True)  # warm-up
        result = subprocess.run([*common, f"-d{options['seconds']}s", url], capture_output=True, text=True, check=True)
        return parse_wrk(result.stdout)

    # --- The table -----------------------------------------------------------------------

    def _report(self, rows, bare_before, bare_after, signed_in, options) -> None:
        bare = statistics.mean([bare_before[0], bare_after[0]])
        w = self.stdout.write
        w("")
        w(f"gunicorn, {options['workers']} sync workers; wrk, {options['connections']} connections, "
          f"{options['seconds']} s per page; {User.objects.count():,} people.")
        w(f"Bare view: {bare_before[0]:.0f} req/s before the pages, {bare_after[0]:.0f} after (mean {bare:.0f}); "
          f"p99 {max(bare_before[2], bare_after[2]):.1f} ms.")
        w(f"Bare view signed in: {signed_in[0]:.0f} req/s ({signed_in[0] / bare:.2f} of bare), p99 {signed_in[2]:.1f} ms.")
        w("")
        w(f"| {'persona':<9} | {'page':<18} | {'req/s':>7} | {'share':>5} | {'p50 ms':>6} | {'p99 ms':>6} | "
          f"{'queries':>7} | {'bytes':>7} |")
        w(f"|{'-' * 11}|{'-' * 20}|{'-' * 9}:|{'-' * 6}:|{'-' * 7}:|{'-' * 7}:|{'-' * 8}:|{'-' * 8}:|")
        for r in rows:
            flag = f"  ({r.errors} errors)" if r.errors else ""
            w(f"| {r.persona:<9} | {r.label:<18} | {r.rps:7.1f} | {r.rps / bare:5.3f} | {r.p50:6.1f} | {r.p99:6.1f} | "
              f"{r.queries:7d} | {r.bytes:7d} |{flag}")
