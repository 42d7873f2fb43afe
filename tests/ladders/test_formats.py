"""Reading and writing framework files: the FT job family, Trellis YAML, and what is wrong with a file."""

from __future__ import annotations

import re

import pytest
import yaml

from ladders import formats
from tests.ladders.factories import DATA, FT_FILE

FT_TEXT = FT_FILE.read_text()
DS_TEXT = (DATA / "data-science.yml").read_text()

# A small Trellis file whose line numbers the tests below rely on.
TRELLIS = """\
format: trellis-framework/1
slug: backend
name: Backend
scale:
  - name: Learning
  - name: Applying
  - name: Leading
tracks:
  - slug: ic
    name: Individual Contributor
  - slug: mgr
    name: Manager
levels:
  - code: b1
    title: Backend 1
    rung: 1
  - code: b2-ic
    title: Backend 2
    rung: 2
    tracks: [ic]
  - code: b2-mgr
    title: Backend Manager
    rung: 2
    tracks: [mgr]
areas:
  - slug: craft
    name: Craft
    competencies:
      - slug: code
        name: Code
        expectations:
          - level: b1
            proficiency: Learning
            criteria:
              - Writes   tested
                code.
          - level: b2-ic
            proficiency: 2
            criteria:
              - Reviews others' code.
            key: k-1
      - slug: delivery
        name: Delivery
        expectations:
          - level: b2-mgr
            proficiency: Leading
            criteria: [Plans the team's work.]
"""


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the n-th occurrence of `fragment`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


