"""1:1s: a series between two people, its meetings, the running agenda, notes and actions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

# A meeting's shared agenda and actions can be changed until a week after it happened.
LOCKS_AFTER = datetime.timedelta(days=7)
POINT_MAX_LENGTH = 500
ACTION_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 10000
TITLE_MAX_LENGTH = 120


class Series(models.Model):
    """Regular 1:1s of two people: usually a manager and a report, but any two colleagues.

    Who set it up and who was invited have the same rights over it: both add to
    the agenda, both move the next date, either can end it.
    """

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        BIWEEKLY = "biweekly", "Every two weeks"
        MONTHLY = "monthly", "Every month"

    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(120)]
    )
    # When the next meeting starts; moving it moves only that meeting.
    next_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "1:1 series"
        verbose_name_plural = "1:1 series"
        ordering = ["next_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(organiser=F("attendee")), name="series_of_two_people"),
            models.CheckConstraint(
                condition=Q(cadence__in=["weekly", "biweekly", "monthly"]), name="series_cadence_known"
            ),
            models.CheckConstraint(condition=Q(minutes__gte=15, minutes__lte=120), name="series_minutes_in_range"),
            # One running series per pair, whoever set it up (see services: the pair is
            # also checked the other way round).
            models.UniqueConstraint(
                fields=["organiser", "attendee"], condition=Q(ended_at__isnull=True), name="one_running_series_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["organiser"], name="series_organiser_idx"),
            models.Index(fields=["attendee"], name="series_attendee_idx"),
        ]

    def __str__(self) -> str:
        return f"1:1 series {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:series", args=[self.pk])

    def other(self, person):
        return self.attendee if person.pk == self.organiser_id else self.organiser

    def step(self, moment: datetime.datetime) -> datetime.datetime:
        """The meeting after one at `moment`, at the same local time of day."""
        if self.cadence == self.Cadence.MONTHLY:
            local = timezone.localtime(moment)
            month = local.month % 12 + 1
            year = local.year + (local.month == 12)
            # The 31st becomes the last day of a shorter month.
            for day in (local.day, 30, 29, 28):
                try:
                    return local.replace(year=year, month=month, day=day)
                except ValueError:
                    continue
        weeks = 2 if self.cadence == self.Cadence.BIWEEKLY else 1
        return moment + datetime.timedelta(weeks=weeks)


class Meeting(models.Model):
    """One 1:1 of a series; its shared agenda and actions lock a week after it starts."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "starts_at"], name="one_meeting_per_series_moment"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_idx")]

    def __str__(self) -> str:
        return f"1:1 meeting {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:meeting", args=[self.pk])

    @property
    def locks_at(self) -> datetime.datetime:
        return self.starts_at + LOCKS_AFTER

    def locked(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.locks_at

    def happened(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at


class TalkingPoint(models.Model):
    """A line of the shared agenda, added by either side, maybe about a competency or feedback."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="points")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=POINT_MAX_LENGTH)
    competency = models.ForeignKey("ladders.Competency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    feedback = models.ForeignKey("reviews.Feedback", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    discussed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Talking point {self.pk}"


class PrivateNote(models.Model):
    """What one side of a meeting keeps for themselves: read by its author alone."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "author"], name="one_private_note_per_author")]

    def __str__(self) -> str:
        return f"Private note {self.pk}"


class ActionItem(models.Model):
    """Something one side will do, shown at every later meeting of the series until done."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=ACTION_MAX_LENGTH)
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "1:1 action item"
        ordering = ["series", "created_at", "pk"]
        indexes = [models.Index(fields=["owner", "done_at"], name="oneonone_action_owner_idx")]

    def __str__(self) -> str:
        return f"Action item {self.pk}"


class AgendaChange(models.Model):
    """A change to a meeting's shared agenda or actions made after the meeting started: the
    record of what was said stays readable, to the two people only."""

    class What(models.TextChoices):
        POINT_ADDED = "point_added", "added a talking point"
        POINT_CHANGED = "point_changed", "changed a talking point"
        POINT_REMOVED = "point_removed", "removed a talking point"
        ACTION_ADDED = "action_added", "added an action"
        ACTION_CHANGED = "action_changed", "changed an action"
        ACTION_REMOVED = "action_removed", "removed an action"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=20, choices=What.choices)
    before = models.CharField(max_length=POINT_MAX_LENGTH, blank=True)
    after = models.CharField(max_length=POINT_MAX_LENGTH, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "at", "pk"]

    def __str__(self) -> str:
        return f"Agenda change {self.pk}"
