"""A real Celery worker, on the broker the settings configure, sends a notification's e-mail.

Without REDIS_URL the broker is kombu's in-memory transport, which a worker
thread in this process can read; with REDIS_URL it is the real Redis.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import transaction

from config.celery_app import app
from people.models import Notification
from people.services import notification_send

TIMEOUT = 10.0


@pytest.fixture
def worker_app(monkeypatch):
    """The project's Celery app, ready for an embedded worker; put back afterwards."""
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    # The worker must not take over the root logger (and pytest's handlers) or
    # run Django's system checks again; tasks must really travel the broker.
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    saved = {key: app.conf[key] for key in ("worker_hijack_root_logger", "task_always_eager")}
    app.conf.worker_hijack_root_logger = False
    app.conf.task_always_eager = False
    # Nothing left on the queue by earlier runs or tests may be picked up.
    app.control.purge()
    yield app
    app.control.purge()
    app.conf.update(saved)


@pytest.fixture
def tasks_run():
    """(task name, args, thread) of every task run from now on, in this process."""
    runs: list[tuple[str, tuple, str]] = []

    def record(sender=None, args=None, **kwargs):
        runs.append((sender.name, tuple(args or ()), threading.current_thread().name))

    task_postrun.connect(record, weak=False)
    yield runs
    task_postrun.disconnect(record)


def wait_for(condition, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_emails_a_notification_once_it_is_committed(worker_app, tasks_run, engineer):
    # One scenario per worker: stopping the embedded worker on the in-memory
    # broker takes a few seconds (two 2-second polls), so it is started once.
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipient=engineer, title="Never happened")
        raise RuntimeError
    with transaction.atomic():
        notification = notification_send(
            recipient=engineer, title="Your manager shared an assessment", url="/assessments/1/"
        )

    # Committed and queued, but nothing has been sent: only a worker sends.
    assert mail.outbox == []
    assert Notification.objects.get(pk=notification.pk).email_sent_at is None

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=TIMEOUT):
        # Only the in-memory outbox is polled while the worker runs: the claim
        # is committed before the e-mail goes out, so it is there once the mail is.
        assert wait_for(lambda: len(mail.outbox) >= 1), "the worker sent no e-mail within 10 seconds"

    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["engineer@example.com"]
    assert mail.outbox[0].subject == "[Trellis] Your manager shared an assessment"
    assert mail.outbox[0].body.endswith("/assessments/1/")
    # It went through the broker to the worker's thread: the rolled-back
    # notification queued no task, and the test's thread ran none.
    assert [(name, args) for name, args, _ in tasks_run] == [
        ("people.tasks.notification_email_send", (notification.pk,))
    ]
    assert tasks_run[0][2] != threading.current_thread().name
