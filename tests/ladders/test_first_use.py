"""What a first-time user is told: nothing offered that cannot be done, nothing said that is not so."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import login
from tests.ladders.factories import document, place, publish


def test_someone_without_a_level_is_not_offered_a_self_assessment(hr):
    page = login(hr).get(reverse("ladders:assessments")).content.decode()
    assert "Assess yourself" not in page
    assert "you have no level on a published framework" in page


def test_someone_with_a_level_is(engineer):
    place(engineer, publish(document()), "l2")
    page = login(engineer).get(reverse("ladders:assessments")).content.decode()
    assert "Assess yourself" in page


def test_the_top_of_the_reporting_line_is_not_told_of_a_managers_assessment(skip_level, engineer):
    version = publish(document())
    place(skip_level, version, "l4")
    place(engineer, version, "l2")
    top = login(skip_level).get(reverse("ladders:my_path")).content.decode()
    assert "Start with a self-assessment below." in top and "your manager's assessment" not in top
    below = login(engineer).get(reverse("ladders:my_path")).content.decode()
    assert "your manager's assessment then becomes the agreed view" in below