def replace_line(text: str, number: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    return "".join(lines)


def problems_of(text: str | bytes) -> list[formats.FileProblem]:
    with pytest.raises(formats.FrameworkFileError) as error:
        formats.parse(text)
    return error.value.problems


# --- The FT engineering framework ----------------------------------------------------------


@pytest.fixture(scope="module")
def ft_doc() -> dict:
    return formats.parse(FT_TEXT)


def test_it_reads_the_eight_ft_levels_in_order(ft_doc):
    assert [lv["code"] for lv in ft_doc["levels"]] == [
        "junior", "engineer", "senior-1", "senior-2-ic", "senior-2-pm", "principal-ic", "principal-pm", "tech-director",
    ]
    assert ft_doc["levels"][3]["title"] == "Senior Engineer 2 (Individual Contributor)"


def test_it_forks_the_ft_ladder_into_two_tracks_at_senior_2(ft_doc):
    assert [(t["slug"], t["name"]) for t in ft_doc["tracks"]] == [
        ("ic", "Individual Contributor"),
        ("pm", "People Manager"),
    ]
    placed = {lv["code"]: (lv["rung"], lv["tracks"]) for lv in ft_doc["levels"]}
    assert placed == {
        "junior": (1, ["ic", "pm"]),
        "engineer": (2, ["ic", "pm"]),
        "senior-1": (3, ["ic", "pm"]),
        "senior-2-ic": (4, ["ic"]),
        "senior-2-pm": (4, ["pm"]),
        "principal-ic": (5, ["ic"]),
        "principal-pm": (5, ["pm"]),
        "tech-director": (6, ["ic", "pm"]),
    }


def test_it_turns_ft_themes_into_nine_competencies_with_seventy_two_expectations(ft_doc):
    assert [a["slug"] for a in ft_doc["areas"]] == ["themes"]
    competencies = ft_doc["areas"][0]["competencies"]
    assert [c["slug"] for c in competencies] == [
        "planning-organising", "independent-working", "problem-solving-decision-making", "business-impact",
        "communication", "team-work", "curiosity-learning", "leadership", "technical",
    ]
    assert competencies[0]["name"] == "Planning and Organising"
    assert sum(len(c["expectations"]) for c in competencies) == 72
    # Every theme is described at every level, in ladder order.
    order = [lv["code"] for lv in ft_doc["levels"]]
    for competency in competencies:
        assert [e["level"] for e in competency["expectations"]] == order


def test_it_uses_the_ft_five_point_scale_in_order(ft_doc):
    assert [s["name"] for s in ft_doc["scale"]] == [
        "Awareness", "Foundational", "Working knowledge", "Practitioner", "Expert",
    ]


def test_it_keeps_ft_ids_as_expectation_keys(ft_doc):
    ids = re.findall(r"^  - id: ([0-9a-f-]{36})$", FT_TEXT, flags=re.M)
    keys = [e["key"] for c in ft_doc["areas"][0]["competencies"] for e in c["expectations"]]
    assert len(ids) == 72
    assert sorted(keys) == sorted(ids)
    first = ft_doc["areas"][0]["competencies"][0]["expectations"][0]
    assert (first["level"], first["key"]) == ("junior", "fb43098c-588c-421c-b87a-92b0bfd2ad7c")


def test_it_splits_a_numbered_ft_summary_into_criteria(ft_doc):
    technical = ft_doc["areas"][0]["competencies"][-1]
    by_level = {e["level"]: e for e in technical["expectations"]}
    assert by_level["engineer"]["criteria"] == [
        "Writes clear, easy to follow code, tests, and/or performs technical processes consistently and according to guidelines.",
        "Considers non-functional requirements in their work (accessibility, performance, security, reliability, observability etc.)",
        "Contributes to troubleshooting and resolving production incidents in their area.",
        "Knows how to use different diagnostic approaches to debug basic issues.",
    ]
    # Items separated by a blank line are still separate items.
    assert len(by_level["junior"]["criteria"]) == 2
    assert by_level["junior"]["criteria"][1].startswith("Uses tooling and systems at a basic level")
    assert by_level["engineer"]["proficiency"] == "Foundational"


def test_it_keeps_a_plain_ft_summary_as_one_criterion(ft_doc):
    planning = ft_doc["areas"][0]["competencies"][0]["expectations"][0]
    assert planning["criteria"] == [
        "Aware of how the team delivers and the best practices they use. Plans and delivers own work tasks."
    ]
    assert planning["proficiency"] == "Awareness"


def test_it_joins_wrapped_lines_of_an_ft_theme_summary(ft_doc):
    summary = ft_doc["areas"][0]["competencies"][0]["summary"]
    assert summary == (
        "Effectively manages activities within the available people, resources and keeps to expected or "
        "communicated timelines. Includes contributing to task break-down and estimating."
    )


def test_it_names_the_ft_framework_after_the_job_family(ft_doc):
    assert (ft_doc["slug"], ft_doc["name"]) == ("engineering", "Engineering")
    assert ft_doc["format"] == formats.FORMAT


def test_it_round_trips_the_ft_document_through_yaml(ft_doc):
    assert formats.parse(formats.dump(ft_doc)) == ft_doc


# --- What is wrong with an FT file ------------------------------------------------------------


def test_it_names_the_line_of_a_misspelt_ft_proficiency():
    number = line_of(FT_TEXT, "proficiency: Foundational", 3)
    problems = problems_of(replace_line(FT_TEXT, number, "Foundational", "Foundatonal"))
    assert len(problems) == 1
    assert problems[0].line == number
    assert problems[0].field.endswith(".proficiency")
    assert "'Foundatonal' is not one of" in problems[0].message
    assert str(problems[0]).startswith(f"line {number}, competencies[")


def test_it_names_the_line_of_an_unknown_level():
    number = line_of(FT_TEXT, "level: senior-1", 2)
    problems = problems_of(replace_line(FT_TEXT, number, "senior-1", "senior-9"))
    assert [(p.line, p.message) for p in problems] == [(number, "no level 'senior-9' in levels")]
    assert re.fullmatch(r"competencies\[\d+\]\.level", problems[0].field)


def test_it_names_the_line_of_a_duplicate_ft_competency_id():
    first = "fb43098c-588c-421c-b87a-92b0bfd2ad7c"
    number = line_of(FT_TEXT, "- id: 62046fd9-4d63-4cf0-9a39-ca85656440f3")
    problems = problems_of(replace_line(FT_TEXT, number, "62046fd9-4d63-4cf0-9a39-ca85656440f3", first))
    assert [(p.line, p.field) for p in problems] == [(number, "competencies[2].id")]
    assert f"competency id '{first}' is used twice (first at competencies[0].id)" == problems[0].message


def test_it_names_the_line_of_a_yaml_syntax_error():
    number = line_of(FT_TEXT, "theme: technical", 2)
    problems = problems_of(replace_line(FT_TEXT, number, "theme: technical", "theme: technical: yes"))
    assert len(problems) == 1
    assert problems[0].line == number
    assert problems[0].message.startswith("not valid YAML: mapping values are not allowed")
    assert str(problems[0]).startswith(f"line {number}: not valid YAML")


def test_it_names_the_line_of_an_unknown_top_level_ft_key():
    text = FT_TEXT + "owner: Platform team\n"
    problems = problems_of(text)
    assert [(p.line, p.field, p.message) for p in problems] == [(len(text.splitlines()), "owner", "unknown field")]


def test_it_reports_every_problem_of_an_ft_file_at_once():
    text = replace_line(FT_TEXT, line_of(FT_TEXT, "level: engineer", 1), "engineer", "enginer")
    text = replace_line(text, line_of(text, "proficiency: Expert", 1), "Expert", "Guru")
    problems = problems_of(text)
    assert {p.field.rsplit(".", 1)[1] for p in problems} == {"level", "proficiency"}


def test_it_refuses_an_ft_file_without_its_required_fields():
    text = FT_TEXT.replace("googleSheetId: 1GdndpZmqWHMDnniHEHSfuHsqkh8YtpFd22KnEjz_eAM\n", "")
    problems = problems_of(text)
    assert [(p.line, p.field, p.message) for p in problems] == [(1, "googleSheetId", "this field is required")]


# --- The Trellis format -------------------------------------------------------------------------


def test_it_reads_a_trellis_file_and_fills_the_defaults():
    doc = formats.parse(TRELLIS)
    assert doc["slug"] == "backend"
    assert [s["name"] for s in doc["scale"]] == ["Learning", "Applying", "Leading"]
    assert doc["levels"][0]["tracks"] == ["ic", "mgr"]  # no tracks: on every track
    code = doc["areas"][0]["competencies"][0]
    assert code["expectations"][0]["criteria"] == ["Writes tested code."]
    # A proficiency given by number becomes the name at that point of the scale.
    assert code["expectations"][1]["proficiency"] == "Applying"
    assert code["expectations"][1]["key"] == "k-1"
    assert code["expectations"][0]["key"] == ""
    assert doc["change_notes"] == "" and doc["summary"] == ""


def test_it_reads_bytes_with_a_byte_order_mark():
    assert formats.parse(b"\xef\xbb\xbf" + TRELLIS.encode()) == formats.parse(TRELLIS)


def test_it_writes_what_it_reads():
    doc = formats.parse(TRELLIS)
    text = formats.dump(doc)
    assert text.startswith("# Trellis career framework.")
    assert "summary: ''" not in text and "examples: []" not in text
    assert "  tracks: [ic, mgr]\n" in text
    assert formats.parse(text) == doc


def test_it_writes_the_data_science_file_as_it_is_shipped():
    assert formats.dump(formats.parse(DS_TEXT)) == DS_TEXT


def test_it_writes_multi_line_text_as_a_block():
    doc = formats.parse(TRELLIS)
    doc["summary"] = "First paragraph.\n\nSecond paragraph."
    text = formats.dump(doc)
    assert "summary: |-\n  First paragraph.\n\n  Second paragraph.\n" in text
    assert formats.parse(text)["summary"] == doc["summary"]


def test_it_names_a_missing_required_field():
    problems = problems_of(TRELLIS.replace("name: Backend\n", ""))
    assert [(p.line, p.field, p.message) for p in problems] == [(1, "name", "this field is required")]


def test_it_names_the_line_of_a_missing_field_in_a_level():
    problems = problems_of(TRELLIS.replace("    title: Backend 2\n", ""))
    assert [(p.line, p.field) for p in problems] == [(line_of(TRELLIS, "- code: b2-ic"), "levels[1].title")]


def test_it_names_the_line_of_an_unknown_field():
    text = TRELLIS.replace("    rung: 1\n", "    rung: 1\n    colour: red\n")
    problems = problems_of(text)
    assert [(p.line, p.field, p.message) for p in problems] == [(17, "levels[0].colour", "unknown field")]
    assert line_of(text, "colour: red") == 17


def test_it_names_the_line_of_an_unknown_track_on_a_level():
    problems = problems_of(TRELLIS.replace("    tracks: [ic]\n", "    tracks: [ic, design]\n"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (20, "levels[1].tracks[1]", "no track 'design' in tracks")
    ]


def test_it_names_the_line_of_two_levels_on_one_rung_of_a_track():
    problems = problems_of(TRELLIS.replace("    tracks: [mgr]\n", "    tracks: [ic, mgr]\n"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (line_of(TRELLIS, "rung: 2", 2), "levels[2].rung", "track 'ic' already has level 'b2-ic' on rung 2")
    ]


def test_it_names_the_line_of_an_unknown_proficiency_name():
    problems = problems_of(TRELLIS.replace("proficiency: Leading", "proficiency: Leeding"))
    assert [(p.line, p.field) for p in problems] == [
        (line_of(TRELLIS, "proficiency: Leading"), "areas[0].competencies[1].expectations[0].proficiency")
    ]
    assert problems[0].message == "'Leeding' is not on the scale (Learning, Applying, Leading)"


def test_it_refuses_a_proficiency_number_beyond_the_scale():
    problems = problems_of(TRELLIS.replace("proficiency: 2", "proficiency: 7"))
    assert [(p.line, p.message) for p in problems] == [
        (line_of(TRELLIS, "proficiency: 2"), "7 is not on the scale (Learning, Applying, Leading)")
    ]


def test_it_refuses_a_proficiency_that_is_neither_name_nor_number():
    problems = problems_of(TRELLIS.replace("proficiency: 2", "proficiency: [2]"))
    assert [(p.line, p.message) for p in problems] == [
        (line_of(TRELLIS, "proficiency: 2"), "[2] is neither a name from the scale nor a number")
    ]


def test_it_names_the_line_of_an_expectation_for_an_unknown_level():
    problems = problems_of(TRELLIS.replace("- level: b2-mgr", "- level: b9"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (line_of(TRELLIS, "- level: b2-mgr"), "areas[0].competencies[1].expectations[0].level", "no level 'b9' in levels")
    ]


def test_it_refuses_two_expectations_of_one_competency_at_one_level():
    problems = problems_of(TRELLIS.replace("- level: b2-ic", "- level: b1"))
    assert [(p.line, p.message) for p in problems] == [
        (line_of(TRELLIS, "- level: b2-ic"), "'code' already has an expectation for level 'b1'")
    ]


def test_it_names_the_line_of_a_duplicate_competency_slug():
    problems = problems_of(TRELLIS.replace("- slug: delivery", "- slug: code"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (
            line_of(TRELLIS, "- slug: delivery"),
            "areas[0].competencies[1].slug",
            "competency 'code' is used twice (first at areas[0].competencies[0])",
        )
    ]


def test_it_names_the_line_of_a_duplicate_level_code():
    problems = problems_of(TRELLIS.replace("- code: b2-mgr", "- code: b2-ic"))
    assert (line_of(TRELLIS, "- code: b2-mgr"), "levels[2].code") in [(p.line, p.field) for p in problems]


def test_it_refuses_a_file_that_is_not_a_mapping():
    problems = problems_of("- one\n- two\n")
    assert [(p.line, p.message) for p in problems] == [(1, "expected a mapping of fields at the top of the file")]


def test_it_refuses_an_empty_file():
    assert [p.line for p in problems_of("")] == [1]


def test_it_refuses_an_unknown_format_value():
    problems = problems_of(TRELLIS.replace("trellis-framework/1", "trellis-framework/2"))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (1, "format", "unknown format 'trellis-framework/2'; expected 'trellis-framework/1'")
    ]


def test_it_refuses_a_file_in_neither_format():
    problems = problems_of("name: Backend\nlevels: []\n")
    assert [(p.line, p.field) for p in problems] == [(1, "format")]
    assert "unknown file" in problems[0].message


def test_it_names_the_line_of_a_yaml_syntax_error_in_a_trellis_file():
    text = TRELLIS.replace("    tracks: [ic]\n", "    tracks: [ic\n")
    problems = problems_of(text)
    assert len(problems) == 1
    # PyYAML notices the unclosed list where the next key starts.
    assert problems[0].line == line_of(text, "- code: b2-mgr")
    assert problems[0].message.startswith("not valid YAML")


def test_it_refuses_bytes_that_are_not_utf8_naming_line_and_column():
    problems = problems_of(b"format: trellis-framework/1\nname: caf\xe9 \xe2\x82\xac\n")
    assert (problems[0].line, problems[0].column) == (2, 10)
    assert str(problems[0]) == "line 2, column 10: byte 0xe9 is not UTF-8 text; save the file as UTF-8"


def test_it_lists_every_problem_of_a_trellis_file():
    text = TRELLIS.replace("- level: b2-mgr", "- level: b9").replace("proficiency: Learning", "proficiency: Novice")
    problems = problems_of(text)
    assert sorted(p.line for p in problems) == [
        line_of(TRELLIS, "proficiency: Learning"),
        line_of(TRELLIS, "- level: b2-mgr"),
    ]
    # Each problem on its own line of the error's text, for a terminal.
    assert len(str(formats.FrameworkFileError(problems)).splitlines()) == 2


def test_it_dumps_yaml_that_safe_load_reads_back():
    doc = formats.parse(DS_TEXT)
    assert yaml.safe_load(formats.dump(doc))["levels"][3] == {
        "code": "dl3",
        "title": "Data Science Lead",
        "summary": "Leads a small team of data scientists and its priorities.",
        "rung": 3,
        "tracks": ["lead"],
    }


@pytest.mark.parametrize("old, new", [("slug: backend", 'slug: "backend\\n"'), ("code: b1", 'code: "b1\\n"')])
def test_it_refuses_an_address_part_ending_in_a_newline(old, new):
    # Such a slug or code would be published, then break every page linking to it.
    problems = problems_of(TRELLIS.replace(old, new, 1))
    assert [p.line for p in problems] == [line_of(TRELLIS, old)]


def test_it_refuses_a_rung_higher_than_the_database_holds():
    problems = problems_of(TRELLIS.replace("rung: 1", "rung: 999999999", 1))
    assert [p.line for p in problems] == [line_of(TRELLIS, "rung: 1")]
