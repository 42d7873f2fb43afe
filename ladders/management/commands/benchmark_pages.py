"""Time the main pages against whatever organisation the database holds.

Run it after `seed_demo --employees 10000` to see what a large company costs
per page: queries and milliseconds (median of several renders), per persona.
"""

import statistics
import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ladders.signals import bench_pages
from people.models import User

from .seed_demo import DOMAIN


class Command(BaseCommand):
    help = "Render the main pages as the demo personas and report queries and time per page."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="renders per page (the median is reported)")

    def handle(self, *args, runs: int, **options):
        people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
        missing = {"engineer", "manager", "cto", "hr"} - set(people)
        if missing:
            raise CommandError("Run seed_demo first: the demo personas are missing.")
        engineer = people["engineer"]
        plan = [
            ("engineer", "/path/"),
            ("engineer", "/ladders/engineering/"),
            ("engineer", "/ladders/engineering/grid/"),
            ("engineer", "/ladders/engineering/levels/senior-1/"),
            ("engineer", "/ladders/engineering/competencies/technical/"),
            ("engineer", "/ladders/engineering/diff/"),
            ("engineer", "/ladders/search/?q=incident"),
            ("engineer", "/assessments/"),
            ("engineer", "/people/"),
            ("engineer", "/people/?q=engineer"),
            ("engineer", "/people/org/"),
            ("engineer", f"/people/org/?root={people['director'].pk}"),
            ("manager", f"/people/{engineer.pk}/"),
            ("manager", "/team/"),
            ("manager", f"/path/{engineer.pk}/"),
            ("manager", f"/path/{engineer.pk}/compare/"),
            ("cto", "/team/"),
            ("cto", "/assessments/"),
            ("hr", "/hr/"),
        ]
        # Pages of the apps built on ladders.
        for _, found in bench_pages.send(sender=self.__class__, people=people):
            plan += [(persona, url) for persona, _label, url in found if persona in people]
        total = User.objects.count()
        self.stdout.write(f"{total} people in the organisation; median of {runs} renders per page.\n")
        self.stdout.write(f"{'persona':<10} {'page':<48} {'status':>6} {'queries':>8} {'ms':>8}")
        for persona, url in plan:
            client = Client(HTTP_HOST="localhost")
            client.force_login(people[persona])
            if people[persona].sees_everyone:
                # Past the second factor, as an HR admin's sign-in leaves the session.
                session = client.session
                session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                    {"method": "password", "at": time.time(), "email": people[persona].email},
                    {"method": "mfa", "at": time.time(), "type": "totp"},
                ]
                session["account_authentication_methods_user"] = str(people[persona].pk)
                session.save()
            client.get(url)  # warm caches (templates, content types)
            timings, queries, status = [], 0, 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                queries, status = len(captured), response.status_code
            self.stdout.write(f"{persona:<10} {url:<48} {status:>6} {queries:>8} {statistics.median(timings):>8.1f}")
