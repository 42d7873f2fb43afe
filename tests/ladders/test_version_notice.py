"""People hear once, through the reminder dispatcher, that a new version of their framework is out."""

from __future__ import annotations

import pytest

from ladders.services.frameworks import framework_import
from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from tests.ladders.factories import document, place, publish
from tests.people.rules import Rules


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    rules.keep("ladders.version_published")
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


def test_people_on_the_framework_hear_of_a_new_version_once(rules, engineer, peer, outsider):
    backend = publish(document(slug="backend"))
    other = publish(document(slug="frontend"))
    place(engineer, backend, "l2")
    place(peer, backend, "l1")
    place(outsider, other, "l1")
    reminders_dispatch()
    assert not Notification.objects.exists()  # a first version is nobody's news yet

    doc = document(slug="backend", levels=5)
    doc["change_notes"] = "Adds a fifth level for staff engineers."
    framework_import(document=doc, publish=True)
    reminders_dispatch()
    reminders_dispatch()

    told = Notification.objects.filter(rule="ladders.version_published")
    assert sorted(told.values_list("recipient__email", flat=True)) == ["engineer@example.com", "peer@example.com"]
    notice = told.first()
    assert notice.title == "Backend version 2 is published"
    assert notice.body == "Adds a fifth level for staff engineers."
    assert notice.url == "/ladders/backend/diff/"
