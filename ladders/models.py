"""Career frameworks, where people stand on them, and assessments against them.

A framework's content (scale, tracks, levels, areas, competencies and
expectations) belongs to one *version*. A version is edited while it is a
draft and frozen once published; placements and assessments point at rows of
a published version, so publishing the next version never changes what an
older record shows. Rows keep stable keys across versions (level code,
competency slug, track slug) so that pages can follow a person from one
version to the next.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Framework(models.Model):
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in addresses and in exported files.")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ladders:overview", args=[self.slug])


class FrameworkVersionQuerySet(models.QuerySet):
    def published(self) -> FrameworkVersionQuerySet:
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)

    def current(self) -> FrameworkVersion | None:
        """The newest published version among these (use on one framework's versions)."""
        return self.published().order_by("-number").first()


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    change_notes = models.TextField(
        blank=True, help_text="What is different from the previous version, for the people who use it."
    )
    levels_include_lower = models.BooleanField(
        "each level includes the expectations of the levels below",
        default=False,
        help_text="Set when a level lists only what it adds: its pages then show what it inherits from the levels below.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["framework__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["framework"], condition=Q(status="draft"), name="one_draft_per_framework"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_version_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ProficiencyLevel(models.Model):
    """One point of a framework's own proficiency scale, e.g. 3 "Working knowledge"."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="proficiency_levels")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "value"]
        constraints = [
            models.UniqueConstraint(fields=["version", "value"], name="proficiency_value_unique"),
            models.UniqueConstraint(fields=["version", "name"], name="proficiency_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} · {self.name}"


class Track(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="tracks")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="track_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """A level, on one or more tracks: tracks share early levels and fork later.

    `rung` is the height on the ladder: levels on different tracks at the same
    rung are alternatives (Senior 2 IC and Senior 2 Manager), and within one
    track each rung holds at most one level.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField("code", max_length=60, help_text="Short and stable, e.g. E4 or senior-1.")
    title = models.CharField(max_length=150)
    summary = models.TextField(blank=True)
    rung = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Height on the ladder, 1 for the first level."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order among levels on the same rung.")
    tracks = models.ManyToManyField(Track, related_name="levels")

    class Meta:
        ordering = ["version", "rung", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="level_code_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ladders:level", args=[self.version.framework.slug, self.code])


class CompetencyArea(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = "competency area"
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="area_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Competency(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="competencies")
    area = models.ForeignKey(CompetencyArea, on_delete=models.CASCADE, related_name="competencies")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "area__position", "position", "pk"]
        verbose_name_plural = "competencies"
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="competency_slug_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ladders:competency", args=[self.version.framework.slug, self.slug])


class Expectation(models.Model):
    """What a level expects of one competency: behaviours, examples and a proficiency."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="expectations")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="expectations")
    # RESTRICT, not PROTECT: a scale point in use cannot be deleted alone,
    # but a whole draft version (scale, expectations and all) can.
    proficiency = models.ForeignKey(ProficiencyLevel, on_delete=models.RESTRICT, related_name="+")
    criteria = models.TextField(help_text="Behaviour criteria, one per line.")
    examples = models.TextField(blank=True, help_text="Examples, one per line.")
    key = models.CharField(
        max_length=64, blank=True, help_text="Identifier from the source file, kept on export."
    )

    class Meta:
        ordering = ["competency__area__position", "competency__position", "level__rung", "level__position"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "level"], name="expectation_unique_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.competency} at {self.level}"

    @property
    def criteria_list(self) -> list[str]:
        return lines(self.criteria)

    @property
    def examples_list(self) -> list[str]:
        return lines(self.examples)


class Placement(models.Model):
    """Where a person stands from a date on: one row per change, the newest is current."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placements")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person", "-effective_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "effective_date"], name="one_placement_per_day"),
        ]
        indexes = [models.Index(fields=["person", "-effective_date"], name="placement_current_idx")]

    def __str__(self) -> str:
        return f"{self.person} at {self.level} from {self.effective_date}"


class Assessment(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", "Self-assessment"
        MANAGER = "manager", "Manager assessment"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments_written"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="assessments")
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="+", help_text="The level assessed against."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField("overall comment", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "author", "kind"],
                condition=Q(status="draft"),
                name="one_draft_assessment_per_author",
            ),
            models.CheckConstraint(
                condition=(Q(kind="self") & Q(subject=F("author")))
                | (Q(kind="manager") & ~Q(subject=F("author"))),
                name="assessment_author_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_assessment_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "kind", "status", "-submitted_at"], name="assessment_latest_idx"),
            # An HR admin's list of every submitted assessment, newest first.
            models.Index(fields=["status", "-submitted_at", "-id"], name="assessment_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("ladders:assessment", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Rating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    proficiency = models.ForeignKey(
        ProficiencyLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["competency__area__position", "competency__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="one_rating_per_competency"),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.proficiency or 'not rated'}"
