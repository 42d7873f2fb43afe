"""Importing people from an HRIS export: checked whole, then written in bulk.

The import reads the file and the organisation once, checks every line,
works out what would change, and only then writes: departments and teams,
new people (managers before their reports), changed fields, and new
managers in top-down order, each as a few bulk statements. The database
keeps the reporting paths (people/migrations/0002). A dry run stops after
working out what would change, so it writes nothing and costs no more than
the check. Audit entries are written in bulk too, as saves would have left them.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ..audit import log_bulk
from ..csvimport import ImportFailed, ImportProblem, Row, parse_date, read_rows
from ..models import Department, Team, User, normalize_email, validate_timezone

PEOPLE_COLUMNS_REQUIRED = ["email", "name"]
PEOPLE_COLUMNS_OPTIONAL = ["title", "manager_email", "department", "team", "start_date", "timezone"]
PEOPLE_COLUMN_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "full_name": "name",
    "job_title": "title",
    "manager": "manager_email",
    "manager_e_mail": "manager_email",
    "start": "start_date",
    "started": "start_date",
    "time_zone": "timezone",
}
# Profile fields a file may set, by model field name.
PROFILE_FIELDS = ("name", "title", "department", "team", "start_date", "timezone")
BATCH = 1000


# How the preview names each field that changes.
FIELD_LABELS = {
    "name": "name",
    "title": "title",
    "manager_id": "manager",
    "department_id": "department",
    "team_id": "team",
    "start_date": "start date",
    "timezone": "time zone",
}


@dataclass(frozen=True)
class PersonChange:
    """One person the import creates or changes, as the preview shows them."""

    line: int
    email: str
    name: str
    # (field label, before, after); for a new person, "before" is empty.
    fields: tuple[tuple[str, str, str], ...] = ()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False
    # What each created or updated person's line does, in file order.
    new_people: list[PersonChange] = field(default_factory=list)
    changed_people: list[PersonChange] = field(default_factory=list)
    departments_created: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)

    def outcome(self) -> dict:
        """What the import does, whether checked or applied: two reports with the
        same outcome wrote (or would write) exactly the same thing."""
        return {
            "new": [(p.email, p.fields) for p in self.new_people],
            "changed": [(p.email, p.fields) for p in self.changed_people],
            "unchanged": list(self.unchanged),
            "departments": list(self.departments_created),
            "teams": list(self.teams_created),
        }

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.created)} {verb} created, {len(self.updated)} {verb} updated, "
            f"{len(self.unchanged)} unchanged."
        )


class _Person(NamedTuple):
    """A person as they stand in Trellis before the import."""

    pk: int
    email: str
    manager_id: int | None
    name: str
    title: str
    department_id: int | None
    team_id: int | None
    start_date: datetime.date | None
    timezone: str

    def as_user(self) -> User:
        return User(
            pk=self.pk,
            email=self.email,
            manager_id=self.manager_id,
            name=self.name,
            title=self.title,
            department_id=self.department_id,
            team_id=self.team_id,
            start_date=self.start_date,
            timezone=self.timezone,
        )


@dataclass
class _Org:
    """The whole organisation, read once: people by e-mail, departments and teams by name."""

    people: dict[str, _Person]
    email_of: dict[int, str]
    departments: dict[str, int]
    teams: dict[tuple[int, str], int]
    team_department: dict[int, int]
    department_names: dict[int, str]
    team_names: dict[int, str]

    @classmethod
    def load(cls) -> _Org:
        people = {
            row[1]: _Person(*row)
            for row in User.objects.order_by().values_list(
                "pk", "email", "manager_id", "name", "title", "department_id", "team_id", "start_date", "timezone"
            )
        }
        teams = list(Team.objects.order_by().values_list("pk", "department_id", "name"))
        departments = list(Department.objects.order_by().values_list("pk", "name"))
        return cls(
            people=people,
            email_of={p.pk: email for email, p in people.items()},
            departments={name.lower(): pk for pk, name in departments},
            teams={(department, name.lower()): pk for pk, department, name in teams},
            team_department={pk: department for pk, department, _ in teams},
            department_names=dict(departments),
            team_names={pk: name for pk, _, name in teams},
        )

    def manager_email(self, person: _Person) -> str | None:
        return self.email_of.get(person.manager_id) if person.manager_id else None


@dataclass
class _Line:
    """One checked line of the file: what the person should look like afterwards."""

    line: int
    email: str
    values: dict = field(default_factory=dict)  # profile field -> value; department/team as names
    manager_email: str | None = None


def people_import(*, source: IO | str, dry_run: bool = False, actor: User | None = None) -> ImportReport:
    """Create or update people from a CSV export, all or nothing.

    Rows are matched to existing people by e-mail address, so importing the
    same export again updates rather than duplicates. A column left out of
    the file is left alone; a column present but empty clears the value.
    """
    problems: list[ImportProblem] = []
    rows, columns = read_rows(
        source,
        required=PEOPLE_COLUMNS_REQUIRED,
        optional=PEOPLE_COLUMNS_OPTIONAL,
        aliases=PEOPLE_COLUMN_ALIASES,
        problems=problems,
    )
    lines, line_problems = _check_lines(rows, columns)
    problems += line_problems
    org = _Org.load()
    problems += _manager_problems(lines, org)
    if "manager_email" in columns:
        # Checked alongside the other problems, so that one round tells everything:
        # lines already refused are left out of the walk (their manager is as it is now).
        problems += _reporting_circles(lines, org)
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.line or 0))

    plan = _Plan(lines, columns, org)
    report = plan.report(dry_run=dry_run)
    if not dry_run:
        with transaction.atomic():
            plan.apply(actor=actor)
    return report


def _check_lines(rows: list[Row], columns: frozenset[str]) -> tuple[list[_Line], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    lines: list[_Line] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        email = normalize_email(row.get("email"))
        try:
            validate_email(email)
        except ValidationError:
            problems.append(ImportProblem(row.line, "email", f"“{row.get('email')}” is not an e-mail address."))
            continue
        if len(email) > 254:
            # validate_email allows up to 320 characters; the column holds 254.
            problems.append(ImportProblem(row.line, "email", "an e-mail address can have at most 254 characters."))
            continue
        if email in first_line_of:
            problems.append(
                ImportProblem(row.line, "email", f"{email} already appears on line {first_line_of[email]}.")
            )
            continue
        first_line_of[email] = row.line
        line = _Line(line=row.line, email=email)

        name = row.get("name")
        if not name:
            problems.append(ImportProblem(row.line, "name", "a name is required."))
        elif len(name) > 150:
            problems.append(ImportProblem(row.line, "name", "a name can have at most 150 characters."))
        line.values["name"] = name

        if "title" in columns:
            title = row.get("title")
            if len(title) > 150:
                problems.append(ImportProblem(row.line, "title", "a title can have at most 150 characters."))
            line.values["title"] = title
        if "manager_email" in columns:
            line.manager_email = normalize_email(row.get("manager_email")) or None
        if "department" in columns:
            department = row.get("department")
            if len(department) > 120:
                problems.append(ImportProblem(row.line, "department", "a department can have at most 120 characters."))
            line.values["department"] = department
        if "team" in columns:
            team = row.get("team")
            if team and not line.values.get("department"):
                problems.append(ImportProblem(row.line, "team", "a team needs a department on the same line."))
            elif len(team) > 120:
                problems.append(ImportProblem(row.line, "team", "a team can have at most 120 characters."))
            line.values["team"] = team
        if "start_date" in columns:
            value = row.get("start_date")
            try:
                line.values["start_date"] = parse_date(value) if value else None
            except ValueError as exc:
                problems.append(ImportProblem(row.line, "start_date", str(exc)))
        if "timezone" in columns:
            value = row.get("timezone") or "UTC"
            try:
                validate_timezone(value)
            except ValidationError as exc:
                problems.append(ImportProblem(row.line, "timezone", exc.messages[0]))
            line.values["timezone"] = value
        lines.append(line)
    return lines, problems


def _manager_problems(lines: list[_Line], org: _Org) -> list[ImportProblem]:
    in_file = {line.email for line in lines}
    problems = []
    for line in lines:
        manager = line.manager_email
        if not manager:
            continue
        if manager == line.email:
            problems.append(ImportProblem(line.line, "manager_email", "nobody can be their own manager."))
        elif manager not in in_file and manager not in org.people:
            problems.append(
                ImportProblem(
                    line.line, "manager_email", f"no one with the e-mail {manager} is in this file or in Trellis."
                )
            )
    return problems


def _final_managers(lines: list[_Line], org: _Org) -> dict[str, str | None]:
    """Everyone's manager once the file is applied, by e-mail."""
    manager_of = {email: org.manager_email(person) for email, person in org.people.items()}
    for line in lines:
        manager_of[line.email] = line.manager_email
    return manager_of


