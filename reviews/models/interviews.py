"""Structured interviews: kits built from the ladder, candidates and their loops, scorecards.

Hiring speaks the ladder's language: a kit is for a role (a track and a level
of a published framework version), its focus competencies are that level's,
and each point of its rating scale says where the evidence stands against the
level's expectation (`offset`: 0 meets it, -1 falls one proficiency short, +1
shows the next), so that a debrief can recommend a level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

# A kit's scale until HR change it: (value, label, anchor, offset against the level).
DEFAULT_SCALE = (
    (1, "Strong no", "Clear evidence of working well below what the level expects.", -2),
    (2, "No", "Some of what the level expects, with gaps that would show in the job.", -1),
    (3, "Yes", "What the level expects, shown with concrete examples.", 0),
    (4, "Strong yes", "Beyond the level: examples that meet the next level's expectation.", 1),
)

NAME_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 4000
EVIDENCE_MAX_LENGTH = 4000


class Kit(models.Model):
    """Everything an interview for a role needs: focus competencies, questions and a scale."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    version = models.ForeignKey("ladders.FrameworkVersion", on_delete=models.PROTECT, related_name="+")
    track = models.ForeignKey("ladders.Track", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # Two kits in use never share a name, whatever its case (see services.kits.kit_name_errors).
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(is_archived=False),
                name="kit_name_once_in_use",
                violation_error_message="A kit in use has this name already: name this one apart, e.g. by its level or stage.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KitCompetency(models.Model):
    """A focus competency of a kit: one of its level's, read with that level's expectation."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="focus")
    competency = models.ForeignKey("ladders.Competency", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kit", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["kit", "competency"], name="kit_competency_once")]
        verbose_name_plural = "kit competencies"

    def __str__(self) -> str:
        return f"{self.competency} in {self.kit}"


class ScalePoint(models.Model):
    """One point of a kit's rating scale, with what it looks like (its anchor)."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="scale")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=40)
    anchor = models.TextField(max_length=1000)
    # Where the evidence stands against the level's expected proficiency: -1 one short of it,
    # 0 meets it, +1 one above it.
    offset = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["kit", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "value"], name="scale_point_value_once"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=10), name="scale_point_value_range"),
            models.CheckConstraint(condition=Q(offset__gte=-5, offset__lte=5), name="scale_point_offset_range"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class Question(models.Model):
    """A question of a kit, with guidance for the interviewer, probing some of its competencies."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    good_looks_like = models.TextField("what good looks like", max_length=TEXT_MAX_LENGTH, blank=True)
    follow_ups = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    red_flags = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    competencies = models.ManyToManyField(KitCompetency, blank=True, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kit", "position", "pk"]

    def __str__(self) -> str:
        return f"Question {self.pk} of {self.kit}"


class Candidate(models.Model):
    """Someone interviewing with us: as little about them as the job needs. Erasing removes
    every personal detail and keeps their scores, anonymous, for calibration."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=80, blank=True)
    notes = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(name="", email="", phone="", notes=""),
                name="candidate_erased_keeps_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.name and not self.erased_at else f"Candidate {self.pk}"


class Loop(models.Model):
    """A candidate's interviews for a role, led by a hiring manager, ending in a decision."""

    class Decision(models.TextChoices):
        HIRE = "hire", "Hire"
        NO_HIRE = "no_hire", "Do not hire"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="loops")
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="loops")
    # The level aimed at; the debrief may recommend another.
    target_level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, related_name="+")
    hiring_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # People on the hiring team besides the manager (for the panel hint: is anyone from outside?).
    hiring_team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    debrief_opened_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True)
                | (Q(decision__in=["hire", "no_hire"]) & Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="loop_decided_with_a_reason",
            ),
            # One open loop per candidate and kit: a second would split the panel's evidence.
            models.UniqueConstraint(fields=["candidate", "kit"], condition=Q(decision=""), name="loop_open_once_per_kit"),
        ]

    def __str__(self) -> str:
        return f"Loop {self.pk}"


class Interview(models.Model):
    """One stage of a loop: when, which of the kit's competencies and questions, by whom."""

    class Stage(models.TextChoices):
        SCREEN = "screen", "Screen"
        TECHNICAL = "technical", "Technical"
        SYSTEM_DESIGN = "system_design", "System design"
        VALUES = "values", "Values"
        OTHER = "other", "Other"

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="interviews")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    title = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60)
    focus = models.ManyToManyField(KitCompetency, related_name="+")
    questions = models.ManyToManyField(Question, blank=True, related_name="+")
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Scorecard", related_name="+")

    class Meta:
        ordering = ["loop", "starts_at", "pk"]

    def __str__(self) -> str:
        return f"Interview {self.pk}"


class Scorecard(models.Model):
    """One interviewer's ratings of one interview: private to them until they submit, and to
    the others until theirs are in (see selectors.interviews)."""

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no", "Strong no"
        NO = "no", "No"
        YES = "yes", "Yes"
        STRONG_YES = "strong_yes", "Strong yes"
        NO_DECISION = "no_decision", "No decision"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    takeaways = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interview", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "interviewer"], name="one_scorecard_per_interviewer"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(recommendation=""), name="scorecard_submitted_recommends"
            ),
        ]
        indexes = [models.Index(fields=["interviewer", "submitted_at"], name="scorecard_interviewer_idx")]

    def __str__(self) -> str:
        return f"Scorecard {self.pk}"


class ScorecardRating(models.Model):
    """A scorecard's rating of one focus competency, on the kit's scale, with the evidence."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    focus = models.ForeignKey(KitCompetency, on_delete=models.PROTECT, related_name="+")
    # Empty while a draft, or when the interview did not reach it.
    point = models.ForeignKey(ScalePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    evidence = models.TextField(max_length=EVIDENCE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["scorecard", "focus__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "focus"], name="one_rating_per_focus")]

    def __str__(self) -> str:
        return f"Rating {self.pk}"


class ScorecardRevision(models.Model):
    """What a submitted scorecard said before it was amended, read by whoever may read the
    scorecard itself (so under the same independence rule), never through the audit log."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="revisions")
    takeaways = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    recommendation = models.CharField(max_length=12, choices=Scorecard.Recommendation.choices, blank=True)
    # Each rating as it stood: [{"focus": id, "point": id or null, "evidence": "..."}].
    ratings = models.JSONField(default=list)
    # Until this moment the scorecard read as above.
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scorecard", "replaced_at", "pk"]

    def __str__(self) -> str:
        return f"Revision {self.pk} of scorecard {self.scorecard_id}"
