"""Promotion committees in the admin: HR name them, choose the chair and members, and which
packets they take (the departments of the people, the codes of the target levels; none of
either means all). The chair sits on the committee too. A committee that has had packets is
kept (switch it off rather than delete it)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from ladders.models import FrameworkVersion, Level
from people.admin import AuditHistoryAdminMixin
from people.models import User

from .models import Committee


def _level_codes() -> list[tuple[str, str]]:
    """Every level code of the published frameworks, with its titles."""
    titles: dict[str, set[str]] = {}
    for code, title in Level.objects.filter(version__status=FrameworkVersion.Status.PUBLISHED).values_list("code", "title"):
        titles.setdefault(code, set()).add(title)
    return sorted((code, f"{code}: {' / '.join(sorted(names))}") for code, names in titles.items())


class CommitteeForm(forms.ModelForm):
    level_codes = forms.MultipleChoiceField(
        label="Target levels", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The packets it takes, by the code of their target level. None: every level.",
    )

    class Meta:
        model = Committee
        fields = ("name", "chair", "members", "departments", "level_codes", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level_codes"].choices = _level_codes()
        self.fields["chair"].queryset = User.objects.filter(is_active=True).order_by("name")
        self.fields["members"].queryset = User.objects.filter(is_active=True).order_by("name")
        self.fields["members"].help_text = "The chair sits on it too, whether ticked or not."
        self.fields["departments"].help_text = "The packets it takes, by the person's department. None: every department."

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if Committee.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another committee has this name: name this one apart.")
        return name


@admin.register(Committee)
class CommitteeAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    form = CommitteeForm
    list_display = ("name", "chair", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "chair__name")
    list_select_related = ("chair",)
    filter_horizontal = ("members", "departments")
    autocomplete_fields = ("chair",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.members.add(form.instance.chair)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.packets.exists())
