from __future__ import annotations

import functools
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.timezone import now

from .reminders import DAYS_MAX, DAYS_MIN, RuleKind, registered


@functools.cache
def known_timezones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(
            "%(value)s is not a known time zone; use a name such as Europe/London.",
            params={"value": value},
            code="invalid_timezone",
        )


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_unique_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.name}"


class Below(models.Lookup):
    """`reporting_path__below=path`: strictly below `path` in the reporting line.

    A range ("/1/7/" < x < "/1/70", '0' being the character after '/'), so
    the index on reporting_path answers it even when `path` is another row's
    column, as in a subquery per manager. PostgreSQL's index compares
    byte-wise with the ~<~ operators; SQLite's compares byte-wise anyway.
    """

    lookup_name = "below"

    def _sql(self, compiler, connection, greater: str, less: str, upper: str):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"({lhs} {greater} {rhs} AND {lhs} {less} ({upper.format(rhs=rhs)} || '0'))"
        return sql, (*lhs_params, *rhs_params, *lhs_params, *(list(rhs_params) * upper.count("{rhs}")))

    def as_sql(self, compiler, connection):
        return self._sql(compiler, connection, ">", "<", "SUBSTR({rhs}, 1, LENGTH({rhs}) - 1)")

    def as_postgresql(self, compiler, connection):
        return self._sql(compiler, connection, "~>~", "~<~", "LEFT({rhs}, -1)")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_superuser"] = True
        fields.setdefault("is_hr_admin", True)
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


def normalize_email(email: str) -> str:
    # Whole address lower-cased: HRIS exports and identity providers disagree
    # about case, and one person must never become two accounts.
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the organisation: their account and their employee profile."""

    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150)

    # Employee profile
    title = models.CharField("job title", max_length=150, blank=True)
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Who this person reports to. Leave empty at the top of the organisation.",
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    start_date = models.DateField(null=True, blank=True)
    timezone = models.CharField(
        "time zone", max_length=64, default="UTC", validators=[validate_timezone]
    )
    # The reporting line as ids from the top down, "/1/7/42/": everyone in a
    # manager's tree shares the manager's prefix, so "is X in my tree" and
    # "my whole tree" are one comparison or one indexed query at any depth.
    # The database writes it (people/migrations/0002): triggers keep it in
    # step with `manager` whatever changes the row, and refuse circles.
    reporting_path = models.CharField(max_length=2000, editable=False, default="")

    is_active = models.BooleanField(
        default=True, help_text="Clear this instead of deleting someone who has left."
    )
    is_hr_admin = models.BooleanField(
        "HR admin",
        default=False,
        help_text="HR admins configure frameworks in the admin and see everyone's assessments. "
        "They must use two-factor authentication.",
    )
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = "person"
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
        ]
        indexes = [
            models.Index(
                fields=["reporting_path"],
                name="user_reporting_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Team sizes count the active people below someone: read from
            # this index alone, without visiting the rows.
            models.Index(
                fields=["reporting_path"],
                name="user_active_path_idx",
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(is_active=True),
            ),
            # The directory lists everyone working here by name, a page at a time.
            models.Index(fields=["name", "id"], name="user_active_name_idx", condition=models.Q(is_active=True)),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        manager_may_change = update_fields is None or "manager" in update_fields
        super().save(*args, **kwargs)
        if manager_may_change:
            # The database has just written the path (people/migrations/0002).
            self.reporting_path = (
                type(self)._base_manager.using(self._state.db)
                .values_list("reporting_path", flat=True)
                .get(pk=self.pk)
            )

    @property
    def is_staff(self) -> bool:
        # The Django admin is for HR admins (and superusers) only.
        return self.is_active and (self.is_hr_admin or self.is_superuser)

    @property
    def sees_everyone(self) -> bool:
        return self.is_active and (self.is_hr_admin or self.is_superuser)

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    def get_full_name(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or self.email[:1].upper()

    def manages(self, other: User) -> bool:
        """True when `other` is somewhere below this person in the reporting line."""
        return (
            other.pk != self.pk
            and bool(self.reporting_path)
            and other.reporting_path.startswith(self.reporting_path)
        )

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email or "")
        if self.manager_id:
            if self.pk and self.manager_id == self.pk:
                raise ValidationError({"manager": "Nobody can be their own manager."})
            if self.pk and self.manager and f"/{self.pk}/" in self.manager.reporting_path:
                raise ValidationError(
                    {
                        "manager": f"{self.manager} already reports to {self}, "
                        "so this would make the reporting line a circle."
                    }
                )
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": f"{self.team} is not in {self.department}."})


# Only on this field: `User.objects.filter(reporting_path__below=…)`.
User._meta.get_field("reporting_path").register_lookup(Below)


class Notification(models.Model):
    """Something a person should know: shown in the app, and e-mailed.

    Also the delivery record of every reminder: a reminder rule writes one row
    per (rule, subject, recipient, period), and the unique constraint below,
    not the dispatcher's care, is what makes it once (see docs/reminders.md).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Which reminder rule wrote it (people.reminders), blank for a direct notice.
    rule = models.CharField(max_length=64, blank=True, default="")
    # The object it is about, "app.model:pk"; blank when nothing makes it unique.
    subject = models.CharField(max_length=120, blank=True, default="")
    # Which occurrence: a month ("2026-11"), a date, whatever the rule counts in.
    period = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set only once the mail server has taken the e-mail.
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # A sender claims the e-mail until this time; if it dies before sending,
    # the lease runs out and another sender takes it (people.services.notifications).
    email_lease_until = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject", "recipient", "period"],
                condition=~models.Q(subject=""),
                name="notification_once_per_period",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["created_at"],
                name="notification_email_due_idx",
                condition=models.Q(email_sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        # Its words are the recipient's (see NotificationAdmin): the admin names it by number.
        return f"Notification {self.pk}"


class ReminderRule(models.Model):
    """HR's settings for one reminder rule of the code (people.reminders): on or off, and its days.

    Its name, description and what `days` means come from the code; a row is
    made for every rule the code registers, with the code's default days.
    """

    key = models.CharField(max_length=64, unique=True, editable=False)
    enabled = models.BooleanField(default=True, help_text="Clear to stop new reminders of this kind.")
    days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(DAYS_MIN), MaxValueValidator(DAYS_MAX)],
        help_text=f"Between {DAYS_MIN} and {DAYS_MAX}.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = "reminder rule"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=DAYS_MIN, days__lte=DAYS_MAX), name="reminder_rule_days_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> RuleKind | None:
        return registered().get(self.key)

    @property
    def name(self) -> str:
        kind = self.kind
        return kind.name if kind else f"{self.key} (no longer in the code)"

    @property
    def description(self) -> str:
        kind = self.kind
        return kind.description if kind else ""

    @property
    def days_label(self) -> str:
        kind = self.kind
        return kind.days_label if kind else "days"


class Stamp(models.Model):
    """The stamp: a value the database replaces whenever what pages keep may be out of date.

    Triggers (see people.stamp, migration 0004, and those of apps built on
    people) give it a new random value in the same transaction as any change
    to who reports to whom, who is active, anyone's name or title, and the
    rows other apps name there. A page that keeps something between requests
    keys it by the value it read (the signed-in person brings it along, see
    people.selectors.with_navigation_facts): once the change is committed,
    every process reads the new value and builds afresh; a rolled-back change
    leaves the value, and the data, as they were. One row on SQLite; on
    PostgreSQL the XOR of a few rows, so that writers never wait for each
    other (see people.stamp). Without a row (an emptied database) nothing is
    kept.
    """

    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Stamp {self.value}"
