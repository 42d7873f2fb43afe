"""`short_date` writes dates as Django's `date:"j M Y"` does, in the reader's time zone."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

TEMPLATE = Template('{% load ladders %}{{ value|short_date }}|{{ value|date:"j M Y" }}')


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"])
@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2025, 3, 4, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2024, 12, 31, 12, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 9, 1, 0, 15, tzinfo=datetime.UTC),
        datetime.date(2024, 2, 29),
    ],
)
def test_it_matches_djangos_date_format_in_every_zone(zone, value):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        ours, djangos = TEMPLATE.render(Context({"value": value})).split("|")
    assert ours == djangos


def test_it_leaves_a_missing_date_empty():
    assert TEMPLATE.render(Context({"value": None})).split("|")[0] == ""
