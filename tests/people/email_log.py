"""An e-mail backend for a worker in another process: one line per message in a file a test reads.

Selected by the test settings from TRELLIS_TEST_EMAIL_BACKEND, writing to
TRELLIS_TEST_EMAIL_LOG. Each message takes a few milliseconds, as a mail
server's would, so a worker killed at some moment is killed mid-batch. With
TRELLIS_TEST_EMAIL_STOP_AFTER=N, the message after the Nth is never sent: the
backend writes "<log>.stopped" and hangs there, so a test can kill the
worker at a moment it knows, with e-mails still claimed and unsent.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

SECONDS_PER_MESSAGE = 0.005

_sent_here = 0


class FileLogEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        global _sent_here
        log = Path(settings.TRELLIS_TEST_EMAIL_LOG)
        stop_after = int(os.environ.get("TRELLIS_TEST_EMAIL_STOP_AFTER", "0") or 0)
        for message in email_messages:
            if stop_after and _sent_here >= stop_after:
                Path(f"{log}.stopped").write_text(str(_sent_here))
                time.sleep(600)
            time.sleep(SECONDS_PER_MESSAGE)
            with log.open("a") as out:
                out.write(f"{','.join(message.to)}\t{message.subject}\n")
            _sent_here += 1
        return len(email_messages)
