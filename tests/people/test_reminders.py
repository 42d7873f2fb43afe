"""Reminders: the registry of rules, and the dispatcher that makes each due reminder one notification."""

from __future__ import annotations

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config.celery_app import app as celery_app
from people import reminders, tasks
from people.models import Notification, ReminderRule
from people.reminders import Due, registered, rule
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from tests.conftest import in_thread
from tests.people.factories import NotificationFactory, UserFactory
from tests.people.rules import Rules, dues


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    return Rules(monkeypatch)


@pytest.fixture
def tasks_run_eagerly():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def created(runs, key: str) -> list[Due]:
    (run,) = [run for run in runs if run.key == key]
    assert not run.error, run.error
    return run.created


# --- The registry ----------------------------------------------------------------------


def test_it_knows_the_rules_the_apps_register():
    drafts = registered()["ladders.assessment_draft"]
    assert drafts.days == 7
    assert drafts.days_label == "days a draft is left untouched"
    assert drafts.name and drafts.description


def test_it_registers_a_finder_and_gives_it_back(rules):
    def finder(days, now):
        return []

    assert rule("tests.nothing", name="Nothing", description="Finds nothing.", days=3, days_label="days")(finder) is finder
    assert registered()["tests.nothing"].finder is finder
    assert registered()["tests.nothing"].days == 3


@pytest.mark.parametrize("key", ["", "nothing", "Tests.Nothing", "tests.", "tests.some thing", "x." + "y" * 64])
def test_it_refuses_a_key_that_is_not_app_dot_name(rules, key):
    with pytest.raises(ValueError):
        rule(key, name="Bad", description="", days=1, days_label="days")


@pytest.mark.parametrize("days", [0, 366, -1])
def test_it_refuses_days_out_of_range(rules, days):
    with pytest.raises(ValueError):
        rule("tests.bad_days", name="Bad", description="", days=days, days_label="days")


def test_it_refuses_a_second_finder_under_a_taken_key(rules):
    rules.add("tests.taken", lambda days, now: [])
    with pytest.raises(ValueError, match="already registered"):
        rules.add("tests.taken", lambda days, now: [])


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": ""},
        {"subject": "x" * 121},
        {"period": "x" * 33},
        {"title": ""},
        {"title": "x" * 201},
        {"url": "/" + "x" * 500},
    ],
)
def test_a_due_reminder_refuses_what_its_row_could_not_hold(fields):
    with pytest.raises(ValueError):
        Due(**{"recipient_id": 1, "subject": "tests.thing:1", "period": "2026-11", "title": "Hello", **fields})


def test_the_registry_is_put_back_after_a_test_that_changed_it():
    assert "tests.taken" not in registered()
    assert "tests.nothing" not in registered()
    assert "ladders.assessment_draft" in registered()


# --- The dispatcher ----------------------------------------------------------------------


def test_it_creates_one_notification_per_rule_subject_recipient_and_period(rules, engineer, peer):
    def finder(days, now):
        yield Due(recipient_id=engineer.pk, subject="tests.thing:1", period="2026-11", title="One")
        yield Due(recipient_id=engineer.pk, subject="tests.thing:1", period="2026-11", title="One again")
        yield Due(recipient_id=peer.pk, subject="tests.thing:1", period="2026-11", title="One, for the peer")
        yield Due(recipient_id=engineer.pk, subject="tests.thing:1", period="2026-12", title="One, next month")
        yield Due(recipient_id=engineer.pk, subject="tests.thing:2", period="2026-11", title="Two", url="/things/2/")

    rules.add("tests.things", finder)
    rules.add("tests.same_things", finder)

    runs = reminders_dispatch()

    assert len(created(runs, "tests.things")) == 4
    assert len(created(runs, "tests.same_things")) == 4  # another rule is another reminder
    assert Notification.objects.count() == 8
    two = Notification.objects.get(rule="tests.things", subject="tests.thing:2")
    assert (two.recipient, two.title, two.url, two.period) == (engineer, "Two", "/things/2/", "2026-11")
    assert two.email_sent_at is None and two.read_at is None


def test_running_again_creates_nothing(rules, engineer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))

    assert len(created(reminders_dispatch(), "tests.things")) == 3
    assert created(reminders_dispatch(), "tests.things") == []
    assert Notification.objects.count() == 3


