"""The HR admin's workbench: frameworks, versions, their content, placements.

Published versions are frozen here as everywhere: their rows show read-only,
and the way to change a published framework is "Start a new draft".
"""

from __future__ import annotations

import json
import secrets

from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from people.admin import AuditHistoryAdminMixin
from people.audit import AuditWords, audit_words, entry_subject, value_words
from people.admin_imports import CsvImport, checked_import_view
from people.models import User
from people.textfiles import describe_size

from . import formats
from .models import (
    Assessment,
    Competency,
    CompetencyArea,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    Placement,
    ProficiencyLevel,
    Rating,
    Track,
)
from .selectors.frameworks import latest_published_versions, version_export
from .services.frameworks import framework_draft_create, framework_import, framework_version_publish, version_problems
from .services.placements import (
    PLACEMENT_COLUMNS_OPTIONAL,
    PLACEMENT_COLUMNS_REQUIRED,
    placement_record,
    placements_import,
)

# Inline rows are tabular: the admin's full-size text areas and inputs in each
# make the draft page far wider than the screen.
COMPACT_TEXT = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
    models.SlugField: {"widget": forms.TextInput(attrs={"size": 16})},
}


def _version_of(obj) -> FrameworkVersion | None:
    if obj is None:
        return None
    if isinstance(obj, FrameworkVersion):
        return obj
    if isinstance(obj, Expectation):
        return obj.competency.version
    return getattr(obj, "version", None)


class FrozenWhenPublished:
    """Rows of a published version can be looked at, not changed."""

    def _frozen(self, obj) -> bool:
        version = _version_of(obj)
        return version is not None and version.pk is not None and not version.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)

    def has_add_permission(self, request, obj=None):
        args = (request, obj) if isinstance(self, admin.options.InlineModelAdmin) else (request,)
        return super().has_add_permission(*args) and not self._frozen(obj)


def _limit_to_version(formset_or_form, version: FrameworkVersion | None, fields: dict) -> None:
    form = getattr(formset_or_form, "form", formset_or_form)
    for name, queryset in fields.items():
        if name in form.base_fields:
            form.base_fields[name].queryset = queryset.filter(version=version) if version else queryset.none()


def _download(version: FrameworkVersion) -> HttpResponse:
    response = HttpResponse(formats.dump(version_export(version)), content_type="application/yaml; charset=utf-8")
    suffix = "draft" if version.is_draft else f"v{version.number}"
    response["Content-Disposition"] = f'attachment; filename="{version.framework.slug}-{suffix}.yml"'
    return response


# --- Frameworks and versions ------------------------------------------------------------


class _CheckedOutcomeChanged(Exception):
    def __init__(self, result):
        self.result = result


def _import_outcome(result) -> list:
    """What an import does, the same whether checked or done: confirming applies only what was checked."""
    changes = result.changes
    outcome = [
        result.framework.slug,
        result.unchanged,
        result.published,
        result.discarded_draft,
        result.replaced_draft,
        changes.against if changes else None,
        [(c.what, c.kind, c.name, c.details) for c in changes.changes] if changes else None,
    ]
    # As the session keeps it (JSON), so that the two compare equal.
    return json.loads(json.dumps(outcome))


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text="YAML in the Trellis format (docs/framework-format.md) or the FT job-family format.",
    )
    publish = forms.BooleanField(
        required=False, label="Publish straight away", help_text="Otherwise it lands in the framework's draft for review."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > formats.MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {describe_size(formats.MAX_BYTES)}; a framework file is usually a few hundred kB."
            )
        return upload


