"""`manage.py import_framework` and `manage.py export_framework`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ladders import formats
from ladders.models import Expectation, Framework, FrameworkVersion
from ladders.selectors.frameworks import version_export
from ladders.services.frameworks import framework_draft_create
from tests.ladders.factories import (
    DATA,
    FT_FILE,
    document,
    framework_row_counts,
    ft_document,
    publish,
)

pytestmark = pytest.mark.django_db

FT_TEXT = FT_FILE.read_text()


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    return [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line][occurrence - 1]


def broken_copy(tmp_path, fragment: str, occurrence: int, old: str, new: str) -> tuple[str, int]:
    """A copy of the FT file with one line changed; returns its path and that line's number."""
    number = line_of(FT_TEXT, fragment, occurrence)
    lines = FT_TEXT.splitlines(keepends=True)
    lines[number - 1] = lines[number - 1].replace(old, new)
    path = tmp_path / "ft-broken.yml"
    path.write_text("".join(lines))
    return str(path), number


# --- import_framework -------------------------------------------------------------------------


def test_it_imports_the_ft_file_into_a_draft():
    out, _ = run("import_framework", str(FT_FILE))
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    assert version.is_draft and version.number == 1
    assert Expectation.objects.filter(level__version=version).count() == 72
    assert "Engineering was imported into draft version 1 (2 tracks, 8 levels, 1 area, 9 competencies, 72 expectations)." in out


def test_it_publishes_with_the_publish_option():
    out, _ = run("import_framework", str(FT_FILE), "--publish")
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    assert version.status == FrameworkVersion.Status.PUBLISHED and version.published_at is not None
    assert "was published as version 1" in out


def test_it_writes_nothing_on_a_dry_run():
    out, _ = run("import_framework", str(FT_FILE), "--dry-run", "--publish")
    assert framework_row_counts() == dict.fromkeys(framework_row_counts(), 0)
    assert out.startswith("Dry run: Engineering would be published as version 1")


def test_it_imports_under_the_slug_given(tmp_path):
    run("import_framework", str(FT_FILE), "--slug", "ft-engineering")
    assert list(Framework.objects.values_list("slug", "name")) == [("ft-engineering", "Engineering")]


@pytest.mark.parametrize("slug", ["Bad Slug!", "-leading-hyphen", "x" * 81, ""])
def test_it_refuses_a_slug_that_could_not_be_in_an_address(slug):
    with pytest.raises(CommandError, match="--slug takes lower-case letters, digits and hyphens"):
        run("import_framework", str(FT_FILE), f"--slug={slug}")
    assert Framework.objects.count() == 0


def test_it_says_nothing_changed_on_a_second_import():
    run("import_framework", str(FT_FILE), "--publish")
    before = framework_row_counts()
    out, _ = run("import_framework", str(FT_FILE), "--publish")
    assert "same content as the published version v1; nothing to do" in out
    assert framework_row_counts() == before


def test_it_imports_a_trellis_file(tmp_path):
    path = tmp_path / "backend.yml"
    path.write_text(formats.dump(document()))
    run("import_framework", str(path))
    version = FrameworkVersion.objects.get(framework__slug="backend")
    assert version.levels.count() == 4


def test_it_names_a_file_that_is_not_there(tmp_path):
    with pytest.raises(CommandError, match="missing.yml: No such file"):
        run("import_framework", str(tmp_path / "missing.yml"))