def test_it_inserts_in_batches(rules, engineer, peer, django_assert_max_num_queries):
    count = dispatcher.BATCH_SIZE * 2 + 7
    rules.add("tests.many", lambda days, now: dues([engineer.pk, peer.pk], count=count))

    # A few per batch of 500 (SQLite splits an INSERT into a few), not per reminder.
    with django_assert_max_num_queries(60):
        runs = reminders_dispatch()

    assert len(created(runs, "tests.many")) == count
    assert Notification.objects.filter(rule="tests.many").count() == count
    assert sorted(pk for run in runs for pk in run.notification_ids) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )


def test_the_constraint_keeps_a_reminder_another_dispatcher_made_in_between(rules, engineer, monkeypatch):
    # As if a second dispatcher inserted the first two after this one looked.
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))
    for due in dues([engineer.pk], count=2):
        NotificationFactory(recipient=engineer, rule="tests.things", subject=due.subject, period=due.period)
    monkeypatch.setattr(dispatcher, "_existing", lambda rule, wanted: set())

    made = created(reminders_dispatch(), "tests.things")

    assert [due.subject for due in made] == ["tests.thing:2"]
    assert Notification.objects.count() == 3


def test_it_gives_the_finder_the_days_hr_set_and_the_time(rules, engineer):
    seen = []
    rules.add("tests.things", lambda days, now: seen.append((days, now)) or [], days=7)
    ReminderRule.objects.update_or_create(key="tests.things", defaults={"days": 12})
    at = timezone.now() - datetime.timedelta(hours=5)

    reminders_dispatch(now=at)

    assert seen == [(12, at)]


def test_it_makes_hr_a_row_for_each_rule_with_its_default_days(rules):
    ReminderRule.objects.all().delete()
    rules.add("tests.weekly", lambda days, now: [], days=7)
    rules.add("tests.monthly", lambda days, now: [], days=30)

    reminders_dispatch()
    reminders_dispatch()

    assert list(ReminderRule.objects.values_list("key", "days", "enabled")) == [
        ("tests.monthly", 30, True),
        ("tests.weekly", 7, True),
    ]


def test_a_rule_hr_switched_off_creates_nothing(rules, engineer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))
    rules.add("tests.others", lambda days, now: dues([engineer.pk], count=2, model="tests.other"))
    ReminderRule.objects.update_or_create(key="tests.things", defaults={"days": 7, "enabled": False})

    runs = reminders_dispatch()

    (off,) = [run for run in runs if run.key == "tests.things"]
    assert not off.enabled and off.created == []
    assert len(created(runs, "tests.others")) == 2
    assert not Notification.objects.filter(rule="tests.things").exists()


def test_it_skips_people_who_have_left(rules, engineer, peer):
    peer.is_active = False
    peer.save(update_fields=["is_active"])
    rules.add("tests.things", lambda days, now: dues([engineer.pk, peer.pk], count=4))

    made = created(reminders_dispatch(), "tests.things")

    assert {due.recipient_id for due in made} == {engineer.pk}
    assert set(Notification.objects.values_list("recipient", flat=True)) == {engineer.pk}


def test_a_dry_run_writes_nothing_and_says_what_it_would_create(rules, engineer, django_capture_on_commit_callbacks):
    ReminderRule.objects.all().delete()
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))
    reminders_dispatch()
    Notification.objects.filter(subject="tests.thing:0").delete()
    ReminderRule.objects.all().delete()

    with django_capture_on_commit_callbacks() as callbacks:
        runs = reminders_dispatch(dry_run=True)

    assert [due.subject for due in created(runs, "tests.things")] == ["tests.thing:0"]
    assert runs[0].notification_ids == []
    assert Notification.objects.count() == 2
    assert not ReminderRule.objects.exists()
    assert callbacks == []


def test_a_broken_rule_is_logged_and_the_others_still_run(rules, engineer, caplog):
    def broken(days, now):
        yield from dues([engineer.pk], count=1, model="tests.broken")
        raise RuntimeError("the finder fell over")

    rules.add("tests.broken", broken)
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=2))

    with caplog.at_level(logging.ERROR):
        runs = reminders_dispatch()

    (failed,) = [run for run in runs if run.key == "tests.broken"]
    assert failed.error == "RuntimeError: the finder fell over"
    assert len(created(runs, "tests.things")) == 2
    assert "Reminder rule tests.broken failed" in caplog.text


