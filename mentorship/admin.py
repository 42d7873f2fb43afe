"""What HR configures in the admin: programs, styles, agenda templates; the rest is read-only history.

Touchpoints, their notes and action items are not here at all: they belong to
the mentor and mentee. Relationships show who, when and how it went, never
what was said.
"""

from django.contrib import admin

from people.admin import AuditHistoryAdminMixin

from .models import AgendaTemplate, MentorProfile, Program, Proposal, Relationship, Round, Style


@admin.register(Style)
class StyleAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "position")
    list_editable = ("position",)


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "position")
    list_filter = ("kind",)
    list_editable = ("position",)


@admin.register(Program)
class ProgramAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "starts_on", "ends_on", "is_open", "cadence")
    list_filter = ("is_open",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("departments",)
    readonly_fields = ("created_by", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "starts_on", "ends_on", "is_open", "departments")}),
        ("Rhythm", {"fields": ("cadence", "duration_min", "duration_default", "duration_max", "grace_days")}),
        ("Matching weights", {"fields": ("weight_gap", "weight_domain", "weight_style", "weight_timezone", "self_claimed")}),
        ("History", {"fields": ("created_by", "created_at")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A program with mentorships is their history: close it to requests instead.
        if obj is not None and obj.relationships.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ("person", "is_active", "capacity", "style", "paused_until")
    list_filter = ("is_active", "style")
    search_fields = ("person__name", "person__email")
    list_select_related = ("person", "style")
    readonly_fields = ("person", "updated_at")


class ReadOnly(admin.ModelAdmin):
    """History: read, never added, changed or deleted here (deleting a mentorship would take
    the pair's notes with it)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(AuditHistoryAdminMixin, ReadOnly):
    list_display = ("__str__", "status", "progress", "created_at", "published_at")
    list_filter = ("status", "program")
    list_select_related = ("program",)


@admin.register(Proposal)
class ProposalAdmin(AuditHistoryAdminMixin, ReadOnly):
    list_display = ("__str__", "round", "score", "decision", "override_reason")
    list_filter = ("decision",)
    list_select_related = ("round__program", "request__mentee", "mentor")
    search_fields = ("request__mentee__name", "mentor__name", "override_reason")


@admin.register(Relationship)
class RelationshipAdmin(AuditHistoryAdminMixin, ReadOnly):
    list_display = ("__str__", "program", "status", "starts_on", "ends_on")
    list_filter = ("status", "program")
    list_select_related = ("mentee", "mentor", "program")
    search_fields = ("mentee__name", "mentor__name")
    # Who, when and how it stands; never what the pair wrote to each other (notes, reasons, reflections).
    fields = ("program", "mentee", "mentor", "source", "status", "starts_on", "ends_on", "created_at", "decided_at", "closed_at")
