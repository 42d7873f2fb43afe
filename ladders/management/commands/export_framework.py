from django.core.management.base import BaseCommand, CommandError

from ladders import formats
from ladders.models import FrameworkVersion
from ladders.selectors.frameworks import version_export


class Command(BaseCommand):
    help = "Write a framework as Trellis YAML: the current published version unless --number says otherwise."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the framework's slug")
        parser.add_argument("--number", help="a version number, or 'draft'")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, slug: str, number: str | None, output: str | None, **options):
        versions = FrameworkVersion.objects.select_related("framework").filter(framework__slug=slug)
        if not versions.exists():
            raise CommandError(f"No framework with the slug {slug!r}.")
        if number == "draft":
            version = versions.filter(status=FrameworkVersion.Status.DRAFT).first()
        elif number:
            if not number.isdigit():
                raise CommandError("--number takes a number or 'draft'.")
            version = versions.filter(number=int(number)).first()
        else:
            version = versions.current()
        if version is None:
            raise CommandError(f"{slug} has no {'such version' if number else 'published version'}.")
        text = formats.dump(version_export(version))
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(self.style.SUCCESS(f"Wrote {version} to {output}."))
        else:
            self.stdout.write(text, ending="")