def test_it_emails_what_it_created_once_it_commits(
    rules, engineer, django_capture_on_commit_callbacks, tasks_run_eagerly
):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))

    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()
        assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch()

    assert sorted(m.subject for m in mail.outbox) == [f"[Trellis] Thing {n} needs you" for n in range(3)]
    assert not Notification.objects.filter(email_sent_at=None).exists()


def test_it_does_not_raise_when_the_broker_is_down(
    rules, engineer, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.notification_emails_send, "delay", down)
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=3))

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True) as callbacks:
        runs = reminders_dispatch()

    assert len(callbacks) == 1
    assert len(created(runs, "tests.things")) == 3
    assert "Could not queue the e-mails of 3 notifications" in caplog.text
    # The safety net sends them later.
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert tasks.notifications_email_pending() == 3


def test_the_beat_task_dispatches(rules, engineer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=2))

    assert tasks.reminders_dispatch() == 2
    assert tasks.reminders_dispatch() == 0


def test_beat_runs_the_dispatcher_every_two_minutes(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["people.tasks.reminders_dispatch"] == 120.0
    assert "people.tasks.notifications_email_pending" in schedule
    assert not any(task.startswith("ladders.") for task in schedule)


# --- Two dispatchers at once ------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_make_each_reminder_once(monkeypatch):
    people = [UserFactory().pk for _ in range(10)]
    # Both dispatchers ask the finder before either has inserted anything.
    together = threading.Barrier(2, timeout=10)

    def finder(days, now):
        together.wait()
        return dues(people, count=1000)

    rules = Rules(monkeypatch)
    rules.add("tests.race", finder)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    results = {}

    threads = [in_thread(reminders_dispatch, results, name) for name in ("first", "second")]
    for thread in threads:
        thread.join(30)

    made = [created(results[name], "tests.race") for name in ("first", "second")]
    assert Notification.objects.filter(rule="tests.race").count() == 1000
    assert len(made[0]) + len(made[1]) == 1000
    assert {due.subject for due in made[0]}.isdisjoint({due.subject for due in made[1]})


# --- manage.py dispatch_reminders --------------------------------------------------------------


def run_command(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("dispatch_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_command_says_what_it_would_send_and_sends_nothing_on_a_dry_run(rules, engineer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=2), name="Things")

    output = run_command("--dry-run")

    assert "Things (tests.things, 7 days): would send 2" in output
    assert "  engineer@example.com: Thing 0 needs you" in output
    assert "Total: 2 reminders would be sent. Nothing was written (dry run)." in output
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_command_counts_a_private_rules_reminders_without_naming_anyone(rules, engineer, peer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=1), name="Things")
    rules.add("tests.secret", lambda days, now: dues([peer.pk], count=2), name="Secret", private=True)

    output = run_command("--dry-run")

    assert "Secret (tests.secret, 7 days): would send 2" in output and peer.email not in output
    assert "  engineer@example.com: Thing 0 needs you" in output


def test_the_command_sends_and_emails_once(rules, engineer):
    rules.add("tests.things", lambda days, now: dues([engineer.pk], count=2), name="Things")
    rules.add("tests.quiet", lambda days, now: [], name="Quiet", days=1)
    ReminderRule.objects.update_or_create(key="tests.off", defaults={"days": 3, "enabled": False})
    rules.add("tests.off", lambda days, now: dues([engineer.pk], count=5), name="Off")

    output = run_command()

    assert "Things (tests.things, 7 days): sent 2" in output
    assert "Quiet (tests.quiet, 1 day): sent 0" in output
    assert "Off (tests.off, 3 days): off" in output
    assert "Total: 2 reminders sent." in output
    assert "E-mails: 2 sent now." in output
    assert len(mail.outbox) == 2

    output = run_command()
    assert "Total: 0 reminders sent." in output
    assert len(mail.outbox) == 2


def test_the_command_reports_a_broken_rule(rules, engineer):
    def broken(days, now):
        raise LookupError("no such table")

    rules.add("tests.broken", broken, name="Broken")

    assert "Broken (tests.broken, 7 days): failed: LookupError: no such table" in run_command()


def test_the_registry_module_is_what_apps_import():
    # The mentorship app codes against exactly these names.
    assert {"Due", "Finder", "RuleKind", "rule", "registered"} <= set(vars(reminders))


def test_every_task_beat_runs_exists(settings):
    from config.celery_app import app

    app.loader.import_default_modules()
    missing = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks]
    assert missing == []
    assert "reviews.tasks.series_roll_due" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
