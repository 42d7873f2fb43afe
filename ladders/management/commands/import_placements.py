from django.core.management.base import BaseCommand, CommandError

from ladders.services.placements import placements_import
from people.csvimport import ImportFailed


class Command(BaseCommand):
    help = (
        "Record where people stand from an HRIS CSV export. Columns: email, framework (slug or name), "
        "level (code), effective_date (YYYY-MM-DD), and optionally track and note. Other columns are "
        "ignored. Nothing is written if any line is wrong; a line for a date already recorded updates it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            with open(file, "rb") as handle:
                report = placements_import(source=handle, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported.") from exc
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
