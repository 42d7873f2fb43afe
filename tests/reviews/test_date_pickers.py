"""Date pickers offer only the days the rules take: a request's due date from today to 90
days on, an action's from today."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.models import Meeting
from reviews.services.oneonones import series_create
from tests.conftest import login


def test_a_requests_due_date_picker_starts_today_and_ends_in_90_days(engineer):
    page = login(engineer).get(reverse("reviews:request_new")).content.decode()
    today = timezone.localdate()
    assert f'min="{today.isoformat()}"' in page
    assert f'max="{(today + datetime.timedelta(days=90)).isoformat()}"' in page


def test_an_actions_due_date_picker_starts_today(manager, engineer):
    series = series_create(
        actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2), minutes=30, title=""
    )
    page = login(engineer).get(Meeting.objects.get(series=series).get_absolute_url()).content.decode()
    assert f'min="{timezone.localdate().isoformat()}"' in page
