"""Interview kits in the admin: HR make them for a role, then adapt focus, questions and scale.

A kit is made for a role of a published framework version; its role is then
fixed (copy a kit to adapt it to another). Focus competencies and the scale
are saved through the services, and their forms checked with the services'
own validators, so the rules are the same here as anywhere else: the focus is
the level's, a scale runs 1 to n with labels, anchors and rising offsets, and
nothing a scorecard used can be removed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from ladders.models import Competency, FrameworkVersion, Level, Track
from people.admin import AuditHistoryAdminMixin

from .models import Kit, KitCompetency, Question, ScalePoint
from .services.kits import (
    focus_set,
    focus_validate,
    kit_copy,
    kit_create,
    kit_name_errors,
    kit_role_errors,
    scale_update,
    scale_validate,
)


class _VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.framework} v{obj.number}"


class _RoleChoice(forms.ModelChoiceField):
    """A track or a level, with the version it belongs to (titles repeat across versions)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.version.framework} v{obj.version.number})"


class KitForm(forms.ModelForm):
    class Meta:
        model = Kit
        fields = ("name", "version", "track", "level", "description")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            role = [cleaned.get(name) for name in ("version", "track", "level")]
            for name, message in kit_role_errors(*role).items():
                if name not in self.errors:
                    self.add_error(name, message)
        in_use = not cleaned.get("is_archived", self.instance.is_archived)
        if in_use and "name" not in self.errors:
            for name, message in kit_name_errors((cleaned.get("name") or "").strip(), kit=self.instance).items():
                self.add_error(name, message)
        return cleaned


class FocusFormSet(BaseInlineFormSet):
    """The focus as a whole: the level's competencies, at least one, none a scorecard rated dropped."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = []
        for n, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("competency"):
                continue
            rows.append((data.get("position") or 0, n, data["competency"].pk))
        self.competency_ids = [pk for _, _, pk in sorted(rows)]
        try:
            focus_validate(self.instance, self.competency_ids)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["competencies"]) from None


class ScaleFormSet(BaseInlineFormSet):
    """The scale as a whole: 2 to 10 points numbered from 1, labelled, anchored, offsets rising."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        points = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            points.append((data.get("value"), data.get("label"), data.get("anchor"), data.get("offset")))
        try:
            self.points = scale_validate(self.instance, points)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["points"]) from None

    def validate_unique(self):
        # Points are matched by value when saved (see scale_update), so values may swap rows.
        return


