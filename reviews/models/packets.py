"""Promotion packets and the committees that decide them.

A packet makes the case that someone works at a target level: for every expectation of that
level, evidence and a self and a manager rating; the manager's case; endorsements from named
colleagues. It moves draft → submitted → in committee → approved, declined or deferred. At
submission the target level's expectations are frozen into the packet (`snapshot`), so a
rubric edited or republished later does not change what was decided on. Approval moves the
person's level through the placement service, once (`placement`).

A committee (members, a chair, the departments and levels it covers) votes and decides on the
packets routed to it; nobody votes or decides on a packet for someone in their own reporting
tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .cycles import Rating

NAME_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 8000
REASON_MAX_LENGTH = 2000
LINKS_MAX = 10


class Committee(models.Model):
    """HR's promotion committee: who sits on it, who chairs it, which packets it takes (by the
    department of the person and the target level's code; empty means all)."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="committees", blank=True)
    departments = models.ManyToManyField("people.Department", related_name="+", blank=True)
    # Level codes (stable across versions of a framework), e.g. ["senior-1", "staff"].
    level_codes = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(Lower("name"), name="committee_name_once")]

    def __str__(self) -> str:
        return self.name


class Packet(models.Model):
    """One case for one person's move to a target level."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_COMMITTEE = "in_committee", "In committee"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.IN_COMMITTEE)
    DECIDED = (Status.APPROVED, Status.DECLINED, Status.DEFERRED)
    # Decided, or withdrawn before a decision (by its writers or HR, with a reason).
    CLOSED = (*DECIDED, Status.WITHDRAWN)

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="packets")
    # The manager who stands behind it (the person's manager when it opened); a packet the
    # person opens themselves waits for their sponsorship before it can be submitted.
    sponsor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sponsored_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    current_level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_level = models.ForeignKey("ladders.Level", on_delete=models.PROTECT, related_name="+")
    track = models.ForeignKey("ladders.Track", on_delete=models.PROTECT, related_name="+")
    case = models.TextField("manager's case", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="packets")
    # The target level's expectations as they were at submission: [{competency, area, name,
    # proficiency, proficiency_name, criteria, examples}], in the rubric's order.
    snapshot = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    # When, by whom and why it was decided (or withdrawn).
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    # The level change an approval made.
    placement = models.OneToOneField(
        "ladders.Placement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A declined or deferred packet opened again: the new draft points at the old one, kept.
    reopened_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reopened_as"
    )
    # The manager review of a cycle that proposed this level, when it started there.
    source_review = models.ForeignKey("reviews.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One packet under way per person at a time.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=["draft", "submitted", "in_committee"]), name="packet_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
                name="packet_submitted_when_past_draft",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="packet_withdrawn_with_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "declined", "deferred"])
                | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="packet_decided_with_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(effective_date__isnull=False), name="packet_approved_with_a_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "committee"], name="packet_status_committee_idx")]

    def __str__(self) -> str:
        return f"{self.person} for {self.target_level}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def sponsored_by(self, user) -> bool:
        """Whether `user` has agreed to stand behind it (their manager before them does not count)."""
        return self.sponsored_at is not None and self.sponsor_id == user.pk

    def get_additional_data(self) -> dict:
        return {"private_about": self.person_id}


class Evidence(models.Model):
    """The packet's evidence for one expectation of the target level, with the self and the
    manager's ratings against it."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="evidence")
    competency = models.ForeignKey("ladders.Competency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    # [{"title": ..., "url": ...}]: design docs, pull requests, incidents.
    links = models.JSONField(default=list, blank=True)
    self_rating = models.CharField(max_length=5, choices=Rating.choices, blank=True)
    manager_rating = models.CharField(max_length=5, choices=Rating.choices, blank=True)
    # What was pulled into the text from the last year, as "feedback:<pk>" or "rating:<pk>":
    # each once.
    sources = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["packet", "competency"], name="packet_evidence_once")]

    def __str__(self) -> str:
        return f"Evidence on {self.competency} for {self.packet}"

    def get_additional_data(self) -> dict:
        return {"private_about": Packet.objects.filter(pk=self.packet_id).values_list("person_id", flat=True).first()}


class Endorsement(models.Model):
    """A colleague asked to endorse the packet, and what they wrote (or that they declined)."""

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="endorsements")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["packet", "endorser"], name="packet_endorsement_once"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(declined_at__isnull=True), name="endorsement_given_or_declined"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endorser} on {self.packet}"


class Vote(models.Model):
    """A committee member's vote and comment on a packet, recorded independently."""

    class Choice(models.TextChoices):
        APPROVE = "approve", "Approve"
        DECLINE = "decline", "Decline"
        DEFER = "defer", "Defer"

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=7, choices=Choice.choices)
    comment = models.TextField()
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["voted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["packet", "member"], name="packet_vote_once"),
            models.CheckConstraint(condition=~Q(comment=""), name="packet_vote_with_a_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.packet}: {self.get_choice_display()}"
