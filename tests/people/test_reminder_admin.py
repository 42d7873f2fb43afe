"""HR switch reminder rules on and off and set their days in the admin; the code says what each is."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import ReminderRule
from tests.people.factories import NotificationFactory
from tests.people.rules import Rules

RULES = reverse("admin:people_reminderrule_changelist")


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    rules.keep("ladders.assessment_draft")
    rules.add("tests.quiet", lambda days, now: [], days=42, name="Mentorship gone quiet")
    return rules


def change_url(rule: ReminderRule) -> str:
    return reverse("admin:people_reminderrule_change", args=[rule.pk])


def rule_row(key: str) -> ReminderRule:
    return ReminderRule.objects.get(key=key)


def test_hr_see_every_rule_of_the_code_with_what_it_does(as_user, hr, rules):
    ReminderRule.objects.filter(key="tests.quiet").delete()

    response = as_user(hr).get(RULES)

    assert response.status_code == 200
    page = response.text
    assert "Unfinished assessment draft" in page
    assert "The author of a draft assessment left untouched" in page
    assert "Days: days a draft is left untouched." in page
    # A rule new in the code shows with its default before anything ran.
    assert "Mentorship gone quiet" in page
    assert rule_row("tests.quiet").days == 42


def test_hr_do_not_see_rules_the_code_no_longer_has(as_user, hr, rules):
    gone = ReminderRule.objects.create(key="tests.gone", days=3)

    assert "tests.gone" not in as_user(hr).get(RULES).text
    assert as_user(hr).get(change_url(gone), follow=True).redirect_chain[-1][0] == reverse("admin:index")


def test_hr_change_a_rules_days_and_switch_it_off(as_user, hr, rules):
    as_user(hr).get(RULES)
    rule = rule_row("ladders.assessment_draft")

    page = as_user(hr).get(change_url(rule)).text
    assert "Days a draft is left untouched" in page
    response = as_user(hr).post(change_url(rule), {"days": "10"})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.enabled, rule.days) == (False, 10)
    assert rule.updated_at <= timezone.now()


@pytest.mark.parametrize("days", ["0", "366", "-3", "soon"])
def test_hr_cannot_set_days_out_of_range(as_user, hr, rules, days):
    as_user(hr).get(RULES)
    rule = rule_row("ladders.assessment_draft")

    response = as_user(hr).post(change_url(rule), {"enabled": "on", "days": days})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["days"]
    rule.refresh_from_db()
    assert rule.days == 7


def test_the_key_cannot_be_changed(as_user, hr, rules):
    as_user(hr).get(RULES)
    rule = rule_row("ladders.assessment_draft")

    as_user(hr).post(change_url(rule), {"key": "tests.other", "enabled": "on", "days": "7"})

    rule.refresh_from_db()
    assert rule.key == "ladders.assessment_draft"


def test_hr_cannot_add_or_delete_rules(as_user, hr, rules):
    as_user(hr).get(RULES)
    rule = rule_row("ladders.assessment_draft")
    client = as_user(hr)

    assert client.get(reverse("admin:people_reminderrule_add")).status_code == 403
    assert client.post(reverse("admin:people_reminderrule_delete", args=[rule.pk]), {"post": "yes"}).status_code == 403
    assert ReminderRule.objects.filter(pk=rule.pk).exists()


def test_an_engineer_cannot_open_the_rules(as_user, engineer, rules):
    response = as_user(engineer).get(RULES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_notifications_list_shows_the_rule_and_the_email(as_user, hr, engineer):
    NotificationFactory(
        recipient=engineer,
        title="Finish your self-assessment",
        rule="ladders.assessment_draft",
        subject="ladders.assessment:9",
        period="2026-11-02",
        email_sent_at=timezone.now(),
        email_attempts=1,
    )
    NotificationFactory(recipient=engineer, title="Waiting one", email_attempts=0)
    NotificationFactory(recipient=engineer, title="Failing one", email_attempts=2)

    page = as_user(hr).get(reverse("admin:people_notification_changelist")).text

    assert "ladders.assessment_draft" in page and "2026-11-02" in page
    assert "sent " in page
    assert "waiting" in page
    assert "to try again (2 tried)" in page
