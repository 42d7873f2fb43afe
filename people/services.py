from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .audit import acting_as
from .csvimport import ImportFailed, ImportProblem, parse_date, read_rows
from .models import Department, Notification, Team, User, normalize_email, validate_timezone

logger = logging.getLogger(__name__)


# --- Reporting lines ---------------------------------------------------------


def reporting_lines_rebuild() -> int:
    """Recompute every person's reporting path from the manager links.

    One read of (id, manager) for the whole organisation and one bulk update
    of the paths that changed; cheap enough to run after any change of
    manager, and it cannot drift from the manager column.
    """
    managers = dict(User.objects.values_list("pk", "manager_id"))
    current = dict(User.objects.values_list("pk", "reporting_path"))
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        chain = []
        node: int | None = pk
        while node is not None and node not in paths:
            if node in chain:
                raise ValidationError(f"The reporting line through person #{node} is a circle.")
            chain.append(node)
            node = managers.get(node)
        prefix = paths[node] if node is not None else "/"
        for member in reversed(chain):
            prefix = f"{prefix}{member}/"
            paths[member] = prefix
        return paths[pk]

    changed = []
    for pk in managers:
        new = path_of(pk)
        if current[pk] != new:
            changed.append(User(pk=pk, reporting_path=new))
    User.objects.bulk_update(changed, ["reporting_path"], batch_size=1000)
    return len(changed)


@transaction.atomic
def person_save(*, person: User, actor: User | None = None) -> User:
    """Validate and save a person; keeps everyone's reporting path in step."""
    person.full_clean()
    manager_changed = True
    if person.pk:
        previous = User.objects.filter(pk=person.pk).values_list("manager_id", flat=True).first()
        manager_changed = previous != person.manager_id
    with acting_as(actor):
        person.save()
    if manager_changed or not person.reporting_path:
        reporting_lines_rebuild()
        person.refresh_from_db(fields=["reporting_path"])
    return person


# --- Importing people from an HRIS export -----------------------------------

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


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.created)} {verb} created, {len(self.updated)} {verb} updated, "
            f"{len(self.unchanged)} unchanged."
        )


class _DryRun(Exception):
    pass


