from people.csvimport import CsvImportCommand
from people.services import people_import


class Command(CsvImportCommand):
    help = (
        "Create or update people from an HRIS CSV export. Columns: email, name, and any of "
        "title, manager_email, department, team, start_date (YYYY-MM-DD), timezone. "
        "Other columns are ignored. Nothing is written if any line is wrong."
    )

    def run_import(self, *, source, dry_run):
        return people_import(source=source, dry_run=dry_run)
