"""The cycle benchmark opens a cycle for everyone, reads its HR pages, and keeps nothing."""

from __future__ import annotations

import io

from django.core.management import call_command

from reviews.models import Cycle, Participant


def test_it_measures_and_keeps_nothing(db):
    call_command("seed_demo", employees=12, stdout=io.StringIO())
    before = (Cycle.objects.count(), Participant.objects.count())
    out = io.StringIO()
    call_command("benchmark_cycle", stdout=out)
    text = out.getvalue()
    assert "A review cycle for 12 people" in text
    for step in ("open the cycle", "HR dashboard", "calibration"):
        assert step in text
    assert (Cycle.objects.count(), Participant.objects.count()) == before
