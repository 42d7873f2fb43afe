import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ladders import formats
from ladders.services.frameworks import framework_import
from people.textfiles import MEGABYTE, FileTooLarge, describe_size, megabytes, read_limited


class Command(BaseCommand):
    help = (
        "Import a career framework from YAML: the Trellis format (docs/framework-format.md) or the "
        "FT job-family format. It lands in the framework's draft unless --publish is given. "
        "A file with any problem writes nothing; each problem names its line and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the YAML file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument("--publish", action="store_true", help="publish the imported version straight away")
        parser.add_argument("--slug", help="use this framework slug instead of the one in the file")
        parser.add_argument(
            "--max-size",
            type=megabytes,
            default=formats.MAX_BYTES / MEGABYTE,
            metavar="MB",
            help=f"refuse files larger than this many megabytes (default {describe_size(formats.MAX_BYTES)})",
        )

    def handle(self, *args, file: str, dry_run: bool, publish: bool, slug: str | None, max_size: float, **options):
        # The same rule as `slug` in the file (schemas/trellis-framework.schema.json).
        if slug is not None and not (re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and len(slug) <= 80):
            raise CommandError("--slug takes lower-case letters, digits and hyphens, such as ft-engineering.")
        limit = int(max_size * MEGABYTE)
        path = Path(file)
        try:
            with path.open("rb") as handle:
                raw = read_limited(handle, limit)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        except FileTooLarge:
            raise CommandError(
                f"{file} is larger than {describe_size(limit)}; raise the limit with --max-size if it really is one framework."
            ) from None
        try:
            document = formats.parse(raw)
        except formats.FrameworkFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported.") from exc
        if slug:
            document["slug"] = slug
        try:
            result = framework_import(document=document, publish=publish, dry_run=dry_run, source_name=path.name)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(f"{file}: {message}")
            raise CommandError("The framework cannot be published; nothing was imported.") from exc
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