@admin.register(Framework)
class FrameworkAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "current_version", "has_draft")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["start_draft", "export_current"]
    change_list_template = "admin/ladders/framework/change_list.html"
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description="Current version")
    def current_version(self, obj):
        published = [v for v in obj.versions.all() if not v.is_draft]
        return f"v{max(v.number for v in published)}" if published else "–"

    @admin.display(description="Draft", boolean=True)
    def has_draft(self, obj):
        return any(v.is_draft for v in obj.versions.all())

    def has_delete_permission(self, request, obj=None):
        # Assessments and placements point at a framework's versions.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.action(description="Start a new draft from the current version")
    def start_draft(self, request, queryset):
        for framework in queryset:
            draft = framework_draft_create(framework=framework, actor=request.user)
            url = reverse("admin:ladders_frameworkversion_change", args=[draft.pk])
            self.message_user(request, format_html('Draft <a href="{}">{}</a> is ready to edit.', url, draft))

    @admin.action(description="Download the current version as YAML")
    def export_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one framework to download.", messages.WARNING)
            return None
        version = queryset.get().versions.current()
        if version is None:
            self.message_user(request, "This framework has no published version yet.", messages.WARNING)
            return None
        return _download(version)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="ladders_framework_import"),
        ] + super().get_urls()

    def import_view(self, request):
        """Upload, check (a dry run that shows what would happen), then import."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Import a framework"}
        stash = request.session.get("framework_import")
        if request.method == "POST" and request.POST.get("confirm") and not (stash and stash["token"] == request.POST["confirm"]):
            # Imported already in another tab, or the session ended.
            context.update(form=FrameworkImportForm(), problems=["That check has expired. Upload the file again."])
            return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=400)
        if request.method == "POST" and request.POST.get("confirm"):
            try:
                document = formats.parse(stash["text"])
                with transaction.atomic():
                    result = framework_import(
                        document=document, actor=request.user, publish=stash["publish"], source_name=stash["name"]
                    )
                    if _import_outcome(result) != stash.get("outcome"):
                        # Someone published or drafted meanwhile: what was checked
                        # is not what would happen. Nothing is kept; check again.
                        raise _CheckedOutcomeChanged(result)
            except _CheckedOutcomeChanged as changed:
                preview = changed.result
                preview.dry_run = True
                stash.update(token=secrets.token_urlsafe(16), outcome=_import_outcome(preview))
                request.session["framework_import"] = stash
                context.update(
                    form=FrameworkImportForm(), preview=preview, token=stash["token"], filename=stash["name"], changed_since=True
                )
                return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=409)
            except (formats.FrameworkFileError, ValidationError) as exc:
                context.update(form=FrameworkImportForm(), problems=getattr(exc, "problems", None) or exc.messages)
                return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=400)
            del request.session["framework_import"]
            self.message_user(request, result.summary(), messages.SUCCESS)
            target = result.version or result.framework
            admin_name = "frameworkversion" if result.version else "framework"
            return HttpResponseRedirect(reverse(f"admin:ladders_{admin_name}_change", args=[target.pk]))

        # Bound on every POST, so that a POST without a file says what is missing.
        bound = request.method == "POST"
        form = FrameworkImportForm(request.POST if bound else None, request.FILES if bound else None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            text = upload.read()
            try:
                document = formats.parse(text)
                preview = framework_import(document=document, actor=request.user, publish=form.cleaned_data["publish"], dry_run=True)
            except formats.FrameworkFileError as exc:
                context.update(form=form, problems=[str(p) for p in exc.problems], filename=upload.name)
                return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=400)
            except ValidationError as exc:
                context.update(form=form, problems=exc.messages, filename=upload.name)
                return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=400)
            token = secrets.token_urlsafe(16)
            request.session["framework_import"] = {
                "token": token,
                "name": upload.name,
                "text": text.decode("utf-8-sig"),
                "publish": form.cleaned_data["publish"],
                "outcome": _import_outcome(preview),
            }
            context.update(form=form, preview=preview, token=token, filename=upload.name)
            return TemplateResponse(request, "admin/ladders/framework/import.html", context)
        context["form"] = form
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/ladders/framework/import.html", context, status=status)


class ProficiencyInline(FrozenWhenPublished, admin.TabularInline):
    model = ProficiencyLevel
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("value", "name", "description")
    verbose_name = "proficiency on the scale"
    verbose_name_plural = "proficiency scale (lowest first)"


class TrackInline(FrozenWhenPublished, admin.TabularInline):
    model = Track
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("position", "slug", "name", "summary")


class LevelInline(FrozenWhenPublished, admin.TabularInline):
    model = Level
    extra = 0
    fields = ("rung", "position", "code", "title", "tracks")
    show_change_link = True
    # A version has a handful of tracks: ticks are narrower than a list box.
    formfield_overrides = {**COMPACT_TEXT, models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        _limit_to_version(formset, obj, {"tracks": Track.objects.all()})
        return formset


class AreaInline(FrozenWhenPublished, admin.TabularInline):
    model = CompetencyArea
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("position", "slug", "name", "summary")
    show_change_link = True


class PublishForm(forms.Form):
    change_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=FrameworkVersion._meta.get_field("change_notes").help_text,
    )


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(AuditHistoryAdminMixin, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ("__str__", "status", "links", "published_at", "published_by")
    list_filter = ("framework", "status")
    search_fields = ("framework__name", "change_notes")
    list_select_related = ("framework", "published_by")
    readonly_fields = ("framework", "number", "status", "created_at", "published_at", "published_by")
    fields = readonly_fields + ("summary", "levels_include_lower", "change_notes")
    inlines = [ProficiencyInline, TrackInline, LevelInline, AreaInline]
    actions = ["publish", "export_yaml"]
    change_form_template = "admin/ladders/frameworkversion/change_form.html"

    def has_add_permission(self, request, obj=None):
        # New versions come from "Start a new draft" or an import.
        return False

    @admin.display(description="")
    def links(self, obj):
        number = "draft" if obj.is_draft else obj.number
        return format_html(
            '<a href="{}?v={}">View on site</a> · <a href="{}?competency__version__id__exact={}">Expectations</a>',
            reverse("ladders:overview", args=[obj.framework.slug]),
            number,
            reverse("admin:ladders_expectation_changelist"),
            obj.pk,
        )

    def get_urls(self):
        view = require_http_methods(["GET", "POST"])(self.publish_view)
        return [
            path("<int:pk>/publish/", self.admin_site.admin_view(view), name="ladders_frameworkversion_publish"),
        ] + super().get_urls()

    def publish_view(self, request, pk: int):
        """Publish one draft: its problems, or its change notes and a confirmation."""
        # Asked without an object: a published version refuses every change,
        # and this page should say it is published rather than refuse.
        if not self.has_change_permission(request):
            raise PermissionDenied
        version = get_object_or_404(self.get_queryset(request).select_related("framework"), pk=pk)
        change_url = reverse("admin:ladders_frameworkversion_change", args=[version.pk])
        if not version.is_draft:
            self.message_user(request, f"{version} is already published.", messages.INFO)
            return HttpResponseRedirect(change_url)

        bound = request.method == "POST"
        form = PublishForm(request.POST if bound else None, initial={"change_notes": version.change_notes})
        if bound and form.is_valid():
            try:
                published = framework_version_publish(
                    version=version, actor=request.user, change_notes=form.cleaned_data["change_notes"]
                )
            except ValidationError as exc:
                # The draft changed since this page was shown: nothing was written.
                problems = exc.messages
            else:
                # Published meanwhile (another tab, the list action): say so, change nothing.
                if published.published_by_id != request.user.pk:
                    self.message_user(request, f"{published} is already published.", messages.INFO)
                else:
                    self.message_user(request, f"{version.framework} version {version.number} is published.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        else:
            problems = version_problems(version)

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Publish {version.framework} version {version.number}",
            "original": version,
            "problems": problems,
            "form": form,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/ladders/frameworkversion/publish.html", context, status=status)

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset):
        for version in queryset.select_related("framework"):
            if not version.is_draft:
                self.message_user(request, f"{version} is already published.", messages.INFO)
                continue
            try:
                framework_version_publish(version=version, actor=request.user)
            except ValidationError as exc:
                problems = "; ".join(exc.messages)
                self.message_user(request, f"{version} cannot be published yet: {problems}", messages.ERROR)
            else:
                self.message_user(request, f"{version.framework} version {version.number} is published.", messages.SUCCESS)

    @admin.action(description="Download as YAML")
    def export_yaml(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one version to download.", messages.WARNING)
            return None
        return _download(queryset.select_related("framework").get())


# --- Content of a version -----------------------------------------------------------------


def _with_version(obj) -> str:
    # Every draft of every framework has a "Senior Engineer 1": say whose.
    return f"{obj} — {obj.version}"


class ExpectationForm(forms.ModelForm):
    class Meta:
        model = Expectation
        fields = ("competency", "level", "proficiency", "criteria", "examples", "key")
        widgets = {
            "criteria": forms.Textarea(attrs={"rows": 4, "cols": 60}),
            "examples": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("competency", "level", "proficiency"):
            if name in self.fields:
                self.fields[name].label_from_instance = _with_version

    def clean(self):
        cleaned = super().clean()
        competency, level, proficiency = (cleaned.get(k) for k in ("competency", "level", "proficiency"))
        if competency and level and level.version_id != competency.version_id:
            self.add_error("level", "Choose a level of the same framework version as the competency.")
        if competency and proficiency and proficiency.version_id != competency.version_id:
            self.add_error("proficiency", "Choose a proficiency from this version's scale.")
        return cleaned


class ExpectationInline(FrozenWhenPublished, admin.StackedInline):
    model = Expectation
    form = ExpectationForm
    extra = 0

    def get_queryset(self, request):
        # Each row's heading names its competency and level.
        return super().get_queryset(request).select_related("competency", "level")

    def get_fields(self, request, obj=None):
        # Shown under a competency or under a level: the parent is implied,
        # the other of the two says what each row is about.
        other = "competency" if isinstance(obj, Level) else "level"
        return ((other, "proficiency"), "criteria", "examples")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        version = obj.version if obj else None
        _limit_to_version(
            formset,
            version,
            {
                "competency": Competency.objects.select_related("version__framework"),
                "level": Level.objects.select_related("version__framework"),
                "proficiency": ProficiencyLevel.objects.select_related("version__framework"),
            },
        )
        return formset


class CompetencyInline(FrozenWhenPublished, admin.TabularInline):
    model = Competency
    extra = 0
    formfield_overrides = COMPACT_TEXT
    fields = ("position", "slug", "name", "summary")
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields.pop("version", None)
        return formset


class DraftOnlyVersionField:
    """New content can only be added to a draft."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.DRAFT).select_related("framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CompetencyArea)
