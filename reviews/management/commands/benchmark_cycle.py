"""Open a review cycle for everyone in the (benchmark) database, and read its HR dashboard and
calibration page: seconds, queries and peak memory of each (the opening's seconds are
measured with memory traced, which slows it; the pages' without). Nothing is kept: it all runs in a
transaction rolled back at the end."""

from __future__ import annotations

import datetime
import time
import tracemalloc

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from people.models import User
from reviews.services.cycles import Population, cycle_open


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Open a review cycle for everyone and read its HR pages: seconds, queries, memory (nothing is kept)."

    def handle(self, *args, **options):
        hr = User.objects.filter(is_active=True, is_hr_admin=True).order_by("pk").first()
        if hr is None:
            raise CommandError("No HR admin here: run seed_demo first.")
        today = timezone.localdate()
        # The writing phases behind it: calibration open now, as HR and managers read it then.
        phases = {
            kind: (today - datetime.timedelta(days=14), today - datetime.timedelta(days=1))
            for kind in ("self", "nominations", "peer", "manager")
        }
        phases["calibration"] = (today, today + datetime.timedelta(days=6))
        phases["release"] = (today + datetime.timedelta(days=9), None)
        people = User.objects.filter(is_active=True).count()
        client = Client(HTTP_HOST="localhost")
        client.force_login(hr)
        # Past the second factor, as an HR admin's sign-in leaves the session.
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": hr.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(hr.pk)
        session.save()
        rows = []
        try:
            with transaction.atomic():
                tracemalloc.start()
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    cycle = cycle_open(
                        actor=hr, name="Benchmark cycle", period_start=today - datetime.timedelta(days=182),
                        period_end=today, population=Population(everyone=True), phases=phases,
                    )
                rows.append(("open the cycle", time.perf_counter() - started, len(captured), tracemalloc.get_traced_memory()[1]))
                tracemalloc.stop()
                if connection.vendor == "postgresql":
                    # As autovacuum does soon after 10,000 rows arrive: the pages are read as
                    # they are all cycle long, not with statistics from before the cycle opened.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE reviews_participant")
                for label, name in (("HR dashboard", "reviews:cycle"), ("calibration", "reviews:cycle_calibration")):
                    address = reverse(name, args=[cycle.pk])
                    client.get(address)  # the first render warms per-process caches
                    started = time.perf_counter()
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(address)
                    elapsed = time.perf_counter() - started
                    queries = len(captured)  # before the next request empties the log
                    # Memory in a render of its own: tracing slows Python down several times.
                    tracemalloc.start()
                    client.get(address)
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                    if response.status_code != 200:
                        raise CommandError(f"{address} answered {response.status_code}.")
                    rows.append((label, elapsed, queries, peak))
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(f"A review cycle for {people:,} people, on {connection.vendor}; nothing kept.")
        self.stdout.write(f"{'step':<18}{'seconds':>9}{'queries':>9}{'peak MB':>9}")
        for label, seconds, queries, peak in rows:
            self.stdout.write(f"{label:<18}{seconds:>9.2f}{queries:>9}{peak / 2**20:>9.1f}")