def people_import(*, source: IO | str, dry_run: bool = False, actor: User | None = None) -> ImportReport:
    """Create or update people from a CSV export, all or nothing.

    Rows are matched to existing people by e-mail address, so importing the
    same export again updates rather than duplicates. A column left out of
    the file is left alone; a column present but empty clears the value.
    """
    rows, columns = read_rows(
        source,
        required=PEOPLE_COLUMNS_REQUIRED,
        optional=PEOPLE_COLUMNS_OPTIONAL,
        aliases=PEOPLE_COLUMN_ALIASES,
    )
    problems: list[ImportProblem] = []
    parsed: list[dict] = []
    first_line_of: dict[str, int] = {}

    for row in rows:
        data: dict = {"line": row.line}
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
        data["email"] = email

        name = row.get("name")
        if not name:
            problems.append(ImportProblem(row.line, "name", "a name is required."))
        elif len(name) > 150:
            problems.append(ImportProblem(row.line, "name", "a name can have at most 150 characters."))
        data["name"] = name

        if "title" in columns:
            title = row.get("title")
            if len(title) > 150:
                problems.append(ImportProblem(row.line, "title", "a title can have at most 150 characters."))
            data["title"] = title
        if "manager_email" in columns:
            data["manager_email"] = normalize_email(row.get("manager_email"))
        if "department" in columns:
            data["department"] = row.get("department")
            if len(data["department"]) > 120:
                problems.append(ImportProblem(row.line, "department", "a department can have at most 120 characters."))
        if "team" in columns:
            data["team"] = row.get("team")
            if data["team"] and not data.get("department"):
                problems.append(ImportProblem(row.line, "team", "a team needs a department on the same line."))
            elif len(data["team"]) > 120:
                problems.append(ImportProblem(row.line, "team", "a team can have at most 120 characters."))
        if "start_date" in columns:
            value = row.get("start_date")
            try:
                data["start_date"] = parse_date(value) if value else None
            except ValueError as exc:
                problems.append(ImportProblem(row.line, "start_date", str(exc)))
        if "timezone" in columns:
            value = row.get("timezone") or "UTC"
            try:
                validate_timezone(value)
            except ValidationError as exc:
                problems.append(ImportProblem(row.line, "timezone", exc.messages[0]))
            data["timezone"] = value
        parsed.append(data)

    existing = {u.email: u for u in User.objects.filter(email__in=[d["email"] for d in parsed])}
    in_file = {d["email"] for d in parsed}
    manager_emails = {d["manager_email"] for d in parsed if d.get("manager_email")}
    outside_managers = {
        u.email: u for u in User.objects.filter(email__in=manager_emails - in_file)
    }
    for data in parsed:
        manager_email = data.get("manager_email")
        if not manager_email:
            continue
        if manager_email == data["email"]:
            problems.append(ImportProblem(data["line"], "manager_email", "nobody can be their own manager."))
        elif manager_email not in in_file and manager_email not in outside_managers:
            problems.append(
                ImportProblem(
                    data["line"],
                    "manager_email",
                    f"no one with the e-mail {manager_email} is in this file or in Trellis.",
                )
            )
    if not problems and "manager_email" in columns:
        problems.extend(_reporting_circles(parsed))
    if problems:
        raise ImportFailed(problems)

    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic(), acting_as(actor):
            _people_write(parsed, existing, outside_managers, columns, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _reporting_circles(parsed: list[dict]) -> list[ImportProblem]:
    """Find reporting lines that would loop once the file is applied."""
    manager_of = {
        email: manager
        for email, manager in User.objects.values_list("email", "manager__email")
    }
    for data in parsed:
        manager_of[data["email"]] = data.get("manager_email") or None
    line_of = {data["email"]: data["line"] for data in parsed}
    problems = []
    reported: set[str] = set()
    for data in parsed:
        seen: list[str] = []
        node: str | None = data["email"]
        while node is not None and node not in seen:
            seen.append(node)
            node = manager_of.get(node)
        if node is not None and node == data["email"] and node not in reported:
            reported.update(seen)
            loop = " → ".join(seen + [node])
            problems.append(
                ImportProblem(line_of[node], "manager_email", f"the reporting line loops: {loop}.")
            )
    return problems


def _people_write(parsed, existing, outside_managers, columns, report: ImportReport) -> None:
    departments = {d.name.lower(): d for d in Department.objects.all()}
    teams = {(t.department_id, t.name.lower()): t for t in Team.objects.all()}
    team_departments = {t.pk: t.department_id for t in teams.values()}

    def department_for(name: str) -> Department | None:
        if not name:
            return None
        if name.lower() not in departments:
            departments[name.lower()] = Department.objects.create(name=name)
        return departments[name.lower()]

    def team_for(department: Department | None, name: str) -> Team | None:
        if not name or department is None:
            return None
        key = (department.pk, name.lower())
        if key not in teams:
            teams[key] = Team.objects.create(department=department, name=name)
        return teams[key]

    people: dict[str, User] = dict(outside_managers)
    fields = ["name"] + [
        f for f in ("title", "department", "team", "start_date", "timezone") if f in columns
    ]
    for data in parsed:
        person = existing.get(data["email"])
        is_new = person is None
        if is_new:
            person = User(email=data["email"])
            person.set_unusable_password()
        before = {f: getattr(person, f"{f}_id" if f in ("department", "team") else f) for f in fields}
        person.name = data["name"]
        if "title" in columns:
            person.title = data["title"]
        if "department" in columns:
            person.department = department_for(data["department"])
            if "team" not in columns and person.team_id and team_departments[person.team_id] != person.department_id:
                # A team is part of one department: moving department without
                # naming a team leaves the old department's team behind.
                person.team = None
        if "team" in columns:
            person.team = team_for(person.department, data["team"])
        if "start_date" in columns:
            person.start_date = data["start_date"]
        if "timezone" in columns:
            person.timezone = data["timezone"]
        after = {f: getattr(person, f"{f}_id" if f in ("department", "team") else f) for f in fields}
        if is_new or before != after:
            person.save()
        (report.created if is_new else report.updated if before != after else report.unchanged).append(
            person.email
        )
        people[person.email] = person

    if "manager_email" in columns:
        for data in parsed:
            person = people[data["email"]]
            manager = people.get(data["manager_email"]) if data["manager_email"] else None
            new_manager_id = manager.pk if manager else None
            if person.manager_id != new_manager_id:
                person.manager_id = new_manager_id
                person.save(update_fields=["manager"])
                if data["email"] in report.unchanged:
                    report.unchanged.remove(data["email"])
                    report.updated.append(data["email"])
    try:
        reporting_lines_rebuild()
    except ValidationError as exc:
        raise ImportFailed(
            [ImportProblem(None, "manager_email", f"{exc.messages[0]} Check the managers in this file.")]
        ) from None


# --- Notifications -----------------------------------------------------------


def notification_send(*, recipient: User, title: str, body: str = "", url: str = "") -> Notification:
    """Tell someone something, in the app now and by e-mail once the transaction commits."""
    notification = Notification.objects.create(recipient=recipient, title=title, body=body, url=url)
    transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    from .tasks import notification_email_send  # tasks import services

    try:
        notification_email_send.delay(notification_id)
    except Exception:
        # The person's action has already succeeded; a broker hiccup must not
        # turn it into an error page. The periodic dispatcher sends it later.
        logger.exception("Could not queue the e-mail of notification %s", notification_id)


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail, exactly once across workers and retries."""
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email_sent_at__isnull=True).update(
        email_sent_at=now
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active:
        return False
    link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
    message = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            subject=f"[Trellis] {notification.title}",
            message=message,
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        # Give the claim back so the dispatcher tries again later.
        Notification.objects.filter(pk=notification_id).update(email_sent_at=None)
        raise
    return True


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
