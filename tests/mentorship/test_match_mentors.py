"""`manage.py match_mentors PROGRAM_SLUG [--dry-run]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mentorship.models import Round
from tests.mentorship import factories


def run(*args) -> str:
    out = StringIO()
    call_command("match_mentors", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_the_proposals_and_writes_nothing(world, engineer, outsider):
    factories.ask(engineer, world.program)
    output = run(world.program.slug, "--dry-run")
    assert "1 of 1 open requests matched" in output
    assert f"{engineer.name} ← {outsider.name}" in output and "covers 2 of 2 gaps" in output
    assert "Dry run: nothing was written." in output
    assert not Round.objects.exists()


def test_it_keeps_the_proposals_as_a_round_to_review(world, engineer, outsider):
    factories.ask(engineer, world.program)
    output = run(world.program.slug)
    round = Round.objects.get()
    assert round.status == Round.Status.READY and round.proposals.get().mentor == outsider
    assert f"{engineer.name} ← {outsider.name}" in output and round.get_absolute_url() in output


def test_it_names_the_programs_there_are(world):
    with pytest.raises(CommandError, match="No program 'nope'. Programs: mentoring."):
        run("nope")
