"""Mentorship: programs, who offers and who asks, rounds of matching, relationships and touchpoints."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ladders.models import Framework
from people.models import Department


def tags(text: str) -> list[str]:
    """Domains as typed ("Payments, data platform") → ["data platform", "payments"]."""
    return sorted({part.strip().lower() for part in text.replace("\n", ",").split(",") if part.strip()})


class Style(models.Model):
    """A way of working together, from a short list HR keeps (async written, live pairing …)."""

    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "communication style"

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    class Cadence(models.IntegerChoices):
        MONTHLY = 1, "Monthly"
        BIMONTHLY = 2, "Every two months"
        QUARTERLY = 3, "Quarterly"

    slug = models.SlugField(max_length=60, unique=True, help_text="Used in addresses and by the match_mentors command.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_open = models.BooleanField("open for requests", default=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", help_text="Who may join; nobody chosen means everyone."
    )
    cadence = models.PositiveSmallIntegerField(
        "touchpoint cadence", choices=Cadence.choices, default=Cadence.MONTHLY
    )
    duration_default = models.PositiveSmallIntegerField(
        "default duration (months)", default=4, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    duration_min = models.PositiveSmallIntegerField(
        "shortest (months)", default=2, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    duration_max = models.PositiveSmallIntegerField(
        "longest (months)", default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    grace_days = models.PositiveSmallIntegerField(
        "days before completing after the end", default=14, validators=[MaxValueValidator(90)]
    )
    weight_gap = models.FloatField(
        "weight of gap coverage", default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(10)]
    )
    weight_domain = models.FloatField(
        "weight of shared domains", default=0.25, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    weight_style = models.FloatField(
        "weight of style fit", default=0.15, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    weight_timezone = models.FloatField(
        "weight of shared working hours", default=0.2, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    self_claimed = models.FloatField(
        "self-claimed proficiency counts for",
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Against 1 for a proficiency a manager's assessment agreed.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="program_ends_after_start"),
            models.CheckConstraint(
                condition=Q(duration_min__lte=F("duration_default")) & Q(duration_default__lte=F("duration_max")),
                name="program_durations_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentorship:program", args=[self.slug])

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The program must end after it starts."
        if None not in (self.duration_min, self.duration_default, self.duration_max):
            if self.duration_min > self.duration_max:
                errors["duration_min"] = "The shortest duration cannot be longer than the longest."
            elif not self.duration_min <= self.duration_default <= self.duration_max:
                errors["duration_default"] = (
                    f"The default must lie between {self.duration_min} and {self.duration_max} months."
                )
        if errors:
            raise ValidationError(errors)

    def period_of(self, day: datetime.date) -> datetime.date:
        """The first day of the touchpoint period `day` falls in (periods count from the program's start month)."""
        months = (day.year - self.starts_on.year) * 12 + day.month - self.starts_on.month
        months -= months % self.cadence
        year, month = divmod(self.starts_on.month - 1 + months, 12)
        return datetime.date(self.starts_on.year + year, month + 1, 1)

    def next_period(self, period: datetime.date) -> datetime.date:
        year, month = divmod(period.month - 1 + self.cadence, 12)
        return datetime.date(period.year + year, month + 1, 1)


class MentorProfile(models.Model):
    """Someone who offers to mentor: opt-in, with room for a few mentees at once."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile")
    is_active = models.BooleanField("offering to mentor", default=True)
    capacity = models.PositiveSmallIntegerField(
        "mentees at once", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    domains = models.CharField(
        "technical domains", max_length=300, blank=True, help_text="Comma-separated, e.g. payments, data platform."
    )
    style = models.ForeignKey(Style, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    availability = models.CharField("availability", max_length=300, blank=True)
    paused_until = models.DateField(
        "paused until", null=True, blank=True, help_text="Takes no new mentees until this date."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Mentor profile of {self.person}"

    def is_paused(self, today: datetime.date | None = None) -> bool:
        return self.paused_until is not None and self.paused_until > (today or timezone.localdate())


class Offer(models.Model):
    """A competency someone offers to mentor in, with how far along they are."""

    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="offers")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    competency = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    proficiency = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    # Backed by the person's latest agreed (manager) assessment; otherwise self-claimed.
    validated = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "framework", "competency"], name="one_offer_per_competency"),
        ]

    def __str__(self) -> str:
        return self.name


class Request(models.Model):
    """A mentee asking a program for a mentor."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a mentor"
        MATCHED = "matched", "Matched"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_requests")
    goals = models.TextField("what you want to get out of it", max_length=2000)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    domains = models.CharField("technical domains", max_length=300, blank=True)
    style = models.ForeignKey(Style, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    duration = models.PositiveSmallIntegerField("duration (months)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee"], condition=Q(status="open"), name="one_open_request_per_program"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} in {self.program}"


class Want(models.Model):
    """A competency a mentee wants to grow: where they are and where their next level asks them to be."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="wants")
    competency = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    assessed = models.PositiveSmallIntegerField(default=0)
    target = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["assessed", "name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "competency"], name="one_want_per_competency"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gap(self) -> int:
        return max(self.target - self.assessed, 0)


class Round(models.Model):
    """One run of the matching engine over a program's open requests, previewed before anything is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready to review"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    total_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Round {self.pk} of {self.program}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:round", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class Proposal(models.Model):
    """The engine's pairing for one request in a round (or why there is none), and HR's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", "To review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Left out"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="proposals")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    unmatched_reason = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    # An override keeps whom the engine proposed and why HR chose otherwise.
    proposed_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "request"], name="one_proposal_per_request_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.request.mentee} → {self.mentor or 'nobody'}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason)


class Relationship(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the mentor"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        ENDED = "ended", "Ended early"
        DECLINED = "declined", "Declined"

    class Source(models.TextChoices):
        ROUND = "round", "Matched in a round"
        REQUESTED = "requested", "Asked for by the mentee"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="relationships")
    request = models.ForeignKey(Request, on_delete=models.SET_NULL, null=True, blank=True, related_name="relationships")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentored_by")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring")
    source = models.CharField(max_length=10, choices=Source.choices)
    goals = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(
        "reason", max_length=500, blank=True, help_text="Why it was declined or ended early."
    )
    # The mentee's agreed ratings of each wanted competency when it began (slug → value or null).
    ratings_before = models.JSONField(default=dict, blank=True)
    ratings_after = models.JSONField(default=dict, blank=True)
    mentee_reflection = models.TextField(blank=True, max_length=4000)
    mentor_reflection = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentee=F("mentor")), name="nobody_mentors_themselves"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="relationship_ends_after_start"),
            models.UniqueConstraint(
                fields=["program", "mentee", "mentor"],
                condition=Q(status__in=["proposed", "active", "paused"]),
                name="one_open_relationship_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "ends_on"], name="relationship_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring {self.mentee}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:relationship", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.ENDED)


class AgendaTemplate(models.Model):
    """A starting agenda for a touchpoint; HR keeps the list in the admin."""

    class Kind(models.TextChoices):
        CODE_REVIEW = "code_review", "Code review"
        ARCHITECTURE = "architecture", "Architecture decision"
        CAREER = "career", "Career progression"
        CUSTOM = "custom", "Custom"

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    agenda = models.TextField(help_text="One item per line.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    """A meeting of a mentor and mentee; at most one per relationship per period."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="touchpoints")
    period = models.DateField(help_text="The first day of the period it counts for.")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=45, validators=[MinValueValidator(15), MaxValueValidator(240)])
    template = models.ForeignKey(AgendaTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agenda = models.TextField(blank=True, max_length=4000)
    notes = models.TextField(blank=True, max_length=20000)
    held = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["relationship", "period"], name="one_touchpoint_per_period"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="touchpoint_starts_idx")]

    def __str__(self) -> str:
        return f"Touchpoint on {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:touchpoint", args=[self.pk])

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class ActionItem(models.Model):
    """Something one of the pair will do, carried to every later touchpoint until done."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="actions")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        indexes = [
            models.Index(fields=["owner"], name="action_open_idx", condition=Q(done_at__isnull=True)),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < timezone.localdate()

    def __str__(self) -> str:
        # Not the text: it is the pair's own, and names appear in admin pages (deletion, history).
        return f"Action item {self.pk}"


class CalendarFeed(models.Model):
    """A person's secret calendar address; only a digest of the token is kept."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"
