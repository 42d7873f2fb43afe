"""A realistic demo organisation, fast enough for 10,000 people.

Rows are written with bulk_create and the audit log is switched off: this is
fixture data, not anybody's action. The same seed gives the same company.
"""

from __future__ import annotations

import datetime
import random
import resource
import time
from collections import defaultdict
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from auditlog.context import disable_auditlog
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ladders import formats
from ladders.models import Assessment, Expectation, FrameworkVersion, Placement, Rating
from ladders.selectors.frameworks import Rubric, rubric_load
from ladders.signals import demo_seeded
from ladders.services.frameworks import framework_draft_create, framework_import, framework_version_publish
from people.models import Department, Notification, Team, User

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "trellis-demo"
ENGINEER_TITLES = (
    "Software Engineer",
    "Backend Engineer",
    "Frontend Engineer",
    "Software Engineer",
    "Mobile Engineer",
    "Site Reliability Engineer",
    "Full-stack Engineer",
)
# Known on purpose: the demo HR admin must use two-factor authentication,
# and whoever tries the demo needs to be able to produce its codes.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DOMAIN = "trellis.test"

FIRST = (
    "Ada Alan Amara Ana Anders Ari Asha Ben Bianca Carlos Chen Chloe Dara Diego Elif Emeka Emma Erik "
    "Fatima Felix Freya Gabriel Grace Hana Hugo Ines Isaac Ivy Jamal Jia Jonas Julia Kai Kemal Lara "
    "Leo Lina Lucas Maya Mateo Mei Mila Nadia Nia Noah Nora Olu Omar Paula Pedro Rafael Rania Rosa "
    "Sami Sara Sofia Tariq Theo Uma Victor Wei Yara Yusuf Zara Zoe"
).split()
LAST = (
    "Abara Adeyemi Ahmed Alvarez Andersen Bauer Becker Bianchi Brown Campbell Costa Dubois Eriksen "
    "Fernandes Fischer Garcia Gupta Hansen Haddad Ibrahim Ito Jansen Kaur Kim Kowalski Larsen Lee Lopez "
    "Martin Mensah Meyer Moreau Murphy Nakamura Nguyen Novak Okafor Oliveira Park Patel Petrov Quinn "
    "Rossi Santos Schmidt Silva Singh Smith Tanaka Torres Walsh Wang Weber Wilson Yilmaz Zhang"
).split()
DEPARTMENTS = [
    ("Platform", ["Developer Experience", "Build and Release", "Observability"], "Europe/London"),
    ("Product Engineering", ["Checkout", "Search", "Accounts", "Growth"], "Europe/Berlin"),
    ("Mobile", ["iOS", "Android"], "America/New_York"),
    ("Infrastructure", ["Networking", "Compute", "Storage"], "Europe/Dublin"),
    ("Security", ["Application Security", "Identity"], "Asia/Kolkata"),
]
DATA_DEPARTMENT = ("Data", ["Analytics", "Machine Learning"], "Europe/Amsterdam")
FT_ENGINEER_LEVELS = [("junior", 15), ("engineer", 35), ("senior-1", 30), ("senior-2-ic", 13), ("principal-ic", 7)]
DS_LEVELS = [("ds1", 30), ("ds2", 45), ("ds3", 25)]
# What people write as evidence, by framework and competency slug: a note is
# only believable next to the competency it speaks to. Six notes and two blanks
# for each, so about a quarter of ratings carry no note, as in real assessments.
EVIDENCE: dict[tuple[str, str], tuple[str, ...]] = {
    ("engineering", "planning-organising"): (
        "Broke the search rewrite into milestones the team hit on time.",
        "Estimated the checkout migration within a week of what it took, and said early when scope grew.",
        "Ran sprint planning while the lead was away; the board stayed groomed two weeks ahead.",
        "Split the billing epic into tickets small enough to ship daily.",
        "Kept a dependency map for the release that stopped two teams blocking each other.",
        "Re-planned the quarter when the payments deadline moved and kept stakeholders informed.",
    ),
    ("engineering", "independent-working"): (
        "Took the flaky-deploy ticket from report to fix with no hand-holding.",
        "Owned the cookie-consent change end to end while the team was on other work.",
        "Picked up the orphaned image-resizing service and got it back to green on their own.",
        "Asked for help on the OAuth edge case after a day of trying, with notes on what was ruled out.",
        "Followed the alerting clean-up through to the last dashboard instead of stopping at the easy 80%.",
        "Delivered the CSV export alone, including docs and the support hand-over.",
    ),
    ("engineering", "problem-solving-decision-making"): (
        "Traced the memory leak in the render service to an unbounded cache using heap snapshots.",
        "Chose to roll back rather than hot-fix during the login outage; recovery took ten minutes.",
        "Found the slow query behind the search timeouts from the logs and added the missing index.",
        "Wrote up three options for the queue migration with trade-offs; the team picked one in one meeting.",
        "Spotted that the failing builds all shared one runner image and fixed the image, not the tests.",
        "Made the call to drop the custom date library for the standard one, with a migration plan.",
    ),
    ("engineering", "business-impact"): (
        "Shipped saved searches, which lifted returning visits by 6% in the first month.",
        "Argued to defer the redesign until after the subscription launch; the launch hit its date.",
        "Cut the cloud bill for the image pipeline by a third by moving thumbnails to a batch job.",
        "Tied the reliability work to churn numbers so product could prioritise it.",
        "Sat in on customer calls before designing the export feature and dropped two unused options.",
        "Measured the checkout change's conversion effect before and after release.",
    ),
    ("engineering", "communication"): (
        "Presented the quarter's results to the product leadership group.",
        "Wrote the incident summary for the payments outage in plain words for the whole company.",
        "Explained the caching change to support with a diagram, not jargon; no tickets followed.",
        "Gave clear, short updates at stand-up and flagged the risk on the API deadline early.",
        "Wrote the design doc for the new event pipeline; two teams adopted it.",
        "Ran the demo at the all-hands and answered questions from non-engineers well.",
    ),
    ("engineering", "team-work"): (
        "Paired with the Android team to land the shared login library.",
        "Reviewed most of the team's pull requests in the sprint crunch, kindly and quickly.",
        "Covered on-call for a colleague during a family emergency without being asked.",
        "Worked with design to cut the settings page scope so both sides could ship.",
        "Joined the platform team's guild and brought its deploy checklist back to ours.",
        "Paired on the flaky test clean-up and cut CI time by 20%.",
    ),
    ("engineering", "curiosity-learning"): (
        "Learned enough Rust to review the new parser and wrote up what they found.",
        "Ran a lunch-and-learn on property-based testing after trying it on the pricing code.",
        "Asked for feedback after each design review and changed how they write proposals.",
        "Completed the accessibility course and fixed the keyboard traps in the checkout.",
        "Read the Postgres internals chapters to understand our locking problem, then shared notes.",
        "Tried the new tracing tool on a spike branch and showed the team what it would catch.",
    ),
    ("engineering", "leadership"): (
        "Mentored two new joiners through their first on-call rotation.",
        "Led the incident review for the payments outage and followed up every action.",
        "Set up the team's weekly tech-debt hour and kept it going for the quarter.",
        "Coached a junior engineer through their first design doc instead of writing it for them.",
        "Reflected on missed estimates in the retro and changed how they plan their own work.",
        "Stepped in as acting lead for a month and kept the roadmap on track.",
    ),
    ("engineering", "technical"): (
        "Rewrote the notification service's retry logic; duplicate e-mails stopped.",
        "Added contract tests between the web app and the content API.",
        "Fixed the SQL injection risk in the legacy reports and added a lint rule against it.",
        "Moved the build to incremental compilation, halving local build times.",
        "Designed the feature-flag service now used by four teams.",
        "Raised test coverage of the payments module from 40% to 85% with meaningful tests.",
    ),
    ("data-science", "statistics"): (
        "Designed the pricing-page A/B test with a power analysis before launch.",
        "Caught a sample-ratio mismatch in the onboarding experiment and stopped a wrong launch call.",
        "Replaced the t-test in the weekly report with a bootstrap, as the data is heavily skewed.",
        "Explained the confidence intervals on the churn model to product without overclaiming.",
        "Set up a holdout group to measure the recommendation model's true effect.",
        "Reviewed two colleagues' experiment analyses and found a peeking problem in one.",
    ),
    ("data-science", "data-engineering"): (
        "Moved the nightly churn features from a notebook into a tested dbt model.",
        "Built the event pipeline's data-quality checks; bad loads now fail loudly.",
        "Cut the training-set build from three hours to twenty minutes by partitioning the tables.",
        "Wrote the backfill job for the missing March events and documented how to rerun it.",
        "Added schema tests to the orders table after a silent column change broke a dashboard.",
        "Packaged the feature store client so the analysts could use it without copying code.",
    ),
    ("data-science", "communication"): (
        "Presented the retention findings to the product area's leadership with one clear recommendation.",
        "Wrote a one-page summary of the pricing test that the sales team could act on.",
        "Turned the churn model's output into a dashboard account managers actually open.",
        "Explained why the survey result was not significant without losing the room.",
        "Ran the monthly insight review for the growth squad.",
        "Rewrote the forecasting doc for a non-technical audience after feedback.",
    ),
    ("data-science", "people"): (
        "Mentored a new analyst through their first experiment readout.",
        "Ran the hiring loop for the data scientist role and wrote the take-home exercise.",
        "Set up fortnightly 1:1s with each person on the team and kept them going.",
        "Gave a junior colleague the churn project to lead, with weekly check-ins.",
        "Organised the data team's reading group on causal inference.",
        "Helped an engineer move into data science with a six-month learning plan.",
    ),
}


