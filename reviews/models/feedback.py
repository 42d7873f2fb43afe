"""Feedback one colleague gives another, tied to the competencies of the subject's ladder."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

BODY_MAX_LENGTH = 5000
PROJECT_MAX_LENGTH = 120


class Reaction(models.TextChoices):
    THANKS = "thanks", "Thank you"
    HELPFUL = "helpful", "Helpful"
    TALK = "talk", "Let's talk about it"


class Feedback(models.Model):
    class Kind(models.TextChoices):
        PRAISE = "praise", "Praise"
        GROWTH = "growth", "Growth"

    class Visibility(models.TextChoices):
        # Seen by the person, everyone above them in the reporting line now, and HR.
        SHARED = "shared", "Shared with them"
        # Seen by everyone above them in the reporting line now, never by the person.
        PRIVATE = "private", "Private to their manager chain"

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_received")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    project = models.CharField(max_length=PROJECT_MAX_LENGTH, blank=True)
    # Rows of the subject's framework version when it was given; followed to later
    # versions by slug.
    competencies = models.ManyToManyField("ladders.Competency", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    editable_until = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    # The subject's answer to shared feedback, one at a time: changed, not added to.
    reaction = models.CharField(max_length=10, choices=Reaction.choices, blank=True)
    reacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(condition=~Q(giver=F("subject")), name="feedback_not_to_oneself"),
            models.CheckConstraint(condition=Q(kind__in=["praise", "growth"]), name="feedback_kind_known"),
            models.CheckConstraint(condition=Q(visibility__in=["shared", "private"]), name="feedback_visibility_known"),
            models.CheckConstraint(condition=Q(editable_until__gte=F("created_at")), name="feedback_window_after_giving"),
            models.CheckConstraint(
                condition=Q(reaction="") | Q(reaction__in=["thanks", "helpful", "talk"], visibility="shared"),
                name="feedback_reaction_known_and_shared",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="feedback_subject_recent_idx"),
            models.Index(fields=["giver", "-created_at"], name="feedback_giver_recent_idx"),
        ]

    def __str__(self) -> str:
        # Never the words: lists of records (and the admin) name it without them.
        return f"Feedback {self.pk}"

    def editable(self, now=None) -> bool:
        return (now or timezone.now()) <= self.editable_until

    def get_additional_data(self) -> dict | None:
        # Kept with each audit entry, so that the admin's audit log leaves out, for the
        # person it is about, what is private to their manager chain (people.admin).
        return {"private_about": self.subject_id} if self.visibility != self.Visibility.SHARED else None


REPLY_MAX_LENGTH = 2000


class FeedbackReply(models.Model):
    """A word back on shared feedback: from its subject, or from its giver answering them."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feedback", "created_at", "pk"]
        verbose_name_plural = "feedback replies"

    def __str__(self) -> str:
        return f"Reply {self.pk} to feedback {self.feedback_id}"


class FeedbackRevision(models.Model):
    """What feedback said before an edit, read by whoever may read the feedback itself.

    Kept beside it rather than in the audit log, which HR admins read whatever
    the feedback's visibility; the audit log records that it changed, not the words.
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=10, choices=Feedback.Kind.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    project = models.CharField(max_length=PROJECT_MAX_LENGTH, blank=True)
    # Until this moment the feedback read as above.
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feedback", "replaced_at", "pk"]

    def __str__(self) -> str:
        return f"Revision {self.pk} of feedback {self.feedback_id}"


QUESTION_MAX_LENGTH = 1000


class FeedbackRequest(models.Model):
    """Someone asks named colleagues for feedback about a person: themselves, or, asked by
    their manager, one of their reports. Who reads the answers is set here."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_requests")
    question = models.TextField(max_length=QUESTION_MAX_LENGTH, blank=True)
    project = models.CharField(max_length=PROJECT_MAX_LENGTH, blank=True)
    competencies = models.ManyToManyField("ladders.Competency", blank=True, related_name="+")
    visibility = models.CharField(max_length=10, choices=Feedback.Visibility.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=["shared", "private"]), name="request_visibility_known"),
        ]

    def __str__(self) -> str:
        return f"Feedback request {self.pk}"

    def get_additional_data(self) -> dict | None:
        return {"private_about": self.subject_id} if self.visibility != Feedback.Visibility.SHARED else None


class FeedbackAsk(models.Model):
    """One colleague asked in a request: open until they answer (with feedback) or decline."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="asks")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_asks")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.OneToOneField(Feedback, on_delete=models.SET_NULL, null=True, blank=True, related_name="ask")
    decline_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "respondent"], name="ask_once_per_request"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="ask_closed_when_not_open",
            ),
        ]
        indexes = [models.Index(fields=["respondent", "status"], name="ask_respondent_status_idx")]

    def __str__(self) -> str:
        return f"Feedback ask {self.pk}"

    def get_additional_data(self) -> dict | None:
        return self.request.get_additional_data()
