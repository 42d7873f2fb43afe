"""Files that try to hurt: exponential YAML, loops, deep nesting, NUL bytes, bad UTF-8, huge files.

Each is refused before anything is written, with the line (and column)
where the trouble starts, in the admin and on the command line alike.
"""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from ladders import formats
from ladders.models import Framework, Placement
from ladders.services.placements import placements_import
from people.csvimport import ImportFailed
from people.models import User
from people.services import people_import
from tests.ladders.factories import FT_FILE, publish

# 383 bytes that expand to 9^9 strings (about 3 GB) when aliases are followed.
BILLION_LAUGHS = b"""format: trellis-framework/1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
# Small enough that a parser following aliases survives it, so the test
# fails on the assertion rather than by running out of memory.
FEW_LAUGHS = b"""format: trellis-framework/1
name: Laughs
a: &a ["lol","lol","lol"]
b: [*a,*a,*a]
"""
RECURSIVE = b"format: trellis-framework/1\nlevels: &x [*x]\n"
ALIAS_ONLY = b"format: trellis-framework/1\nname: Backend\nslug: *missing\n"
DEEP = b"format: trellis-framework/1\nname: " + b"[" * 5000 + b"]" * 5000 + b"\n"
NUL = b"format: trellis-framework/1\nname: Back\x00end\n"
LATIN1 = b"format: trellis-framework/1\nname: Caf\xe9 levels\n"

PYTHON_TAG = b"format: trellis-framework/1\nname: !!python/object/apply:os.system [ls]\n"
TIMESTAMP_TAG = b"format: trellis-framework/1\nname: Backend\nslug: !!timestamp 2024-02-30\n"
MERGE_KEY = b"format: trellis-framework/1\nbase: &base {name: Backend}\nother: {<<: *base}\n"

HOSTILE_YAML = {
    "billion laughs": (BILLION_LAUGHS, 2, 4, "anchors (&a) are not allowed"),
    "a few laughs": (FEW_LAUGHS, 3, 4, "anchors (&a) are not allowed"),
    "recursive alias": (RECURSIVE, 2, 9, "anchors (&x) are not allowed"),
    "alias without anchor": (ALIAS_ONLY, 3, 7, "aliases (*missing) are not allowed"),
    "deep nesting": (DEEP, 2, 38, "nested more than 32 levels deep"),
    "NUL byte": (NUL, 2, 11, "character #x0000 is not allowed"),
    "Latin-1 bytes": (LATIN1, 2, 10, "byte 0xe9 is not UTF-8 text"),
    "python tag": (PYTHON_TAG, 2, 7, "tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed"),
    "timestamp tag": (TIMESTAMP_TAG, 3, 7, "tags (tag:yaml.org,2002:timestamp) are not allowed"),
    "merge key": (MERGE_KEY, 2, 7, "anchors (&base) are not allowed"),
}

# Plain values a YAML loader would turn into dates and numbers: each once
# crashed the loader or took minutes (base-60 integers are quadratic).
LOOKALIKES = {
    "impossible date": b"format: trellis-framework/1\nname: Backend\nreviewed: 2024-02-30\n",
    "5,000-digit number": b"format: trellis-framework/1\nname: " + b"1" * 5000 + b"\n",
    "base-60 number": b"format: trellis-framework/1\nname: 1" + b":1" * 200_000 + b"\n",
    "base-60 float": b"format: trellis-framework/1\nname: 1" + b":1" * 6000 + b".5\n",
    "octal-looking": b"format: trellis-framework/1\nname: Backend\nslug: backend\nscale: [{name: 08}]\n",
}


@pytest.mark.parametrize("content", LOOKALIKES.values(), ids=LOOKALIKES)
def test_values_that_look_like_dates_or_numbers_are_read_as_text(content):
    started = time.perf_counter()
    with pytest.raises(formats.FrameworkFileError) as error:
        formats.parse(content)

    assert error.value.problems
    assert all(problem.line for problem in error.value.problems)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("content", LOOKALIKES.values(), ids=LOOKALIKES)
def test_the_admin_answers_them_with_a_400(as_user, hr, content):
    response = as_user(hr).post(
        reverse("admin:ladders_framework_import"),
        {"file": SimpleUploadedFile("framework.yml", content, content_type="application/yaml")},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("content, line, column, message", HOSTILE_YAML.values(), ids=HOSTILE_YAML)
def test_the_parser_refuses_it_with_line_and_column(content, line, column, message):
    started = time.perf_counter()
    with pytest.raises(formats.FrameworkFileError) as error:
        formats.parse(content)

    problem = error.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert message in problem.message
    assert time.perf_counter() - started < 1, "parsing must cost what the file's size says"


@pytest.mark.parametrize("content, line, column, message", HOSTILE_YAML.values(), ids=HOSTILE_YAML)
def test_the_admin_refuses_it_with_a_400(as_user, hr, content, line, column, message):
    response = as_user(hr).post(
        reverse("admin:ladders_framework_import"),
        {"file": SimpleUploadedFile("framework.yml", content, content_type="application/yaml")},
    )

    assert response.status_code == 400
    assert escape(f"line {line}, column {column}: {message}") in response.text
    assert not Framework.objects.exists()


@pytest.mark.parametrize("content, line, column, message", HOSTILE_YAML.values(), ids=HOSTILE_YAML)
def test_the_command_refuses_it(db, tmp_path, content, line, column, message):
    path = tmp_path / "framework.yml"
    path.write_bytes(content)
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_framework", str(path), stderr=err)

    assert f"framework.yml: line {line}, column {column}: {message}" in err.getvalue()
    assert not Framework.objects.exists()


def test_the_command_refuses_a_framework_file_over_its_size_limit(db, tmp_path):
    path = tmp_path / "huge.yml"
    path.write_bytes(b"#" * (2 * 1024 * 1024 + 1))

    with pytest.raises(CommandError, match="larger than 2 MB; raise the limit with --max-size"):
        call_command("import_framework", str(path))


def test_the_command_reads_a_framework_file_under_a_raised_limit(db, tmp_path):
    path = tmp_path / "ft.yml"
    path.write_bytes(FT_FILE.read_bytes())

    with pytest.raises(CommandError, match="larger than"):
        call_command("import_framework", str(path), "--max-size", "0.01")
    call_command("import_framework", str(path), "--max-size", "5", stdout=io.StringIO())

    assert Framework.objects.get().slug == "engineering"


# --- CSV exports -----------------------------------------------------------------------


def test_a_nul_byte_in_a_people_file_is_refused_with_line_and_column(db):
    text = "email,name,title\nada@example.com,Ada,Engineer\nbob@example.com,Bob,Eng\x00ineer\n"

    with pytest.raises(ImportFailed) as failed:
        people_import(source=text)

    problem = failed.value.problems[0]
    assert (problem.line, problem.column) == (3, "title")
    assert "character 4 is a NUL byte" in problem.message
    assert not User.objects.exists()


def test_a_nul_byte_in_a_column_the_import_ignores_does_not_matter(db):
    people_import(source="email,name,notes\nada@example.com,Ada,bad\x00byte\n")

    assert User.objects.get().name == "Ada"


def test_bad_utf8_in_a_people_file_is_refused_with_line_and_column(db):
    raw = "email,name\nada@example.com,Ada\nbob@example.com,Bj\u00f6rn\n".encode("latin-1")

    with pytest.raises(ImportFailed) as failed:
        people_import(source=io.BytesIO(raw))

    assert str(failed.value.problems[0]) == (
        "line 3: at character 19, byte 0xf6 is not UTF-8 text; save the file as UTF-8."
    )


def test_a_nul_byte_in_a_placements_file_is_refused(db, tmp_path, engineer):
    publish(formats.parse(FT_FILE.read_bytes()))
    path = tmp_path / "placements.csv"
    path.write_bytes(b"email,framework,level,effective_date,note\nengineer@example.com,engineering,senior-1,2025-01-01,x\x00\n")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_placements", str(path), stderr=err)

    assert "line 2, column note: character 2 is a NUL byte" in err.getvalue()
    assert not Placement.objects.exists()


@pytest.mark.parametrize("command", ["import_people", "import_placements"])
def test_the_csv_commands_refuse_a_file_over_their_size_limit(db, tmp_path, command):
    path = tmp_path / "export.csv"
    path.write_bytes(b"email,name\n" + b"x" * (1024 * 1024))

    with pytest.raises(CommandError, match=r"larger than 0\.5 MB; split it, or raise the limit with --max-size"):
        call_command(command, str(path), "--max-size", "0.5")


def test_the_default_csv_limit_is_twenty_megabytes(db, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"email,name\n" + b"a@example.com,A\n" * (21 * 1024 * 1024 // 16))

    with pytest.raises(CommandError, match="larger than 20 MB"):
        call_command("import_people", str(path))


def test_bad_utf8_after_a_byte_order_mark_is_placed_where_it_is(db):
    # Excel's "CSV UTF-8" starts every file with a byte-order mark.
    raw = b"\xef\xbb\xbfemail,name\nok@example.com,Ok\nbad@example.com,Caf\xe9\n"

    with pytest.raises(ImportFailed) as failed:
        people_import(source=io.BytesIO(raw))

    assert str(failed.value.problems[0]) == "line 3: at character 20, byte 0xe9 is not UTF-8 text; save the file as UTF-8."


def test_bad_utf8_on_the_first_line_after_a_byte_order_mark(db):
    with pytest.raises(formats.FrameworkFileError) as error:
        formats.parse(b"\xef\xbb\xbfname: caf\xe9\n")

    assert (error.value.problems[0].line, error.value.problems[0].column) == (1, 10)


@pytest.mark.parametrize("command", ["import_people", "import_placements", "import_framework"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "lots"])
def test_the_size_limit_must_be_a_number_of_megabytes(db, tmp_path, command, value):
    path = tmp_path / "file"
    path.write_bytes(b"email,name\n")

    with pytest.raises(CommandError, match="is not a number of megabytes greater than 0"):
        call_command(command, str(path), "--max-size", value)


def test_a_placement_note_too_long_to_store_is_refused_at_its_line(db, engineer):
    publish(formats.parse(FT_FILE.read_bytes()))
    text = "email,framework,level,effective_date,note\nengineer@example.com,engineering,senior-1,2025-01-01," + "n" * 301

    with pytest.raises(ImportFailed) as failed:
        placements_import(source=text)

    assert str(failed.value.problems[0]) == "line 2, column note: a note can have at most 300 characters."
    assert not Placement.objects.exists()