@pytest.mark.parametrize(
    "fragment, occurrence, old, new, expected",
    [
        ("proficiency: Practitioner", 2, "Practitioner", "Practicioner", "'Practicioner' is not one of"),
        ("level: principal-pm", 1, "principal-pm", "principal-px", "no level 'principal-px' in levels"),
        ("- id: 62046fd9", 1, "62046fd9-4d63-4cf0-9a39-ca85656440f3", "fb43098c-588c-421c-b87a-92b0bfd2ad7c", "is used twice"),
        ("theme: communication", 3, "theme: communication", "theme: [communication", "not valid YAML"),
    ],
    ids=["misspelt-proficiency", "unknown-level", "duplicate-id", "yaml-syntax"],
)
def test_it_names_the_line_of_each_problem_and_writes_nothing(tmp_path, fragment, occurrence, old, new, expected):
    path, number = broken_copy(tmp_path, fragment, occurrence, old, new)
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) found; nothing was imported"):
        call_command("import_framework", path, "--publish", stdout=StringIO(), stderr=err)
    problems = err.getvalue().splitlines()
    assert len(problems) == 1
    # An unclosed list is noticed where the next key starts.
    line = number + 1 if expected == "not valid YAML" else number
    assert problems[0].startswith(f"{path}: line {line}")
    assert expected in problems[0]
    assert framework_row_counts() == dict.fromkeys(framework_row_counts(), 0)


def test_it_lists_every_problem_of_a_file(tmp_path):
    text = FT_TEXT.replace("proficiency: Expert", "proficiency: Guru") + "owner: Platform\n"
    gurus = [n for n, line in enumerate(text.splitlines(), start=1) if "proficiency: Guru" in line]
    path = tmp_path / "ft.yml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match=rf"{len(gurus) + 1} problem\(s\) found"):
        call_command("import_framework", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert f"{path}: line {len(text.splitlines())}, owner: unknown field" in lines
    assert sorted(int(line.split("line ")[1].split(",")[0]) for line in lines if "Guru" in line) == gurus
    assert Framework.objects.count() == 0


def test_it_leaves_a_published_framework_alone_when_a_file_is_broken(tmp_path):
    run("import_framework", str(FT_FILE), "--publish")
    before = framework_row_counts()
    path, _ = broken_copy(tmp_path, "level: senior-1", 1, "senior-1", "senior-one")
    with pytest.raises(CommandError):
        run("import_framework", path)
    assert framework_row_counts() == before


# --- export_framework -------------------------------------------------------------------------


def test_it_exports_the_current_version_to_standard_output():
    version = publish(ft_document())
    out, _ = run("export_framework", "engineering")
    assert out == formats.dump(version_export(version))
    assert formats.parse(out) == ft_document()


def test_it_exports_to_a_file(tmp_path):
    publish(document())
    target = tmp_path / "out.yml"
    out, err = run("export_framework", "backend", "-o", str(target))
    assert out == ""
    assert f"Wrote Backend v1 (published) to {target}." in err
    assert formats.parse(target.read_text()) == document()


def test_it_exports_the_data_science_file_as_shipped():
    text = (DATA / "data-science.yml").read_text()
    publish(formats.parse(text))
    out, _ = run("export_framework", "data-science")
    assert out == text


def test_it_exports_a_version_by_number():
    v1 = publish(document())
    changed = document()
    changed["summary"] = "The second version."
    publish(changed)
    out, _ = run("export_framework", "backend", "--number", "1")
    assert formats.parse(out)["summary"] == v1.summary == "A framework made for tests."
    out, _ = run("export_framework", "backend")
    assert formats.parse(out)["summary"] == "The second version."


def test_it_exports_the_draft():
    v1 = publish(document())
    draft = framework_draft_create(framework=v1.framework, actor=None)
    draft.change_notes = "Work in progress."
    draft.save()
    out, _ = run("export_framework", "backend", "--number", "draft")
    assert formats.parse(out)["change_notes"] == "Work in progress."


def test_it_refuses_an_unknown_slug():
    with pytest.raises(CommandError, match="No framework with the slug 'nope'"):
        run("export_framework", "nope")


def test_it_refuses_a_version_that_does_not_exist():
    publish(document())
    with pytest.raises(CommandError, match="backend has no such version"):
        run("export_framework", "backend", "--number", "7")
    with pytest.raises(CommandError, match="backend has no such version"):
        run("export_framework", "backend", "--number", "draft")
    with pytest.raises(CommandError, match="--number takes a number or 'draft'"):
        run("export_framework", "backend", "--number", "latest")


def test_it_refuses_to_export_a_framework_with_only_a_draft():
    run("import_framework", str(FT_FILE))
    with pytest.raises(CommandError, match="engineering has no published version"):
        run("export_framework", "engineering")
