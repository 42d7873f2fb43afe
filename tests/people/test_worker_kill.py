"""A real Celery worker killed mid-batch loses no e-mail, and the one that takes over sends none twice.

A worker process of its own, on the real Redis broker and the test database
(which it opens through DATABASE_URL, so only on PostgreSQL: a SQLite test
database lives in this process's memory). Its e-mails go to a file, one line
each (tests/people/email_log.py). It is stopped dead, SIGKILL, with e-mails
still claimed and unsent, at a moment the test knows is not between a mail
server taking an e-mail and the row being marked sent: that instant is the
one where an e-mail can go out twice, and no test can make it vanish.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery_app import app
from people.models import Notification
from people.tasks import notification_emails_send, notifications_email_pending
from tests.people.factories import UserFactory

DELIVERIES = 300
STOP_AFTER = 40
LEASE_SECONDS = 2
CELERY = Path(sys.executable).parent / "celery"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and settings.REDIS_URL),
        reason="needs DATABASE_URL and REDIS_URL: a worker in another process must open the test database and broker",
    ),
]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def worker_env(log: Path, *, stop_after: int = 0) -> dict[str, str]:
    database = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database.geturl(),
        "REDIS_URL": settings.REDIS_URL,
        "TRELLIS_REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
        "TRELLIS_TEST_EMAIL_BACKEND": "tests.people.email_log.FileLogEmailBackend",
        "TRELLIS_TEST_EMAIL_LOG": str(log),
        "TRELLIS_TEST_EMAIL_STOP_AFTER": str(stop_after),
        "CELERY_SKIP_CHECKS": "1",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("CELERY_BROKER_URL", None)
    return env


def start_worker(queue: str, name: str, env: dict[str, str], output: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(CELERY), "-A", "config", "worker", "--pool=solo", "--queues", queue, "--hostname", f"{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.kill()
    worker.wait(10)


def forget_queue(queue: str) -> None:
    """The queue, and the message the killed worker held unacknowledged, which Redis would otherwise keep."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete(queue)
        for tag, payload in client.hgetall("unacked").items():
            if json.loads(payload)[-1] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


def emailed(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_email_and_sends_none_twice(tmp_path):
    people = UserFactory.create_batch(10)
    # Made a while ago, as if beat had been down: the safety net may take them.
    made = timezone.now() - datetime.timedelta(minutes=2)
    Notification.objects.bulk_create(
        Notification(
            recipient=people[n % len(people)],
            rule="tests.kill",
            subject=f"tests.thing:{n}",
            period="2026-11",
            title=f"Reminder {n}",
            created_at=made,
        )
        for n in range(DELIVERIES)
    )
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    queue = f"trellis-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "emails.log"
    first = second = None
    try:
        for start in range(0, DELIVERIES, 100):
            notification_emails_send.apply_async(args=[ids[start : start + 100]], queue=queue)

        first = start_worker(queue, "first", worker_env(log, stop_after=STOP_AFTER), tmp_path / "first.out")
        assert wait_for(lambda: Path(f"{log}.stopped").exists(), 60), (tmp_path / "first.out").read_text()
        # Mid-batch: 40 sent and marked, the rest of its hundred claimed and not sent.
        assert len(emailed(log)) == STOP_AFTER
        assert Notification.objects.filter(email_sent_at__isnull=False).count() == STOP_AFTER
        held = Notification.objects.filter(email_sent_at=None, email_lease_until__isnull=False).count()
        assert held == 100 - STOP_AFTER

        first.send_signal(signal.SIGKILL)
        first.wait(10)

        second = start_worker(queue, "second", worker_env(log), tmp_path / "second.out")
        # The other batches are still queued; what the dead worker held comes
        # back to the safety net once its lease has run out. Beat would run
        # the safety net every minute; here, every second.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Notification.objects.filter(email_sent_at=None).exists():
            notifications_email_pending.apply_async(queue=queue)
            time.sleep(1)
        assert not Notification.objects.filter(email_sent_at=None).exists(), (tmp_path / "second.out").read_text()
    finally:
        stop(first)
        stop(second)
        forget_queue(queue)

    lines = emailed(log)
    assert len(lines) == DELIVERIES
    assert len(set(lines)) == DELIVERIES
    assert {line.split("\t")[1] for line in lines} == {f"[Trellis] Reminder {n}" for n in range(DELIVERIES)}
    assert Notification.objects.filter(email_attempts=2).count() == 100 - STOP_AFTER
