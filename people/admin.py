from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.admin import SocialTokenAdmin as AllauthSocialTokenAdmin
from allauth.socialaccount.models import SocialToken
from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.formats import date_format
from django.utils.timezone import localtime, now
from django.views.decorators.http import require_http_methods

from . import services
from .audit import describe_entries
from .admin_imports import CsvImport, checked_import_view
from .models import Department, Notification, ReminderRule, Team, User
from .reminders import private_rules, registered
from .services.imports import PEOPLE_COLUMNS_OPTIONAL, PEOPLE_COLUMNS_REQUIRED, people_import
from .services.notifications import EMAIL_MAX_ATTEMPTS
from .services.reminders import reminder_rules_sync


class AuditHistoryAdminMixin(AuditlogHistoryAdminMixin):
    """auditlog's "Audit log" page and list link, for an object that may not be there.

    Asked for an id that does not exist, or one the admin's queryset hides
    (a draft assessment), it says so as the change page does, instead of
    failing while it builds the page.
    """

    show_auditlog_history_link = True
    auditlog_history_template = "admin/audit/object_history.html"

    def auditlog_history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        response = super().auditlog_history_view(request, object_id, extra_context)
        # Each entry in words, the things it names read once for the page.
        describe_entries(response.context_data["log_entries"])
        return response


# Roles are the HR admin flag on each person; groups would be a second,
# conflicting way to say the same thing.
admin.site.unregister(Group)
admin.site.site_header = "Trellis"
admin.site.site_title = "Trellis admin"
admin.site.index_title = "Configure people and career frameworks"


class PersonCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class PersonChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditHistoryAdminMixin, DjangoUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("name", "email", "title", "manager", "department", "is_hr_admin", "is_active")
    list_filter = ("is_active", "is_hr_admin", "department")
    search_fields = ("name", "email", "title")
    ordering = ("name",)
    autocomplete_fields = ("manager", "department", "team")
    list_select_related = ("manager", "department")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        ("Account", {"fields": ("email", "name", "password", "is_active", "is_hr_admin", "is_superuser")}),
        ("Employee profile", {"fields": ("title", "manager", "department", "team", "start_date", "timezone")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )
    filter_horizontal = ()
    change_list_template = "admin/people/user/change_list.html"

    def get_urls(self):
        view = require_http_methods(["GET", "POST"])(self.import_view)
        return [path("import/", self.admin_site.admin_view(view), name="people_user_import")] + super().get_urls()

    def import_view(self, request):
        """People from the HR system's CSV export: upload, check, confirm."""
        return checked_import_view(
            request,
            self,
            CsvImport(
                key="people",
                title="Import people",
                template="admin/people/user/import.html",
                required=PEOPLE_COLUMNS_REQUIRED,
                optional=PEOPLE_COLUMNS_OPTIONAL,
                run=people_import,
                may_import=lambda r: self.has_add_permission(r) and self.has_change_permission(r),
                done_url="admin:people_user_changelist",
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser makes another superuser.
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None):
        # An HR admin manages people, not the accounts that administer Trellis.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.person_save(person=obj, actor=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The form checked the reporting line as it was when it loaded; the
            # database refused a circle that a change made meanwhile would close.
            # Nothing was saved (the view runs in one transaction).
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except OperationalError as error:
            # Two changes of the same people's managers at once (an import
            # running, say): PostgreSQL let one through and stopped this one.
            if getattr(error.__cause__, "sqlstate", None) not in ("40P01", "40001"):
                raise
            self.message_user(
                request,
                "Someone else was changing the same reporting line at that moment, so nothing was saved. "
                "Make the change again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    list_display = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ("name", "department__name")
    list_display = ("name", "department")
    list_filter = ("department",)
    list_select_related = ("department",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Whether and when each notification went out; never what it says.

    A notification's words are its recipient's: a reminder can quote a
    mentorship's agenda or an action item only the pair may read, so the
    admin shows who, which rule, when and the e-mail's state, and nothing
    it could be searched by, in a list without a page per notification. A
    private rule's notifications are not listed at all: whom they reached is
    itself their recipients' to know.
    """

    list_display = ("recipient", "rule", "subject", "period", "created_at", "read_at", "email_state")
    # A list and nothing more: no page per notification, no number that would count
    # those of private rules left out between two that are listed.
    list_display_links = None
    list_filter = ("rule",)
    search_fields = ("recipient__name", "recipient__email")
    list_select_related = ("recipient",)
    ordering = ("-created_at", "recipient__name")

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(rule__in=private_rules())

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise PermissionDenied  # whatever the number, listed, private or none: the same answer

    def history_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="e-mail")
    def email_state(self, notification: Notification) -> str:
        if notification.email_sent_at:
            return f"sent {date_format(localtime(notification.email_sent_at), 'j M H:i')}"
        if notification.email_lease_until and notification.email_lease_until > now():
            return "sending"
        if notification.email_attempts >= EMAIL_MAX_ATTEMPTS:
            return f"not sent after {notification.email_attempts} tries"
        if notification.email_attempts:
            return f"to try again ({notification.email_attempts} tried)"
        return "waiting"


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = ("enabled", "days")


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """HR switch the code's reminder rules on and off and set their days; the code says what each is."""

    form = ReminderRuleForm
    list_display = ("name", "enabled", "days", "description")
    list_editable = ("enabled", "days")
    list_display_links = ("name",)
    fields = ("name", "description", "key", "enabled", "days", "updated_at")
    readonly_fields = ("name", "description", "key", "updated_at")

    def get_queryset(self, request):
        # Only rules the code still knows: a row left by a rule since removed
        # from the code does nothing, and is not for HR to puzzle over.
        return super().get_queryset(request).filter(key__in=list(registered()))

    def changelist_view(self, request, extra_context=None):
        # A rule new in the code shows at once, even before the dispatcher runs.
        reminder_rules_sync()
        return super().changelist_view(request, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "days" in form.base_fields:
            form.base_fields["days"].label = obj.days_label[:1].upper() + obj.days_label[1:]
        return form

    @admin.display(description="name")
    def name(self, rule: ReminderRule) -> str:
        return rule.name

    @admin.display(description="what it does")
    def description(self, rule: ReminderRule) -> str:
        days = f" Days: {rule.days_label}." if rule.kind else ""
        return f"{rule.description}{days}"

    def has_add_permission(self, request) -> bool:
        # Rules come from the code; a row without one would remind nobody.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Switch a rule off instead: deleting it would only bring it back with its default days.
        return False


# When something happened is recorded, never typed in: allauth's admin pages
# offer their times as fields, so they are shown read-only here as everywhere.
admin.site.unregister(Authenticator)
admin.site.unregister(SocialToken)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    readonly_fields = ("created_at", "last_used_at")


@admin.register(SocialToken)
class SocialTokenAdmin(AllauthSocialTokenAdmin):
    readonly_fields = ("expires_at",)


# auditlog's own admin searches actor__first_name and actor__last_name, which
# a person here does not have (they have `name`): any search raised FieldError.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    list_display = ["created", "what_happened", "resource_url", "user_url"]
    readonly_fields = ["created", "what_happened", "resource_url", "action", "user_url", "changes_in_words"]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "what_happened", "resource_url", "cid"]}),
        ("Changes", {"fields": ["action", "changes_in_words"]}),
    ]

    def get_queryset(self, request):
        # An entry about a record private to someone's manager chain says so in its
        # additional data ({"private_about": <their id>}, set by the record's model):
        # whoever it is about does not find it here, HR admin or not.
        # As a subquery: a negated lookup into JSON is unknown, not false, for entries with
        # no additional data, and PostgreSQL would leave those out too.
        about_them = LogEntry.objects.filter(additional_data__private_about=request.user.pk).values("pk")
        return super().get_queryset(request).exclude(pk__in=about_them)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's entries in words, with what they name read once for the page.
        describe_entries(changelist.result_list)
        return changelist

    def _described(self, entry: LogEntry) -> LogEntry:
        if not hasattr(entry, "sentence"):
            describe_entries([entry])
        return entry

    @admin.display(description="What happened")
    def what_happened(self, entry: LogEntry) -> str:
        return self._described(entry).sentence

    @admin.display(description="Changes")
    def changes_in_words(self, entry: LogEntry) -> str:
        rows = self._described(entry).rows
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th scope='col'>Field</th><th scope='col'>From</th><th scope='col'>To</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="By")
    def user_url(self, entry: LogEntry):
        if entry.actor_id is None:
            # An import from the command line, or a scheduled task.
            return f"{entry.actor_email} (account since removed)" if entry.actor_email else "Trellis itself"
        return super().user_url(entry)

    search_fields = [
        "timestamp",
        "object_repr",
        "changes",
        "changes_text",
        "actor__name",
        "actor__email",
        # The address recorded with the entry, which outlives a deleted person.
        "actor_email",
    ]
