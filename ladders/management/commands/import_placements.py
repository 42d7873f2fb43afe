from ladders.services.placements import placements_import
from people.csvimport import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Record where people stand from an HRIS CSV export. Columns: email, framework (slug or name), "
        "level (code), effective_date (YYYY-MM-DD), and optionally track and note. Other columns are "
        "ignored. Nothing is written if any line is wrong; a line for a date already recorded updates it."
    )

    def run_import(self, *, source, dry_run):
        return placements_import(source=source, dry_run=dry_run)