def _reporting_circles(lines: list[_Line], org: _Org) -> list[ImportProblem]:
    """Reporting lines that would loop once the file is applied.

    Each walk up the line stops at someone already known to reach the top,
    so the whole check is linear in the size of the organisation.
    """
    manager_of = _final_managers(lines, org)
    line_of = {line.email: line.line for line in lines}
    reaches_top: set[str] = set()
    reported: set[str] = set()
    problems = []
    for line in lines:
        walk: list[str] = []
        on_walk: set[str] = set()
        node: str | None = line.email
        while node is not None and node not in reaches_top and node not in on_walk:
            walk.append(node)
            on_walk.add(node)
            node = manager_of.get(node)
        if node is None or node in reaches_top:
            reaches_top.update(walk)
            continue
        # `node` is where the walk met itself: the loop runs from there.
        loop = walk[walk.index(node):]
        if len(loop) == 1:
            # Someone as their own manager: _manager_problems says so.
            reported.update(loop)
        if not reported.intersection(loop):
            reported.update(loop)
            # Told at the first line of the file that is part of the loop.
            start = min((email for email in loop if email in line_of), key=line_of.__getitem__, default=node)
            ordered = loop[loop.index(start):] + loop[: loop.index(start)]
            text = " → ".join([*ordered, start])
            problems.append(
                ImportProblem(line_of.get(start), "manager_email", f"the reporting line loops: {text}.")
            )
    return problems