class CompetencyAreaAdmin(AuditHistoryAdminMixin, DraftOnlyVersionField, FrozenWhenPublished, admin.ModelAdmin):
    list_display = ("name", "slug", "version", "position")
    list_filter = ("version__framework", "version")
    search_fields = ("name", "slug")
    list_select_related = ("version__framework",)
    inlines = [CompetencyInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.version = form.instance.version
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()


class CompetencyForm(forms.ModelForm):
    class Meta:
        model = Competency
        fields = ("version", "area", "position", "slug", "name", "summary")

    def clean(self):
        cleaned = super().clean()
        version, area = cleaned.get("version"), cleaned.get("area")
        if version and area and area.version_id != version.pk:
            self.add_error("area", "Choose an area of the same framework version.")
        return cleaned


@admin.register(Competency)
class CompetencyAdmin(AuditHistoryAdminMixin, DraftOnlyVersionField, FrozenWhenPublished, admin.ModelAdmin):
    form = CompetencyForm
    list_display = ("name", "area", "version", "position")
    list_filter = ("version__framework", "version", "area__name")
    search_fields = ("name", "slug", "summary")
    list_select_related = ("area", "version__framework")
    inlines = [ExpectationInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = CompetencyArea.objects.filter(version__status=FrameworkVersion.Status.DRAFT).select_related("version__framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Expectation)
class ExpectationAdmin(AuditHistoryAdminMixin, FrozenWhenPublished, admin.ModelAdmin):
    form = ExpectationForm
    list_display = ("competency", "level", "proficiency", "version")
    list_filter = (("competency__version", admin.RelatedOnlyFieldListFilter), "level__code", "proficiency__name")
    search_fields = ("criteria", "examples", "competency__name", "level__title", "key")
    list_select_related = ("competency__version__framework", "level", "proficiency")

    @admin.display(description="Version", ordering="competency__version")
    def version(self, obj):
        return obj.competency.version

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("competency", "level", "proficiency"):
            model = db_field.remote_field.model
            kwargs["queryset"] = model.objects.filter(version__status=FrameworkVersion.Status.DRAFT).select_related("version__framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LevelForm(forms.ModelForm):
    class Meta:
        model = Level
        fields = ("version", "code", "title", "summary", "rung", "position", "tracks")

    def clean(self):
        cleaned = super().clean()
        version, tracks = cleaned.get("version"), cleaned.get("tracks")
        if version and tracks is not None:
            if not tracks:
                self.add_error("tracks", "Put the level on at least one track.")
            elif any(t.version_id != version.pk for t in tracks):
                self.add_error("tracks", "Choose tracks of the same framework version.")
        return cleaned


@admin.register(Level)
class LevelAdmin(AuditHistoryAdminMixin, DraftOnlyVersionField, FrozenWhenPublished, admin.ModelAdmin):
    form = LevelForm
    list_display = ("title", "code", "rung", "version")
    list_filter = ("version__framework", "version")
    search_fields = ("title", "code", "summary")
    list_select_related = ("version__framework",)
    filter_horizontal = ("tracks",)
    inlines = [ExpectationInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tracks":
            kwargs["queryset"] = Track.objects.select_related("version__framework")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- People on the ladders -----------------------------------------------------------------


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ("person", "level", "track", "effective_date", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People are placed on what their framework says now: not on a draft,
        # nor on a version a newer one has replaced. A placement recorded on
        # an older version keeps its own level on offer, so that its note or
        # date can still be corrected.
        current = [v.pk for v in latest_published_versions()]
        own = models.Q(pk=self.instance.level_id) if self.instance.level_id else models.Q(pk__in=[])
        own_track = models.Q(pk=self.instance.track_id) if self.instance.track_id else models.Q(pk__in=[])
        self.fields["level"].queryset = (
            Level.objects.filter(models.Q(version__in=current) | own)
            .select_related("version__framework")
            .order_by("version__framework__name", "rung", "position")
        )
        self.fields["track"].queryset = (
            Track.objects.filter(models.Q(version__in=current) | own_track)
            .select_related("version__framework")
            .order_by("version__framework__name", "position")
        )
        self.fields["level"].label_from_instance = lambda lv: f"{lv.title} ({lv.code}) — {lv.version.framework} v{lv.version.number}"
        self.fields["track"].label_from_instance = lambda t: f"{t.name} — {t.version.framework} v{t.version.number}"

    def clean(self):
        cleaned = super().clean()
        level, track = cleaned.get("level"), cleaned.get("track")
        if level and track and not level.tracks.filter(pk=track.pk).exists():
            self.add_error("track", f"{level.title} is not on the {track.name} track of the same version.")
        return cleaned


@admin.register(Placement)
class PlacementAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    form = PlacementForm
    list_display = ("person", "level", "track", "effective_date", "recorded_by")
    list_filter = ("level__version__framework", "track__name", "level__code")
    search_fields = ("person__name", "person__email", "level__title", "note")
    list_select_related = ("person", "level", "track", "recorded_by")
    autocomplete_fields = ("person",)
    date_hierarchy = "effective_date"
    readonly_fields = ("recorded_by", "created_at")
    change_list_template = "admin/ladders/placement/change_list.html"

    def get_urls(self):
        view = require_http_methods(["GET", "POST"])(self.import_view)
        return [path("import/", self.admin_site.admin_view(view), name="ladders_placement_import")] + super().get_urls()

    def import_view(self, request):
        """Levels from the HR system's CSV export: upload, check, confirm."""
        return checked_import_view(
            request,
            self,
            CsvImport(
                key="placements",
                title="Import placements",
                template="admin/ladders/placement/import.html",
                required=PLACEMENT_COLUMNS_REQUIRED,
                optional=PLACEMENT_COLUMNS_OPTIONAL,
                run=placements_import,
                may_import=lambda r: self.has_add_permission(r) and self.has_change_permission(r),
                done_url="admin:ladders_placement_changelist",
            ),
        )

    def save_model(self, request, obj, form, change):
        placement = placement_record(
            person=obj.person,
            level=obj.level,
            track=obj.track,
            effective_date=obj.effective_date,
            note=obj.note,
            actor=request.user,
        )
        if change and obj.pk != placement.pk:
            # The row was moved to another date or person: the service wrote it
            # there, so the row being edited goes rather than stay as a duplicate.
            Placement.objects.filter(pk=obj.pk).delete()
        obj.pk = placement.pk


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    fields = ("competency", "proficiency", "evidence")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Assessments belong to the people who write them; HR looks, never edits."""

    list_display = ("subject", "kind", "author", "level", "status", "submitted_at")
    list_filter = ("kind", "status", "version__framework")
    search_fields = ("subject__name", "subject__email", "author__name")
    list_select_related = ("subject", "author", "level")
    readonly_fields = ("subject", "author", "kind", "version", "level", "status", "summary", "created_at", "updated_at", "submitted_at")
    fields = readonly_fields
    inlines = [RatingInline]

    def get_queryset(self, request):
        # Drafts stay private to their author, here as on the site.
        return super().get_queryset(request).filter(status=Assessment.Status.SUBMITTED)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The audit log in words -----------------------------------------------------------------


class VersionWords(AuditWords):
    def queryset(self, model):
        return model._base_manager.select_related("framework")

    def name(self, version: FrameworkVersion) -> str:
        return f"{version.framework} v{version.number}"

    def sentence(self, entry, names):
        changes = entry.changes_dict or {}
        subject = entry_subject(entry, names)
        if entry.action == LogEntry.Action.CREATE:
            return f"Started {subject} as a draft"
        if entry.action == LogEntry.Action.DELETE:
            return f"Discarded the draft {subject}"
        if changes.get("status", [None, None])[1] == FrameworkVersion.Status.PUBLISHED:
            return f"Published {subject}"
        return None


class PlacementWords(AuditWords):
    """"Changed Ada Okafor's level to Senior Engineer 1 (from Engineer 2)"."""

    def queryset(self, model):
        return model._base_manager.select_related("person", "level", "track")

    def prepare(self, entries, names):
        # Each placed person's placements, to say what they were before: one query for the page.
        people = {int(e.changes_dict["person"][1]) for e in entries if "person" in (e.changes_dict or {})}
        people |= set(
            Placement.objects.filter(pk__in=[e.object_id for e in entries if e.object_id]).values_list("person_id", flat=True)
        )
        self.history: dict[int, list[tuple]] = {}
        rows = Placement.objects.filter(person_id__in=people).order_by("effective_date", "pk")
        for pk, person, effective, title in rows.values_list("pk", "person_id", "effective_date", "level__title"):
            self.history.setdefault(person, []).append((pk, effective, title))
        for person in people:
            names.want(User, person)

    def sentence(self, entry, names):
        changes = entry.changes_dict or {}
        placement = names.obj(Placement, entry.object_id)
        person_id = placement.person_id if placement else (changes.get("person") or [None, None])[1]
        person = names.of(User, person_id) if person_id else entry.object_repr
        if entry.action == LogEntry.Action.DELETE:
            return f"Removed a placement: {entry.object_repr}"
        level = value_words(entry, "level", changes["level"][1], names) if "level" in changes else None
        if level is None:
            return None
        if entry.action == LogEntry.Action.UPDATE:
            return f"Changed {person}’s level to {level} (from {value_words(entry, 'level', changes['level'][0], names)})"
        # Created: the level before is that of the person's placement just before this one.
        effective = placement.effective_date if placement else None
        earlier = [
            title for pk, date, title in self.history.get(int(person_id), [])
            if effective is not None and (date, pk) < (effective, placement.pk)
        ]
        if earlier:
            return f"Changed {person}’s level to {level} (from {earlier[-1]})"
        return f"Placed {person} at {level}"


audit_words(FrameworkVersion, VersionWords())
audit_words(Placement, PlacementWords())
