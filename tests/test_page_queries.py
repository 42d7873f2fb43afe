"""Every page of the HTTP benchmark costs the same queries for a company ten times larger.

The pages and personas are the benchmark's own (ladders/management/commands/
benchmark_http.PLAN), so a page added there is checked here too. The
demo organisation is seeded at 12 and at 120 people.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladders.management.commands.benchmark_http import PERSONAS, PLAN
from ladders.management.commands.seed_demo import DOMAIN
from ladders.models import Assessment, Framework, Placement
from ladders.selectors.careers import placement_current
from ladders.selectors.frameworks import published_caches_clear
from ladders.signals import bench_pages
from mentorship.models import MentorProfile, Program
from people.models import Department, User
from reviews.models import Candidate, Committee, Cycle, Feedback, FeedbackRequest, Kit, Packet, Series, Vote
from tests.conftest import login
from tests.ladders.factories import submitted

# The most any page costs, whatever the data: 12 queries.
MOST_QUERIES = 12


def queries_per_page(employees: int) -> dict[str, int]:
    call_command("seed_demo", employees=employees, stdout=io.StringIO())
    people = {name: User.objects.get(email=f"{name}@{DOMAIN}") for name in PERSONAS}
    # Something to list on every page, even in the smallest company.
    director = people["director"]
    level = placement_current(director).level
    submitted(director, director, level.version, level.code)
    ids = {name: person.pk for name, person in people.items()}
    counts = {}
    # The pages apps built on ladders add to the benchmarks (mentorship's …).
    extra = [row for _, found in bench_pages.send(sender=None, people=people) for row in found]
    assert extra, "no mentorship pages to measure"
    for persona, label, url in [*PLAN, *extra]:
        client = login(people[persona])
        address = url.format(**ids)
        client.get(address)  # what a warm server has kept
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        assert response.status_code == 200, (persona, address, response.status_code)
        counts[f"{persona}: {label}"] = len(captured)
    return counts


def empty_the_organisation() -> None:
    Vote.objects.all().delete()
    Packet.objects.update(reopened_from=None)
    Packet.objects.all().delete()
    Committee.objects.all().delete()
    Cycle.objects.all().delete()
    Candidate.objects.all().delete()
    Kit.objects.all().delete()
    Series.objects.all().delete()
    FeedbackRequest.objects.all().delete()
    Feedback.objects.all().delete()
    Program.objects.all().delete()
    MentorProfile.objects.all().delete()
    Assessment.objects.all().delete()
    Placement.objects.all().delete()
    Framework.objects.all().delete()
    User.objects.update(manager=None)
    User.objects.all().delete()
    Department.objects.all().delete()
    published_caches_clear()


def test_no_page_grows_its_queries_with_the_company(db):
    small = queries_per_page(12)
    empty_the_organisation()
    large = queries_per_page(120)

    assert large == small
    assert max(large.values()) <= MOST_QUERIES, large
