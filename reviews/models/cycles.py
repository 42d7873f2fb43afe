"""Review cycles rated against the ladder: a population reviewed over a period, in phases.

Each participant is reviewed against the level they held when they joined the cycle
(`level`, kept: a promotion during the cycle does not move the yardstick). A rating on
a competency is below, meets or above that level's expectation, and is kept with the
proficiency it maps to on the framework's own scale (`proficiency`), so that reviews,
the ladder and promotion packets speak one language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

NAME_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 8000
REASON_MAX_LENGTH = 1000


class Rating(models.TextChoices):
    """Where the evidence stands against the participant's level, for a competency or overall."""

    BELOW = "below", "Below expectations"
    MEETS = "meets", "Meets expectations"
    ABOVE = "above", "Above expectations"


# How far from the level's expected proficiency each rating places a competency.
RATING_OFFSET = {Rating.BELOW: -1, Rating.MEETS: 0, Rating.ABOVE: 1}


class Cycle(models.Model):
    """A review cycle: who is reviewed (its participants), over which period, in which phases."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    period_start = models.DateField()
    period_end = models.DateField()
    # Whether a participant reads the peer reviews written about them, once results are released.
    peer_reviews_shared = models.BooleanField(default=False)
    calibration_locked_at = models.DateTimeField(null=True, blank=True)
    calibration_locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="cycle_period_in_order"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(calibration_locked_at__isnull=False),
                name="cycle_released_after_calibration_locks",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """One step of a cycle, open from `opens_on` to its deadline `closes_on` (inclusive), or
    until HR close it early. The release phase opens on the day results are released."""

    class Kind(models.TextChoices):
        SELF = "self", "Self review"
        NOMINATIONS = "nominations", "Peer nominations"
        PEER = "peer", "Peer reviews"
        UPWARD = "upward", "Upward reviews"
        MANAGER = "manager", "Manager reviews"
        CALIBRATION = "calibration", "Calibration"
        RELEASE = "release", "Release"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_early_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "opens_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="cycle_phase_once"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="phase_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.cycle}"


# The order phases run in; a cycle has each at most once (upward reviews are optional).
PHASE_ORDER = [kind for kind, _ in Phase.Kind.choices]


class Section(models.Model):
    """A written part of every review in a cycle, HR's to define: strengths, growth, impact…"""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=NAME_MAX_LENGTH)
    prompt = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cycle", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """Someone reviewed in a cycle, against the level they held when they joined it. Removed
    with a reason, they stay on record; `rating` is their overall rating once calibration
    has set it (the manager's proposal until someone moves it)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_cycles")
    level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    track = models.ForeignKey("ladders.Track", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    added_late = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)

    class Meta:
        ordering = ["cycle", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="cycle_participant_once"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removed_reason=""), name="participant_removed_with_a_reason"
            ),
        ]
        indexes = [models.Index(fields=["person", "cycle"], name="participant_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} in {self.cycle}"

    def get_additional_data(self) -> dict:
        # The audit log's list leaves out, for the person it is about, their rating and how it
        # moved (people.admin): nobody reads their results before the release there either.
        return {"private_about": self.person_id}


class Nomination(models.Model):
    """A peer asked to review a participant: nominated by the participant (proposed, then
    approved or declined by their manager) or added by the manager (approved)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the manager"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="nominations")
    peer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominated_for")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PROPOSED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "peer"], name="nomination_once"),
        ]

    def __str__(self) -> str:
        return f"{self.peer} for {self.participant}"


class Review(models.Model):
    """One review of a participant: their own, a peer's, a report's (upward) or their
    manager's. Drafts save; submitted, it is locked."""

    class Kind(models.TextChoices):
        SELF = "self", "Self review"
        PEER = "peer", "Peer review"
        UPWARD = "upward", "Upward review"
        MANAGER = "manager", "Manager review"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cycle_reviews_written")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The manager's proposed overall rating and, optionally, level (a promotion packet may follow).
    overall = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    proposed_level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "author", "kind"], name="cycle_review_once"),
            # One self review and one manager review in, whoever wrote them.
            models.UniqueConstraint(
                fields=["participant", "kind"], condition=Q(submitted_at__isnull=False, kind__in=["self", "manager"]),
                name="cycle_review_one_self_and_manager",
            ),
        ]
        indexes = [models.Index(fields=["author", "submitted_at"], name="cycle_review_author_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.participant}"

    def get_additional_data(self) -> dict:
        return {"private_about": Participant.objects.filter(pk=self.participant_id).values_list("person_id", flat=True).first()}


class ReviewRating(models.Model):
    """A review's rating of one competency of the participant's framework, and what it
    maps to on the framework's proficiency scale."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey("ladders.Competency", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    proficiency = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "competency"], name="cycle_review_rating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.get_rating_display() or 'not rated'}"


class ReviewAnswer(models.Model):
    """What a review says in one of the cycle's written sections."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    section = models.ForeignKey(Section, on_delete=models.RESTRICT, related_name="answers")
    text = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["review", "section__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "section"], name="cycle_review_answer_once"),
        ]


class CalibrationMove(models.Model):
    """A participant's overall rating moved in calibration: before, after, why and by whom."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="moves")
    before = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    after = models.CharField(max_length=8, choices=Rating.choices)
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["participant", "moved_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="calibration_move_has_a_reason"),
            models.CheckConstraint(condition=~Q(before=F("after")), name="calibration_move_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.before or 'none'} → {self.after}"

    def get_additional_data(self) -> dict:
        return {"private_about": Participant.objects.filter(pk=self.participant_id).values_list("person_id", flat=True).first()}
