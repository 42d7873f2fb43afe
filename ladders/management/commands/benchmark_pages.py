"""Time the main pages against whatever organisation the database holds.

Run it after `seed_demo --employees 10000` to see what a large company costs
per page: queries and milliseconds (median of several renders), per persona.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.models import User

from .seed_demo import DOMAIN


class Command(BaseCommand):
    help = "Render the main pages as the demo personas and report queries and time per page."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="renders per page (the median is reported)")

    def handle(self, *args, runs: int, **options):
        people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
        missing = {"engineer", "manager", "cto"} - set(people)
        if missing:
            raise CommandError("Run seed_demo first: the demo personas are missing.")
        engineer = people["engineer"]
        plan = [
            ("engineer", "/path/"),
            ("engineer", "/ladders/engineering/"),
            ("engineer", "/ladders/engineering/levels/senior-1/"),
            ("engineer", "/ladders/engineering/competencies/technical/"),
            ("engineer", "/ladders/engineering/diff/"),
            ("engineer", "/ladders/search/?q=incident"),
            ("engineer", "/assessments/"),
            ("manager", "/team/"),
            ("manager", f"/path/{engineer.pk}/"),
            ("manager", f"/path/{engineer.pk}/compare/"),
            ("cto", "/team/"),
            ("cto", "/assessments/"),
        ]
        total = User.objects.count()
        self.stdout.write(f"{total} people in the organisation; median of {runs} renders per page.\n")
        self.stdout.write(f"{'persona':<10} {'page':<48} {'status':>6} {'queries':>8} {'ms':>8}")
        for persona, url in plan:
            client = Client(HTTP_HOST="localhost")
            client.force_login(people[persona])
            client.get(url)  # warm caches (templates, content types)
            timings, queries, status = [], 0, 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                queries, status = len(captured), response.status_code
            self.stdout.write(f"{persona:<10} {url:<48} {status:>6} {queries:>8} {statistics.median(timings):>8.1f}")
