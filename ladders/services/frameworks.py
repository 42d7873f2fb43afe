"""Writing frameworks: import, new drafts, publishing.

Content enters a version in exactly one way, `_version_fill(version, document)`,
whether it comes from a file or from copying the previous version, so the
file format and the copy can never disagree about what a version holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from people.audit import acting_as, log_event
from people.models import User

from ..models import (
    Competency,
    CompetencyArea,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    ProficiencyLevel,
    Track,
)
from ..selectors.changes import DocumentChanges, document_changes
from ..selectors.frameworks import version_export


_ONE = {"tracks": "track", "levels": "level", "areas": "area", "competencies": "competency", "expectations": "expectation"}


@dataclass
class FrameworkImportResult:
    framework: Framework
    version: FrameworkVersion | None
    created_framework: bool
    unchanged: bool
    published: bool
    counts: dict[str, int]
    dry_run: bool = False
    discarded_draft: int | None = None
    # What the file changes against the current published version.
    changes: DocumentChanges | None = None
    replaced_draft: int | None = None

    def summary(self) -> str:
        counts = ", ".join(f"{n} {what if n != 1 else _ONE[what]}" for what, n in self.counts.items())
        if self.unchanged:
            message = f"{self.framework.name}: same content as the published version v{self.version.number}"
            if self.discarded_draft:
                verb = "would be" if self.dry_run else "was"
                return f"{message}; the draft v{self.discarded_draft}, which differed, {verb} discarded."
            return f"{message}; nothing to do."
        verb = "would be" if self.dry_run else "was"
        state = "published as" if self.published else "imported into draft"
        return f"{self.framework.name} {verb} {state} version {self.version.number} ({counts})."


def document_counts(document: dict) -> dict[str, int]:
    competencies = [c for a in document["areas"] for c in a["competencies"]]
    return {
        "tracks": len(document["tracks"]),
        "levels": len(document["levels"]),
        "areas": len(document["areas"]),
        "competencies": len(competencies),
        "expectations": sum(len(c["expectations"]) for c in competencies),
    }


def _content(document: dict) -> dict:
    # change_notes describe a version, they are not part of what it says.
    content = {k: v for k, v in document.items() if k != "change_notes"}
    content.setdefault("levels_include_lower", False)
    return content


class _Rollback(Exception):
    pass


def framework_import(
    *,
    document: dict,
    actor: User | None = None,
    publish: bool = False,
    dry_run: bool = False,
    source_name: str = "",
) -> FrameworkImportResult:
    """Put a checked document into its framework's draft, and publish it if asked.

    The framework is found by slug (and created the first time). Its draft,
    if any, is replaced; otherwise a new draft follows the latest version.
    A document equal to the latest published version changes nothing, so
    importing the same file twice does not make a second version.
    """
    result: FrameworkImportResult | None = None
    try:
        with transaction.atomic(), acting_as(actor):
            result = _framework_import(document, actor, publish, source_name)
            result.dry_run = dry_run
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result


def _framework_import(document: dict, actor, publish: bool, source_name: str) -> FrameworkImportResult:
    framework, created = Framework.objects.get_or_create(
        slug=document["slug"], defaults={"name": document["name"]}
    )
    if framework.name != document["name"]:
        framework.name = document["name"]
        framework.full_clean()
        framework.save()
    counts = document_counts(document)
    latest = framework.versions.current()
    current = version_export(latest) if latest is not None else None
    changes = document_changes(current, document, against=latest.number if latest else None)
    source = source_name or "a framework file"
    if current is not None and _content(current) == _content(document):
        # The file says "this framework is what is published": a draft that
        # says otherwise goes, and the summary says so.
        draft = framework.versions.filter(status=FrameworkVersion.Status.DRAFT).first()
        differed = draft is not None and _content(version_export(draft)) != _content(document)
        if draft is not None:
            # One entry that says why, not one per row of the draft.
            with disable_auditlog():
                draft.delete()
            log_event(
                framework,
                actor=actor,
                summary=f"Discarded the draft v{draft.number} of {framework.name}: {source} "
                f"is the same as the published v{latest.number}",
                source=source_name,
            )
        return FrameworkImportResult(
            framework,
            latest,
            created,
            True,
            False,
            counts,
            discarded_draft=draft.number if differed else None,
            changes=changes,
        )

    existing = framework.versions.filter(status=FrameworkVersion.Status.DRAFT).values_list("number", flat=True).first()
    # Making or replacing a draft from a file is one change, told by the entry
    # below with what differs from the published version, rather than a
    # deletion and a creation per row.
    with disable_auditlog():
        draft = _draft_for(framework)
        _version_clear(draft)
        _version_fill(draft, document)
    log_event(
        draft,
        actor=actor,
        summary=_import_summary(framework, draft, source, changes, replaced=existing is not None),
        source=source_name,
        counts=counts,
        changes=changes.summary() if changes.against else None,
    )
    if publish:
        draft = framework_version_publish(version=draft, actor=actor)
    return FrameworkImportResult(
        framework, draft, created, False, publish, counts, changes=changes, replaced_draft=existing
    )


def _import_summary(framework: Framework, draft: FrameworkVersion, source: str, changes: DocumentChanges, *, replaced: bool) -> str:
    if replaced:
        head = f"Imported {source} into the draft v{draft.number} of {framework.name}, replacing its content"
    else:
        head = f"Imported a new draft of {framework.name} from {source}"
    if changes.against is None:
        return f"{head}: its first version"
    return f"{head}: against v{changes.against}, {changes.summary()}"


def _draft_for(framework: Framework) -> FrameworkVersion:
    draft = (
        FrameworkVersion.objects.select_for_update()
        .filter(framework=framework, status=FrameworkVersion.Status.DRAFT)
        .first()
    )
    if draft is None:
        number = (framework.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = FrameworkVersion.objects.create(framework=framework, number=number)
    return draft


def _version_clear(version: FrameworkVersion) -> None:
    # Ask the database: an instance read before publishing still says "draft".
    if not FrameworkVersion.objects.filter(pk=version.pk, status=FrameworkVersion.Status.DRAFT).exists():
        raise ValidationError("A published version cannot be changed.")
    Expectation.objects.filter(level__version=version).delete()
    Competency.objects.filter(version=version).delete()
    CompetencyArea.objects.filter(version=version).delete()
    Level.objects.filter(version=version).delete()
    Track.objects.filter(version=version).delete()
    ProficiencyLevel.objects.filter(version=version).delete()


def _version_fill(version: FrameworkVersion, document: dict) -> None:
    version.summary = document["summary"]
    version.change_notes = document.get("change_notes", "")
    version.levels_include_lower = document.get("levels_include_lower", False)
    version.save(update_fields=["summary", "change_notes", "levels_include_lower"])

    scale = ProficiencyLevel.objects.bulk_create(
        ProficiencyLevel(version=version, value=i, name=s["name"], description=s["description"])
        for i, s in enumerate(document["scale"], start=1)
    )
    proficiency = {p.name: p for p in scale}
    tracks = {
        t.slug: t
        for t in Track.objects.bulk_create(
            Track(version=version, slug=t["slug"], name=t["name"], summary=t["summary"], position=i)
            for i, t in enumerate(document["tracks"])
        )
    }
    levels = {
        lv.code: lv
        for lv in Level.objects.bulk_create(
            Level(
                version=version,
                code=lv["code"],
                title=lv["title"],
                summary=lv["summary"],
                rung=lv["rung"],
                position=i,
            )
            for i, lv in enumerate(document["levels"])
        )
    }
    Level.tracks.through.objects.bulk_create(
        Level.tracks.through(level_id=levels[lv["code"]].pk, track_id=tracks[slug].pk)
        for lv in document["levels"]
        for slug in lv["tracks"]
    )
    areas = CompetencyArea.objects.bulk_create(
        CompetencyArea(version=version, slug=a["slug"], name=a["name"], summary=a["summary"], position=i)
        for i, a in enumerate(document["areas"])
    )
    competencies = Competency.objects.bulk_create(
        Competency(version=version, area=area, slug=c["slug"], name=c["name"], summary=c["summary"], position=i)
        for area, a in zip(areas, document["areas"], strict=True)
        for i, c in enumerate(a["competencies"])
    )
    flat = [c for a in document["areas"] for c in a["competencies"]]
    Expectation.objects.bulk_create(
        Expectation(
            competency=competency,
            level=levels[e["level"]],
            proficiency=proficiency[e["proficiency"]],
            criteria="\n".join(e["criteria"]),
            examples="\n".join(e["examples"]),
            key=e["key"],
        )
        for competency, c in zip(competencies, flat, strict=True)
        for e in c["expectations"]
    )


def version_problems(version: FrameworkVersion) -> list[str]:
    """What would make a version unusable once frozen; empty when it can be published."""
    problems = []
    if version.proficiency_levels.count() < 2:
        problems.append("The proficiency scale needs at least two points.")
    if not version.tracks.exists():
        problems.append("Add at least one track.")
    levels = list(version.levels.annotate(n_tracks=Count("tracks")).order_by("rung", "pk").prefetch_related("tracks"))
    if not levels:
        problems.append("Add at least one level.")
    seen: dict[tuple[int, int], Level] = {}
    for level in levels:
        if level.n_tracks == 0:
            problems.append(f"Level {level.code} is on no track.")
        for track in level.tracks.all():
            other = seen.setdefault((track.pk, level.rung), level)
            if other != level:
                problems.append(f"Track {track.name} has both {other.code} and {level.code} on rung {level.rung}.")
    if not version.competencies.exists():
        problems.append("Add at least one competency.")
    empty = version.competencies.annotate(n=Count("expectations")).filter(n=0).order_by("area__position", "position")
    problems += [f"Competency {c.name} has no expectation at any level." for c in empty]
    expectations = Expectation.objects.filter(competency__version=version).select_related(
        "competency", "level", "proficiency"
    )
    for expectation in expectations:
        if expectation.level.version_id != version.pk or expectation.proficiency.version_id != version.pk:
            problems.append(f"{expectation} points at a level or proficiency of another version.")
        if not expectation.criteria_list:
            problems.append(f"{expectation} has no criteria.")
    return problems


@transaction.atomic
def framework_version_publish(
    *, version: FrameworkVersion, actor: User | None, change_notes: str | None = None
) -> FrameworkVersion:
    """Freeze a draft, with its change notes if given, all or nothing.

    Publishing a published version again changes nothing (not even its notes).
    """
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        return version
    problems = version_problems(version)
    if problems:
        raise ValidationError(problems)
    with acting_as(actor):
        if change_notes is not None:
            version.change_notes = change_notes.strip()
        version.status = FrameworkVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = actor
        version.save(update_fields=["status", "published_at", "published_by", "change_notes"])
    return version


@transaction.atomic
def framework_draft_create(*, framework: Framework, actor: User | None) -> FrameworkVersion:
    """Start the next version as a copy of the latest published one.

    Returns the existing draft if there is one: there is only ever one.
    """
    Framework.objects.select_for_update().get(pk=framework.pk)
    existing = framework.versions.filter(status=FrameworkVersion.Status.DRAFT).first()
    if existing is not None:
        return existing
    latest = framework.versions.current()
    with acting_as(actor):
        draft = _draft_for(framework)
        if latest is not None:
            document = version_export(latest)
            document["change_notes"] = ""
            _version_fill(draft, document)
            log_event(draft, actor=actor, summary=f"Started a new draft of {framework.name} from version {latest.number}")
    return draft
