"""`manage.py bench_matching`: generated data that obeys the rules, and the figures printed."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from mentorship.management.commands.bench_matching import organisation
from mentorship.matching import match


def test_it_times_scoring_the_solve_and_a_preview():
    out = io.StringIO()
    call_command("bench_matching", mentees=120, mentors=40, capacity=3, preview=30, stdout=out)
    text = out.getvalue()
    assert text.startswith("120 mentees × 40 mentors (capacity 3)")
    for label in ("scoring", "exact solve", "together", "peak memory"):
        assert re.search(rf"{label}\s+[\d,.]+ (s|MB)", text), label
    matched = int(re.search(r"([\d,]+) matched", text).group(1).replace(",", ""))
    assert 0 < matched <= 120
    assert re.search(r"preview of 30 with 10 mentors, explained: \d+ ms", text)


def test_the_generated_organisation_keeps_reporting_lines_apart():
    mentees, mentors = organisation(200, 60, 2)
    keys = {m.key for m in mentees}
    assert len(keys) == 200 and not keys & {m.key for m in mentors}
    result = match(mentees, mentors)
    chains = {m.key: m.chain for m in mentees} | {m.key: m.chain for m in mentors}
    for proposal in result.proposals:
        assert proposal.mentor not in chains[proposal.mentee] and proposal.mentee not in chains[proposal.mentor]
    assert any(m.chain for m in mentees)


@pytest.mark.parametrize("option", ["mentees", "mentors", "capacity", "preview"])
def test_sizes_below_one_are_refused(option):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("bench_matching", **{option: 0}, stdout=io.StringIO())
