"""What HR sees of feedback and 1:1s in the admin: who, when and how, not what was said in private.

Feedback private to a manager chain is theirs: HR read who gave it to whom and
when, never the words (the same rule as in the app). Shared feedback reads as
it does on its page. A 1:1's agenda, notes and actions belong to the two
people and are not here at all. Nothing is written here: feedback is given and
changed (or, by its giver within the window, deleted) in the app, where its
rules are, and each of those is in the audit log.
"""

from django.contrib import admin

from people.admin import AuditHistoryAdminMixin

from . import admin_committees, admin_kits  # noqa: F401  (register the committee and interview kit admins)
from .models import Feedback, FeedbackAsk, FeedbackRequest, Series


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(AuditHistoryAdminMixin, _ReadOnly):
    list_display = ("__str__", "giver", "subject", "kind", "visibility", "created_at", "edited_at")
    list_filter = ("kind", "visibility")
    search_fields = ("giver__name", "giver__email", "subject__name", "subject__email")
    list_select_related = ("giver", "subject")
    date_hierarchy = "created_at"
    fields = ("giver", "subject", "kind", "visibility", "about", "words", "created_at", "edited_at", "reaction")
    readonly_fields = fields

    def get_queryset(self, request):
        # Nobody, an admin included, learns of what is private about themselves.
        return super().get_queryset(request).exclude(subject=request.user, visibility=Feedback.Visibility.PRIVATE)

    @admin.display(description="project")
    def about(self, obj: Feedback) -> str:
        # Typed by the giver, as the words are: as private as they are.
        if obj.visibility != Feedback.Visibility.SHARED:
            return "Private to their manager chain: not shown here."
        return obj.project

    @admin.display(description="words")
    def words(self, obj: Feedback) -> str:
        if obj.visibility != Feedback.Visibility.SHARED:
            return "Private to their manager chain: not shown here."
        return obj.body


class FeedbackAskInline(admin.TabularInline):
    model = FeedbackAsk
    fields = ("respondent", "status", "closed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(AuditHistoryAdminMixin, _ReadOnly):
    list_display = ("__str__", "requester", "subject", "visibility", "due_on", "created_at")
    list_filter = ("visibility",)
    search_fields = ("requester__name", "subject__name", "subject__email")
    list_select_related = ("requester", "subject")
    fields = ("requester", "subject", "visibility", "due_on", "created_at")
    readonly_fields = fields
    inlines = [FeedbackAskInline]

    def get_queryset(self, request):
        # A request private to the manager chain never reaches its subject, admin or not.
        return super().get_queryset(request).exclude(subject=request.user, visibility=Feedback.Visibility.PRIVATE)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Series)
class SeriesAdmin(AuditHistoryAdminMixin, _ReadOnly):
    list_display = ("__str__", "organiser", "attendee", "cadence", "next_at", "ended_at")
    list_filter = ("cadence",)
    search_fields = ("organiser__name", "attendee__name")
    list_select_related = ("organiser", "attendee")
    fields = ("organiser", "attendee", "cadence", "minutes", "next_at", "created_at", "ended_at")
    readonly_fields = fields
