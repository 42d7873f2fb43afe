"""Match a program's open requests now and print the proposals, each with its score and why."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentorship import matching, selectors, services
from mentorship.models import Program, Round


class Command(BaseCommand):
    help = (
        "Match a program's open mentee requests with mentors (the best assignment overall) and print "
        "each proposal with its score and explanation. Without --dry-run the proposals are kept as a "
        "round for HR to review and publish on the program's page."
    )

    def add_arguments(self, parser):
        parser.add_argument("program", metavar="PROGRAM_SLUG")
        parser.add_argument("--dry-run", action="store_true", help="print the proposals and write nothing")

    def handle(self, *args, program: str, dry_run: bool, **options):
        try:
            found = Program.objects.get(slug=program)
        except Program.DoesNotExist:
            known = ", ".join(Program.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No program {program!r}. Programs: {known}.") from None
        started = time.monotonic()
        if dry_run:
            requests = selectors.open_requests(found)
            profiles = list(selectors.mentor_profiles())
            mentees, mentors = selectors.matching_inputs(requests, profiles, now=timezone.now())
            result = matching.match(mentees, mentors, selectors.weights_of(found))
            by_mentee = {r.mentee_id: r for r in requests}
            people = {p.person_id: p.person for p in profiles}
            rows = [(by_mentee[p.mentee].mentee, people[p.mentor], p.score, p.explanation) for p in result.proposals]
            left = [(by_mentee[u.mentee].mentee, u.reason) for u in result.unmatched]
        else:
            round = Round.objects.create(program=found, stage="Started from the command line")
            round = services.round_compute(round_id=round.pk)
            proposals = selectors.round_proposals(round)
            rows = [(p.request.mentee, p.mentor, p.score, p.explanation) for p in proposals if p.mentor_id]
            left = [(p.request.mentee, p.unmatched_reason) for p in proposals if not p.mentor_id]
        self.stdout.write(f"{found.name}: {len(rows)} of {len(rows) + len(left)} open requests matched.\n")
        for mentee, mentor, score, explanation in sorted(rows, key=lambda row: -row[2]):
            self.stdout.write(f"  {mentee.name} ← {mentor.name}  score {score:.3f}\n    {explanation}")
        if left:
            self.stdout.write("\nNot matched:")
            for mentee, reason in left:
                self.stdout.write(f"  {mentee.name}: {reason}")
        total = sum(row[2] for row in rows)
        self.stdout.write(f"\nTotal score {total:.3f}, in {time.monotonic() - started:.2f}s.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Kept as a round to review and publish: {settings.SITE_URL}{round.get_absolute_url()}")
            )