class ScalePointForm(forms.ModelForm):
    class Meta:
        model = ScalePoint
        fields = ("value", "label", "anchor", "offset")
        widgets = {"anchor": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def _get_validation_exclusions(self):
        # Value and offset are checked for the scale as a whole (ScaleFormSet, with the
        # services' rules), where values may change places between rows.
        return super()._get_validation_exclusions() | {"value", "offset"}


def _choices_once(field: forms.ModelChoiceField) -> None:
    """Read a choice field's options once for the page, not once per row."""
    field.choices = list(field.choices)


class FocusInline(admin.TabularInline):
    model = KitCompetency
    formset = FocusFormSet
    fields = ("competency", "position")
    extra = 0
    verbose_name = "focus competency"
    verbose_name_plural = "focus competencies"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competency", "kit")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["competency"]
        field.queryset = Competency.objects.filter(version_id=obj.version_id if obj else None).order_by(
            "area__position", "position", "pk"
        )
        field.help_text = "Competencies of the kit's level; a kit focuses on at least one."
        _choices_once(field)
        return formset


class _FocusChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.competency.name


class QuestionInline(admin.StackedInline):
    model = Question
    fields = ("text", "good_looks_like", "follow_ups", "red_flags", "competencies", "position")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kit").prefetch_related("competencies")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        focus = KitCompetency.objects.filter(kit_id=obj.pk if obj else None).select_related("competency")
        formset.form.base_fields["competencies"] = _FocusChoices(
            queryset=focus.order_by("position", "pk"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="The kit's focus competencies this question probes.",
        )
        _choices_once(formset.form.base_fields["competencies"])
        for name in ("text", "good_looks_like", "follow_ups", "red_flags"):
            formset.form.base_fields[name].widget.attrs.update(rows=3, cols=80)
        return formset


class ScaleInline(admin.TabularInline):
    model = ScalePoint
    form = ScalePointForm
    formset = ScaleFormSet
    extra = 0
    verbose_name = "scale point"
    verbose_name_plural = "scale: value, label, anchor and offset against the level (0 meets it)"


class KitActionForm(ActionForm):
    """The changelist's action bar, with the level a copy is for."""

    level = _RoleChoice(
        queryset=Level.objects.filter(version__status=FrameworkVersion.Status.PUBLISHED)
        .select_related("version__framework")
        .order_by("version__framework__name", "-version__number", "rung", "position", "pk"),
        required=False,
        empty_label="at the same level",
        label="Copy",
    )


# Saved in this order: a question's link to a focus removed in the same save goes with it.
_SAVE_ORDER = {Question: 0, KitCompetency: 1, ScalePoint: 2}


class KitAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    form = KitForm
    list_display = ("name", "level", "track", "version_name", "copied_from", "created_by", "created_at")
    list_filter = ("version__framework", "version", "is_archived")
    search_fields = ("name", "level__title", "level__code")
    list_select_related = ("level", "track", "version__framework", "copied_from", "created_by")
    ordering = ("name", "pk")
    inlines = [FocusInline, QuestionInline, ScaleInline]
    actions = ["copy_kits"]
    action_form = KitActionForm

    @admin.display(description="version", ordering="version")
    def version_name(self, obj: Kit) -> str:
        return f"{obj.version.framework} v{obj.version.number}"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("name", "version", "track", "level", "description"),
                        "description": "The kit starts with every competency the level has an expectation for "
                        "and the default scale: adapt them once it is saved."}),
            )
        return (
            (None, {"fields": ("name", "description", "is_archived")}),
            ("Role", {"fields": ("version", "track", "level", "copied_from")}),
            ("History", {"fields": ("created_by", "created_at")}),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = ("name", "description", "is_archived")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("version", "track", "level", "copied_from", "created_by", "created_at")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        published = FrameworkVersion.objects.published().select_related("framework")
        if db_field.name == "version":
            return _VersionChoice(queryset=published.order_by("framework__name", "-number"), **kwargs)
        if db_field.name == "track":
            queryset = Track.objects.filter(version__in=published).select_related("version__framework")
            return _RoleChoice(queryset=queryset.order_by("version", "position", "pk"), **kwargs)
        if db_field.name == "level":
            queryset = Level.objects.filter(version__in=published).select_related("version__framework")
            return _RoleChoice(queryset=queryset.order_by("version", "rung", "position", "pk"), **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        kit = kit_create(
            actor=request.user, name=obj.name, version=obj.version, track=obj.track, level=obj.level,
            description=obj.description,
        )
        obj.pk, obj.created_by, obj.created_at = kit.pk, kit.created_by, kit.created_at

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in sorted(formsets, key=lambda fs: _SAVE_ORDER.get(fs.model, len(_SAVE_ORDER))):
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        kit = form.instance
        if formset.model is KitCompetency:
            focus_set(actor=request.user, kit=kit, competency_ids=formset.competency_ids)
        elif formset.model is ScalePoint:
            scale_update(actor=request.user, kit=kit, points=formset.points)
        else:
            formset.save()
            return
        # Saved through the services: the change message names the parts, not each row.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Copy the selected kits")
    def copy_kits(self, request, queryset):
        """Copy each kit to adapt, at its own level or at the one chosen in the action bar
        (of any published version: competencies the level lacks are dropped, and said)."""
        level = None
        if request.POST.get("level"):
            level = self.action_form.base_fields["level"].queryset.filter(pk=request.POST["level"]).first()
            if level is None:
                self.message_user(request, "Choose a level of a published framework version.", messages.ERROR)
                return
        for kit in queryset.select_related("version", "track", "level"):
            try:
                copy, dropped = kit_copy(actor=request.user, kit=kit, level=level)
            except ValidationError as exc:
                self.message_user(request, f"{kit} cannot be copied: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            url = reverse("admin:reviews_kit_change", args=[copy.pk])
            self.message_user(request, format_html('<a href="{}">{}</a> is ready to adapt.', url, copy), messages.SUCCESS)
            if dropped:
                names = ", ".join(c.name for c in dropped)
                self.message_user(
                    request, f"{copy.level} has no expectation for {names}: left out of {copy}.", messages.WARNING
                )


admin.site.register(Kit, KitAdmin)
