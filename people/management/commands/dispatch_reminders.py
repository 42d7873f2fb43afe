"""Run every reminder rule once, now: what beat does every two minutes, by hand."""

from django.core.management.base import BaseCommand

from people.models import User
from people.reminders import private_rules
from people.services import notification_emails_send, reminders_dispatch


class Command(BaseCommand):
    help = (
        "Create the notification of every reminder due now that has none yet, and send their e-mails. "
        "With --dry-run, only say what would be sent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Write and send nothing; list what would be sent.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        runs = reminders_dispatch(dry_run=dry_run)
        names = dict(
            User.objects.filter(pk__in={due.recipient_id for run in runs for due in run.created}).values_list(
                "pk", "email"
            )
        )
        verb = "would send" if dry_run else "sent"
        private = set(private_rules())
        for run in runs:
            head = f"{run.name} ({run.key}, {run.days} day{'' if run.days == 1 else 's'})"
            if not run.enabled:
                self.stdout.write(f"{head}: off")
                continue
            if run.error:
                self.stderr.write(f"{head}: failed: {run.error}")
            self.stdout.write(f"{head}: {verb} {len(run.created)}")
            if run.key in private:
                continue  # whom they reach is their recipients' alone: the count, not the names
            for due in run.created:
                self.stdout.write(f"  {names.get(due.recipient_id, due.recipient_id)}: {due.title}")
        total = sum(len(run.created) for run in runs)
        if dry_run:
            self.stdout.write(f"Total: {total} reminders would be sent. Nothing was written (dry run).")
            return
        self.stdout.write(f"Total: {total} reminders sent.")
        ids = [pk for run in runs for pk in run.notification_ids]
        # Their e-mails were also queued for the workers; whichever claims an
        # e-mail first sends it, so sending here never sends one twice.
        emailed = sum(notification_emails_send(notification_ids=ids[i : i + 100], limit=100) for i in range(0, len(ids), 100))
        if ids:
            rest = len(ids) - emailed
            self.stdout.write(
                f"E-mails: {emailed} sent now" + (f", {rest} left to the workers (queued)." if rest else ".")
            )
