"""Time the HRIS imports at company size, through the same commands HR runs.

Writes an HRIS export of `--rows` people (a reporting tree five levels deep,
departments, teams, time zones, start dates, listed by e-mail so reports
often come before their managers) and a placements export (one current
level each, and an earlier one for a third of them), then runs, in one
process: the people dry run, the people import, the same file again (nothing
changes), a reorganisation (a tenth of the people get a new manager, whole
subtrees move), and the placements dry run and import. It prints seconds per
step and the process's peak memory. Run it on an empty database: `make
bench-import` gives it a throwaway one.
"""

from __future__ import annotations

import io
import random
import resource
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ladders import formats
from ladders.models import Framework, Placement
from ladders.services.frameworks import framework_import
from people.models import User

DATA = Path(__file__).resolve().parents[2] / "data"
DEPARTMENTS = ["Platform", "Payments", "Search", "Mobile", "Data", "Infrastructure", "Security", "Growth"]
TEAMS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo"]
LEVELS = ["junior", "engineer", "senior-1", "senior-2-ic", "principal-ic"]


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


class Command(BaseCommand):
    help = "Generate HRIS exports of --rows people and time every import step on this database."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000, help="people in the export (default 10,000)")
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, rows: int, seed: int, **options):
        if rows < 10:
            raise CommandError("--rows must be at least 10.")
        if User.objects.exists():
            raise CommandError("Run this on an empty database (make bench-import gives it a throwaway one).")
        self.random = random.Random(seed)
        if not Framework.objects.filter(slug="engineering").exists():
            document = formats.parse((DATA / "ft-engineering.yml").read_bytes())
            framework_import(document=document, publish=True, source_name="ft-engineering.yml")
        people, reorganised = self._people(rows)
        placements = self._placements(people)
        started_mb = _peak_mb()
        self.stdout.write(f"{rows:,} people; peak memory before importing {started_mb} MB.")
        self.stdout.write(f"{'step':<34} {'seconds':>8} {'peak MB':>8}  result")
        with tempfile.TemporaryDirectory() as folder:
            steps = [
                ("people, dry run", "import_people", people, ["--dry-run"]),
                ("people", "import_people", people, []),
                ("people again, unchanged", "import_people", people, []),
                ("people, a tenth change manager", "import_people", reorganised, []),
                ("placements, dry run", "import_placements", placements, ["--dry-run"]),
                ("placements", "import_placements", placements, []),
            ]
            slowest = 0.0
            for index, (label, command, text, flags) in enumerate(steps):
                path = Path(folder) / f"{index}.csv"
                path.write_text(text, encoding="utf-8")
                out = io.StringIO()
                began = time.perf_counter()
                with redirect_stdout(out):
                    call_command(command, str(path), *flags, stdout=out)
                seconds = time.perf_counter() - began
                slowest = max(slowest, seconds)
                self.stdout.write(f"{label:<34} {seconds:>8.2f} {_peak_mb():>8}  {out.getvalue().strip()}")
        self.stdout.write(
            f"In the database: {User.objects.count():,} people, {Placement.objects.count():,} placements."
        )
        # The targets: 10,000 rows in under 10 s, 50,000 in under 60 s, per import.
        target = 10 if rows <= 10_000 else 60 if rows <= 50_000 else None
        if target is not None:
            verdict = "within" if slowest < target else "OVER"
            self.stdout.write(f"Slowest step {slowest:.1f} s: {verdict} the {target} s target for {rows:,} rows.")

    def _people(self, rows: int) -> tuple[str, str]:
        # Five levels: a CEO, directors, managers, leads, engineers.
        spans = [1, max(1, rows // 400), max(1, rows // 60), max(1, rows // 12)]
        people: list[dict] = []
        level_of: list[list[int]] = []
        for depth, count in enumerate(spans):
            level_of.append([])
            for _ in range(count):
                if len(people) >= rows:
                    break
                boss = self.random.choice(level_of[depth - 1]) if depth else None
                level_of[depth].append(len(people))
                people.append(self._person(len(people), boss, people))
        level_of.append([])
        while len(people) < rows:
            boss = self.random.choice(level_of[3])
            level_of[4].append(len(people))
            people.append(self._person(len(people), boss, people))
        header = "email,name,title,manager_email,department,team,start_date,timezone\n"

        def export(manager_of: dict[int, int | None]) -> str:
            lines = []
            for index, person in sorted(enumerate(people), key=lambda item: item[1]["email"]):
                boss = manager_of[index]
                manager = people[boss]["email"] if boss is not None else ""
                lines.append(
                    f"{person['email']},{person['name']},{person['title']},{manager},"
                    f"{person['department']},{person['team']},{person['start']},{person['zone']}\n"
                )
            return header + "".join(lines)

        manager_of = {index: person["boss"] for index, person in enumerate(people)}
        moved = dict(manager_of)
        leads, engineers = set(level_of[3]), level_of[4]
        movers = [*leads, *engineers]
        for index in self.random.sample(movers, k=min(len(movers), max(1, len(people) // 10))):
            # Leads move to another manager with their whole team; engineers to another lead.
            moved[index] = self.random.choice(level_of[2] if index in leads else level_of[3])
        return export(manager_of), export(moved)

    def _person(self, index: int, boss: int | None, people: list[dict]) -> dict:
        department = DEPARTMENTS[index % len(DEPARTMENTS)] if boss is None else people[boss]["department"]
        return {
            "email": f"person{index:06d}@bench.test",
            "name": f"Person {index}",
            "title": "Engineer" if boss is not None else "Chief Executive",
            "boss": boss,
            "department": department,
            "team": self.random.choice(TEAMS),
            "start": f"20{self.random.randint(10, 25)}-{self.random.randint(1, 12):02d}-{self.random.randint(1, 28):02d}",
            "zone": self.random.choice(ZONES),
        }

    def _placements(self, people: str) -> str:
        lines = ["email,framework,level,effective_date\n"]
        for index, line in enumerate(people.splitlines()[1:]):
            email = line.split(",", 1)[0]
            level = self.random.choice(LEVELS)
            lines.append(f"{email},engineering,{level},2025-04-01\n")
            if index % 3 == 0:
                lines.append(f"{email},engineering,junior,2023-04-01\n")
        return "".join(lines)