class Command(BaseCommand):
    help = "Fill an empty database with a demo organisation, frameworks, levels and assessments."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=80, help="people in the organisation (12 to 10,000)")
        parser.add_argument("--seed", type=int, default=7, help="random seed: the same seed gives the same company")

    def handle(self, *args, employees: int, seed: int, **options):
        if not 12 <= employees <= 10_000:
            raise CommandError("--employees must be between 12 and 10,000.")
        if User.objects.exists():
            self.stdout.write("The database already has people in it; demo data is seeded only once.")
            self._print_logins()
            return
        started = time.monotonic()
        self.random = random.Random(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        with disable_auditlog(), transaction.atomic():
            self._frameworks()
            self._people(employees)
            self._placements()
            self._assessments()
            self._notifications()
            handles = ["hr", "engineer", "manager", "director", "cto", "datalead"]
            demo_seeded.send(
                sender=self.__class__, personas=dict(zip(handles, self.personas, strict=True)),
                random=self.random, stdout=self.stdout,
            )
        # Statistics for the query planner after loading everything at once,
        # as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would gather.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {User.objects.count()} people, {Placement.objects.count()} placements, "
                f"{Assessment.objects.count()} assessments and {Rating.objects.count()} ratings "
                f"in {time.monotonic() - started:.1f}s (peak memory "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)."
            )
        )
        self._print_logins()

    # --- Frameworks ----------------------------------------------------------------------

    def _frameworks(self) -> None:
        ft = formats.parse((DATA / "ft-engineering.yml").read_text())
        self.ft = framework_import(document=ft, publish=True, source_name="ft-engineering.yml").version
        FrameworkVersion.objects.filter(pk=self.ft.pk).update(published_at=self.now - datetime.timedelta(days=500))

        ds = formats.parse((DATA / "data-science.yml").read_text())
        ds_v1 = framework_import(document=ds, publish=True, source_name="data-science.yml").version
        FrameworkVersion.objects.filter(pk=ds_v1.pk).update(published_at=self.now - datetime.timedelta(days=420))
        # A second version, so that history shows what versioning is for.
        draft = framework_draft_create(framework=ds_v1.framework, actor=None)
        raised = Expectation.objects.get(competency__version=draft, competency__slug="communication", level__code="ds2")
        raised.proficiency = draft.proficiency_levels.get(value=3)
        raised.criteria += "\nPresents to the product area's leadership at least once a quarter."
        raised.save()
        draft.change_notes = "Data Scientist 2 now presents to product leadership: Communicating insight raised to Skilled."
        draft.save(update_fields=["change_notes"])
        self.ds_v1 = ds_v1
        self.ds = framework_version_publish(version=draft, actor=None)
        FrameworkVersion.objects.filter(pk=self.ds.pk).update(published_at=self.now - datetime.timedelta(days=75))
        self.ds.published_at = self.now - datetime.timedelta(days=75)
        self.rubrics: dict[int, Rubric] = {v.pk: rubric_load(v) for v in (self.ft, self.ds_v1, self.ds)}

    # --- People --------------------------------------------------------------------------

    def _name(self) -> str:
        return f"{self.random.choice(FIRST)} {self.random.choice(LAST)}"

    def _people(self, total: int) -> None:
        password = make_password(DEMO_PASSWORD)
        self.password = password
        departments = {}
        teams = defaultdict(list)
        for name, team_names, tz in [*DEPARTMENTS, DATA_DEPARTMENT]:
            department = Department.objects.create(name=name)
            departments[name] = (department, tz)
            for team_name in team_names:
                teams[name].append(Team.objects.create(department=department, name=team_name))
        people_dept = Department.objects.create(name="People")
        self.departments, self.teams = departments, teams
        self.plan: dict[int, dict] = {}  # user pk -> framework level plan

        def person(email, name, title, manager, department_name, team=None, **extra):
            department, tz = departments[department_name] if department_name in departments else (people_dept, "Europe/London")
            return User(
                email=email,
                name=name,
                title=title,
                manager=manager,
                department=department,
                team=team,
                timezone=tz,
                password=password,
                start_date=self.today - datetime.timedelta(days=self.random.randint(200, 2900)),
                **extra,
            )

        hr = person(f"hr@{DOMAIN}", "Helen Ross", "People Partner", None, "People", is_hr_admin=True)
        hr.save()
        TOTP.activate(hr, DEMO_TOTP_SECRET)
        cto = person(f"cto@{DOMAIN}", "Priya Natarajan", "Chief Technology Officer", None, "Platform")
        cto.save()
        self.plan[cto.pk] = {"version": self.ft, "code": "tech-director", "track": "pm"}
        director = person(f"director@{DOMAIN}", "Daniel Osei", "Director of Engineering", cto, "Product Engineering")
        director.save()
        self.plan[director.pk] = {"version": self.ft, "code": "principal-pm", "track": "pm"}
        manager = person(f"manager@{DOMAIN}", "Marcus Chen", "Engineering Manager", director, "Product Engineering", teams["Product Engineering"][0])
        manager.save()
        self.plan[manager.pk] = {"version": self.ft, "code": "senior-2-pm", "track": "pm"}
        engineer = person(f"engineer@{DOMAIN}", "Ada Okafor", "Senior Engineer", manager, "Product Engineering", teams["Product Engineering"][0])
        engineer.save()
        self.plan[engineer.pk] = {"version": self.ft, "code": "senior-1", "track": "ic"}
        data_lead = person(f"datalead@{DOMAIN}", "Sofia Haddad", "Head of Data Science", director, "Data", teams["Data"][0])
        data_lead.save()
        self.plan[data_lead.pk] = {"version": self.ds, "code": "dl3", "track": "lead"}
        self.personas = [hr, engineer, manager, director, cto, data_lead]

        remaining = total - len(self.personas)
        n_directors = max(0, remaining // 45)
        n_managers = max(1, (remaining - n_directors) // 8)
        n_engineers = remaining - n_directors - n_managers
        dept_names = [d[0] for d in DEPARTMENTS] + ["Data"]

        directors = [director]
        new_directors = []
        for i in range(n_directors):
            dept = dept_names[(i + 1) % len(dept_names)]
            new_directors.append(person(f"director{i + 1}@{DOMAIN}", self._name(), "Director of Engineering", cto, dept))
        User.objects.bulk_create(new_directors, batch_size=1000)
        for d in new_directors:
            self.plan[d.pk] = {"version": self.ft, "code": self.random.choice(["principal-pm", "tech-director"]), "track": "pm"}
        directors += new_directors

        managers = [manager, data_lead]
        new_managers = []
        for i in range(n_managers):
            boss = directors[i % len(directors)]
            dept = boss.department.name if boss.department else "Platform"
            team = self.random.choice(teams[dept]) if teams[dept] else None
            title = "Data Science Manager" if dept == "Data" else "Engineering Manager"
            new_managers.append(person(f"manager{i + 1}@{DOMAIN}", self._name(), title, boss, dept, team))
        User.objects.bulk_create(new_managers, batch_size=1000)
        for m in new_managers:
            if m.department.name == "Data":
                self.plan[m.pk] = {"version": self.ds, "code": "dl3", "track": "lead"}
            else:
                self.plan[m.pk] = {"version": self.ft, "code": "senior-2-pm", "track": "pm"}
        managers += new_managers

        new_engineers = []
        for i in range(n_engineers):
            boss = managers[i % len(managers)]
            dept = boss.department.name
            is_data = dept == "Data"
            levels = DS_LEVELS if is_data else FT_ENGINEER_LEVELS
            code = self.random.choices([c for c, _ in levels], weights=[w for _, w in levels])[0]
            version = self.ds if is_data else self.ft
            # A job title says what someone does, not their level: that stays on their path.
            title = "Data Scientist" if is_data else ENGINEER_TITLES[i % len(ENGINEER_TITLES)]
            new_engineers.append(person(f"person{i + 1}@{DOMAIN}", self._name(), title, boss, dept, boss.team))
            new_engineers[-1]._plan = {"version": version, "code": code, "track": "ic"}
        User.objects.bulk_create(new_engineers, batch_size=1000)
        for e in new_engineers:
            self.plan[e.pk] = e._plan
        self.people = {u.pk: u for u in User.objects.all()}

    # --- Level history ---------------------------------------------------------------------

    def _placements(self) -> None:
        rows = []
        self.current: dict[int, tuple] = {}
        for pk, plan in self.plan.items():
            person = self.people[pk]
            rubric = self.rubrics[plan["version"].pk]
            level = rubric.level_by_code[plan["code"]]
            track = rubric.track_by_slug[plan["track"]]
            if track.pk not in level.track_ids:
                track = rubric.level_tracks(level)[0]
            # Walk down the ladder to build a believable history of promotions.
            steps = [(level, track)]
            for _ in range(self.random.choice([0, 1, 1, 2])):
                below = rubric.previous_level(steps[-1][0], steps[-1][1])
                if below is None:
                    break
                below_track = steps[-1][1] if steps[-1][1].pk in below.track_ids else rubric.level_tracks(below)[0]
                steps.append((below, below_track))
            steps.reverse()
            start = person.start_date
            span = (self.today - start).days
            dates = sorted(start + datetime.timedelta(days=int(span * f)) for f in ([0] + sorted(self.random.uniform(0.35, 0.95) for _ in steps[1:])))
            for (lv, tr), effective in zip(steps, dates, strict=True):
                lv, tr = self._as_of(plan["version"], lv, tr, effective)
                rows.append(Placement(person_id=pk, level=lv, track=tr, effective_date=effective, note="From the HR system"))
            self.current[pk] = (level, track, rubric)
        Placement.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)

    def _as_of(self, version, level, track, effective: datetime.date):
        """Placements made before Data Science v2 point at v1, as they did at the time."""
        if version.pk == self.ds.pk and effective < self.ds.published_at.date():
            old = self.rubrics[self.ds_v1.pk]
            return old.level_by_code[level.code], old.track_by_slug[track.slug]
        return level, track

    # --- Assessments -----------------------------------------------------------------------

    def _assessments(self) -> None:
        assessments: list[Assessment] = []
        ratings_plan: list[tuple[Assessment, Rubric, dict[int, int], dict[int, str]]] = []
        for pk, (level, _track, rubric) in self.current.items():
            person = self.people[pk]
            manager = self.people.get(person.manager_id)
            if manager is None:
                continue
            required = {c.pk: (rubric.expectation(c, level).proficiency.value if rubric.expectation(c, level) else 1) for c in rubric.competencies}
            top = rubric.max_value
            is_ada = person.email == f"engineer@{DOMAIN}"
            manager_view = {
                cid: max(1, min(top, value + self.random.choice([-1, 0, 0, 0, 1]))) for cid, value in required.items()
            }
            if is_ada:
                # Ada is close to Senior 2: a mix of met and open gaps tells the story.
                manager_view = {cid: min(top, value + (1 if i % 3 == 0 else 0)) for i, (cid, value) in enumerate(required.items())}
            when = self.now - datetime.timedelta(days=self.random.randint(10, 160))
            if is_ada or self.random.random() < 0.75:
                agreed = Assessment(
                    subject_id=pk, author_id=manager.pk, kind=Assessment.Kind.MANAGER, version=rubric.version,
                    level=level, status=Assessment.Status.SUBMITTED, created_at=when - datetime.timedelta(days=5),
                    updated_at=when, submitted_at=when,
                    summary="Strong quarter. Keep growing the scope of what you lead." if is_ada else "",
                )
                assessments.append(agreed)
                ratings_plan.append((agreed, rubric, manager_view, self._evidence(rubric)))
            if is_ada or self.random.random() < 0.6:
                own_view = {cid: max(1, min(top, value + self.random.choice([0, 0, 1]))) for cid, value in manager_view.items()}
                own_when = when - datetime.timedelta(days=7)
                own = Assessment(
                    subject_id=pk, author_id=pk, kind=Assessment.Kind.SELF, version=rubric.version, level=level,
                    status=Assessment.Status.SUBMITTED, created_at=own_when - datetime.timedelta(days=3),
                    updated_at=own_when, submitted_at=own_when,
                )
                assessments.append(own)
                ratings_plan.append((own, rubric, own_view, self._evidence(rubric)))
            elif self.random.random() < 0.25:
                draft = Assessment(
                    subject_id=pk, author_id=pk, kind=Assessment.Kind.SELF, version=rubric.version, level=level,
                    status=Assessment.Status.DRAFT, created_at=self.now - datetime.timedelta(days=3),
                    updated_at=self.now - datetime.timedelta(days=3),
                )
                assessments.append(draft)
                ratings_plan.append((draft, rubric, {}, {}))
        Assessment.objects.bulk_create(assessments, batch_size=2000)
        ratings = []
        for assessment, rubric, values, notes in ratings_plan:
            scale = {p.value: p for p in rubric.scale}
            for competency in rubric.competencies:
                value = values.get(competency.pk)
                ratings.append(
                    Rating(
                        assessment=assessment,
                        competency=competency,
                        proficiency=scale.get(value) if value else None,
                        evidence=notes.get(competency.pk, ""),
                    )
                )
        Rating.objects.bulk_create(ratings, batch_size=5000)

    def _evidence(self, rubric: Rubric) -> dict[int, str]:
        """A note for each competency, taken from what was written for that competency."""
        framework = rubric.framework.slug
        return {c.pk: self.random.choice((*EVIDENCE[framework, c.slug], "", "")) for c in rubric.competencies}

    def _notifications(self) -> None:
        """What Ada and Marcus were told when her assessments went in, dated as they were."""
        engineer, manager = self.personas[1], self.personas[2]
        submitted = {
            a.kind: a
            for a in Assessment.objects.filter(subject=engineer, status=Assessment.Status.SUBMITTED)
        }
        agreed, own = submitted[Assessment.Kind.MANAGER], submitted[Assessment.Kind.SELF]
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=engineer,
                    title=f"{manager.name} submitted an assessment of you",
                    body=f"Against {agreed.level.title}. It now sets the gap on your path.",
                    url=f"/assessments/{agreed.pk}/",
                    created_at=agreed.submitted_at,
                    email_sent_at=agreed.submitted_at,  # shown in the app, not e-mailed again now
                ),
                Notification(
                    recipient=manager,
                    title=f"{engineer.name} submitted a self-assessment",
                    body=f"Against {own.level.title}. Compare it with your view before your next 1:1.",
                    url=f"/assessments/{own.pk}/",
                    created_at=own.submitted_at,
                    email_sent_at=own.submitted_at,
                    read_at=own.submitted_at + datetime.timedelta(hours=2),
                ),
            ]
        )

    def _print_logins(self) -> None:
        personas = [
            ("engineer", "Ada Okafor — Senior Engineer 1, IC track"),
            ("manager", "Marcus Chen — Engineering Manager, Ada's manager"),
            ("director", "Daniel Osei — Director of Engineering, Marcus's manager"),
            ("datalead", "Sofia Haddad — Data Science Lead, on the Data Science framework"),
            ("cto", "Priya Natarajan — CTO, top of the reporting line"),
            ("hr", "Helen Ross — HR admin (two-factor authentication required)"),
        ]
        known = set(User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("email", flat=True))
        if f"engineer@{DOMAIN}" not in known:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for handle, who in personas:
            self.stdout.write(f"  {handle + '@' + DOMAIN:<24} {who}")
        hr = User.objects.filter(email=f"hr@{DOMAIN}").first()
        if hr and Authenticator.objects.filter(user=hr, type=Authenticator.Type.TOTP).exists():
            self.stdout.write(
                f"  The HR admin's authenticator secret is {DEMO_TOTP_SECRET}: add it to an authenticator app,\n"
                "  or print the current code with: python manage.py demo_totp"
            )