class _Plan:
    """What the file changes, worked out before anything is written."""

    def __init__(self, lines: list[_Line], columns: frozenset[str], org: _Org):
        self.lines = lines
        self.columns = columns
        self.org = org
        self.fields = [f for f in PROFILE_FIELDS if f == "name" or f in columns]
        self.new_departments: dict[str, str] = {}  # lower-case name -> name as first written
        self.new_teams: dict[tuple[str, str], str] = {}  # (department key, team key) -> name
        self.created: list[_Line] = []
        self.changed: dict[str, set[str]] = {}  # email -> fields that change
        self.unchanged: list[_Line] = []
        for line in lines:
            self._resolve_names(line)
            person = org.people.get(line.email)
            if person is None:
                self.created.append(line)
                continue
            changes = self._changes(line, person)
            if changes:
                self.changed[line.email] = changes
            else:
                self.unchanged.append(line)

    def _resolve_names(self, line: _Line) -> None:
        values = line.values
        if "department" in values:
            name = values["department"]
            key = name.lower() if name else None
            if key and key not in self.org.departments:
                self.new_departments.setdefault(key, name)
            values["department"] = key
        if "team" in values:
            name = values["team"]
            department = values.get("department")
            key = (department, name.lower()) if name and department else None
            if key:
                department_id = self.org.departments.get(department)
                if department_id is None or (department_id, key[1]) not in self.org.teams:
                    self.new_teams.setdefault(key, name)
            values["team"] = key

    def _department_id(self, key: str | None) -> int | None:
        return self.org.departments.get(key) if key else None

    def _team_id(self, key: tuple[str, str] | None) -> int | None:
        if key is None:
            return None
        department_id = self.org.departments.get(key[0])
        return self.org.teams.get((department_id, key[1])) if department_id else None

    def _target(self, line: _Line, person: _Person | None) -> dict:
        """The model values the line asks for (ids resolved as far as they exist yet)."""
        values = line.values
        target = {"name": values["name"]}
        for name in ("title", "start_date", "timezone"):
            if name in values:
                target[name] = values[name]
        if "department" in values:
            target["department_id"] = self._department_id(values["department"])
            if "team" not in values and person is not None and person.team_id:
                # A team is part of one department: moving department without
                # naming a team leaves the old department's team behind.
                if self.org.team_department[person.team_id] != target["department_id"] or target["department_id"] is None:
                    target["team_id"] = None
        if "team" in values:
            target["team_id"] = self._team_id(values["team"])
        return target

    def _changes(self, line: _Line, person: _Person) -> set[str]:
        changes = set()
        target = self._target(line, person)
        new_department = line.values.get("department") in self.new_departments
        new_team = line.values.get("team") in self.new_teams
        for name, value in target.items():
            if getattr(person, name) != value:
                changes.add(name)
        if new_department:
            changes.add("department_id")
        if new_team:
            changes.add("team_id")
        if "manager_email" in self.columns and self.org.manager_email(person) != line.manager_email:
            changes.add("manager_id")
        return changes

    def report(self, *, dry_run: bool) -> ImportReport:
        new_people = []
        for line in self.created:
            after = self._target(line, None)
            fields = []
            for name in ("title", "manager_id", "department_id", "team_id", "start_date", "timezone"):
                shown = self._shown(name, line, after)
                if shown:
                    fields.append((FIELD_LABELS[name], "", shown))
            new_people.append(PersonChange(line.line, line.email, line.values["name"], tuple(fields)))
        changed_people = []
        for line in self.lines:
            changes = self.changed.get(line.email)
            if not changes:
                continue
            person = self.org.people[line.email]
            after = self._target(line, person)
            fields = tuple(
                (FIELD_LABELS[name], self._was(name, person), self._shown(name, line, after))
                for name in FIELD_LABELS
                if name in changes
            )
            changed_people.append(PersonChange(line.line, line.email, line.values["name"], fields))
        return ImportReport(
            created=[line.email for line in self.created],
            updated=[line.email for line in self.lines if line.email in self.changed],
            unchanged=[line.email for line in self.unchanged],
            dry_run=dry_run,
            new_people=new_people,
            changed_people=changed_people,
            departments_created=list(self.new_departments.values()),
            teams_created=[f"{self._department_name(d)} / {name}" for (d, _), name in self.new_teams.items()],
        )

    def _department_name(self, key: str) -> str:
        return self.new_departments.get(key) or self.org.department_names[self.org.departments[key]]

    def _was(self, name: str, person: _Person) -> str:
        if name == "manager_id":
            return self.org.manager_email(person) or ""
        if name == "department_id":
            return self.org.department_names.get(person.department_id, "")
        if name == "team_id":
            return self.org.team_names.get(person.team_id, "")
        value = getattr(person, name)
        return "" if value is None else str(value)

    def _shown(self, name: str, line: _Line, after: dict) -> str:
        """The value a line sets, in words: new departments and teams by the name the file gives."""
        if name == "manager_id":
            return line.manager_email or ""
        if name == "department_id":
            key = line.values.get("department")
            if key in self.new_departments:
                return self.new_departments[key]
            return self.org.department_names.get(after.get("department_id"), "")
        if name == "team_id":
            key = line.values.get("team")
            if key in self.new_teams:
                return self.new_teams[key]
            return self.org.team_names.get(after.get("team_id"), "")
        value = after.get(name)
        return "" if value is None else str(value)

    # --- Writing ---------------------------------------------------------------------

    def apply(self, *, actor: User | None) -> None:
        """Write the plan, a batch at a time, with the audit entries of each batch."""
        self._create_departments_and_teams()
        self._create_people(actor)
        self._update_people(actor)
        self._move_managers()

    def _create_departments_and_teams(self) -> None:
        departments = Department.objects.bulk_create(
            [Department(name=name) for name in self.new_departments.values()], batch_size=BATCH
        )
        for department in departments:
            self.org.departments[department.name.lower()] = department.pk
        teams = Team.objects.bulk_create(
            [
                Team(department_id=self.org.departments[department], name=name)
                for (department, _), name in self.new_teams.items()
            ],
            batch_size=BATCH,
        )
        for team in teams:
            self.org.teams[(team.department_id, team.name.lower())] = team.pk
            self.org.team_department[team.pk] = team.department_id

    def _create_people(self, actor: User | None) -> None:
        """New people, in generations: each one's manager exists before they are inserted."""
        pending = list(self.created)
        while pending:
            ready, waiting = [], []
            for line in pending:
                manager = line.manager_email
                (waiting if manager and manager not in self.org.people else ready).append(line)
            if not ready:  # pragma: no cover - circles were refused before writing
                raise ImportFailed([ImportProblem(None, "manager_email", "the reporting lines in this file loop.")])
            for start in range(0, len(ready), BATCH):
                users = [self._new_user(line) for line in ready[start : start + BATCH]]
                User.objects.bulk_create(users)
                for user in users:
                    self.org.people[user.email] = _Person(
                        user.pk, user.email, user.manager_id, user.name, user.title, user.department_id,
                        user.team_id, user.start_date, user.timezone,
                    )
                    self.org.email_of[user.pk] = user.email
                log_bulk(((None, user) for user in users), actor=actor)
            pending = waiting

    def _new_user(self, line: _Line) -> User:
        manager = self.org.people.get(line.manager_email) if line.manager_email else None
        return User(
            email=line.email,
            manager_id=manager.pk if manager else None,
            # Set with a password reset or single sign-on, never imported.
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            **self._target(line, None),
        )

    def _update_people(self, actor: User | None) -> None:
        """Changed profiles, a batch at a time; the audit entry of each person also
        names their new manager, who is written afterwards in top-down order."""
        lines = {line.email: line for line in self.lines}
        changed = list(self.changed.items())
        for start in range(0, len(changed), BATCH):
            pairs, profiles, fields = [], [], set()
            for email, changes in changed[start : start + BATCH]:
                person = self.org.people[email]
                before, after = person.as_user(), person.as_user()
                for name, value in self._target(lines[email], person).items():
                    setattr(after, name, value)
                if "manager_id" in changes:
                    manager = lines[email].manager_email
                    after.manager_id = self.org.people[manager].pk if manager else None
                pairs.append((before, after))
                profile = changes - {"manager_id"}
                if profile:
                    profiles.append(after)
                    fields |= profile
            if profiles:
                User.objects.bulk_update(profiles, sorted(name.removesuffix("_id") for name in fields))
            log_bulk(pairs, actor=actor)

    def _move_managers(self) -> None:
        """New managers of people already in Trellis, top of the organisation first.

        In that order each person's new manager already stands where the
        file puts them, so the database never sees a loop along the way.
        """
        moving = [email for email, changes in self.changed.items() if "manager_id" in changes]
        if not moving:
            return
        manager_of = _final_managers(self.lines, self.org)
        depth: dict[str, int] = {}

        def depth_of(email: str) -> int:
            walk = []
            node: str | None = email
            while node is not None and node not in depth:
                walk.append(node)
                node = manager_of.get(node)
            base = depth[node] if node is not None else -1
            for member in reversed(walk):
                base += 1
                depth[member] = base
            return depth[email]

        by_depth: dict[int, list[User]] = {}
        lines = {line.email: line for line in self.lines}
        for email in moving:
            manager_email = lines[email].manager_email
            manager_id = self.org.people[manager_email].pk if manager_email else None
            by_depth.setdefault(depth_of(email), []).append(User(pk=self.org.people[email].pk, manager_id=manager_id))
        for level in sorted(by_depth):
            User.objects.bulk_update(by_depth[level], ["manager"], batch_size=BATCH)
