"""Reading HRIS exports: one CSV file, several importers, each taking its columns.

The reader only normalises headers and remembers line numbers; what a value
means is the importer's business. Every problem becomes an `ImportProblem`
naming the line and the column, and importers collect all of them before
writing anything.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from .textfiles import MEGABYTE, FileTooLarge, NotUTF8, decode_utf8, describe_size, megabytes, read_limited

# What the import commands read unless --max-size says otherwise: an HRIS
# export of 50,000 people with every column is about 8 MB.
CSV_MAX_BYTES = 20 * MEGABYTE


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ImportFailed(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: Sequence[ImportProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Row:
    line: int
    values: dict[str, str]
    present: frozenset[str] = field(default_factory=frozenset)

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def _normalise(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").replace("_", " ").split())


def read_rows(
    source: IO[str] | IO[bytes] | str,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    aliases: dict[str, str] | None = None,
    problems: list[ImportProblem] | None = None,
) -> tuple[list[Row], frozenset[str]]:
    """Return the data rows and the set of known columns the file has.

    Columns are matched case-insensitively, with spaces, dashes and
    underscores treated alike ("Manager Email" is `manager_email`). Columns
    this importer does not know are ignored, so one HRIS export can feed
    several importers.

    A file that cannot be read as a table (no header, a required column
    missing, broken quoting) fails at once. Problems of single cells are
    added to `problems` when the importer passes a list, so that it can go
    on checking the other lines and report everything in one round;
    without one they fail at once too.
    """
    if isinstance(source, str):
        # Text read with encoding="utf-8" (not "utf-8-sig") keeps Excel's BOM.
        text: IO[str] = io.StringIO(source.lstrip("\ufeff"))
    else:
        raw = source.read()
        if isinstance(raw, bytes):
            try:
                raw = decode_utf8(raw)
            except NotUTF8 as exc:
                # "Column" means a CSV column here, so the position is given in characters.
                raise ImportFailed(
                    [ImportProblem(exc.line, None, f"at character {exc.column}, {exc.reason}.")]
                ) from None
        text = io.StringIO(raw.lstrip("\ufeff"))

    required = list(required)
    known = set(required) | set(optional)
    aliases = aliases or {}
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([ImportProblem(1, None, "the file is empty.")]) from None
    except csv.Error as exc:
        raise ImportFailed([ImportProblem(1, None, f"not a CSV file ({exc}).")]) from None

    columns: list[str | None] = []
    seen: set[str] = set()
    collect = problems is not None
    cell_problems: list[ImportProblem] = problems if problems is not None else []
    header_problems: list[ImportProblem] = []
    for raw_name in header:
        name = _normalise(raw_name)
        name = aliases.get(name, name)
        if name in known:
            if name in seen:
                header_problems.append(ImportProblem(1, name, "this column appears twice."))
            seen.add(name)
            columns.append(name)
        else:
            columns.append(None)
    for name in required:
        if name not in seen:
            header_problems.append(ImportProblem(1, name, "this column is missing from the header."))
    if header_problems:
        raise ImportFailed(header_problems)

    rows: list[Row] = []
    present = frozenset(seen)
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                column: cell for column, cell in zip(columns, cells, strict=False) if column
            }
            for column, cell in values.items():
                if "\x00" in cell:
                    # PostgreSQL cannot store it; say so before anything is written.
                    cell_problems.append(
                        ImportProblem(
                            reader.line_num,
                            column,
                            f"character {cell.index(chr(0)) + 1} is a NUL byte, which cannot be stored; remove it.",
                        )
                    )
            rows.append(Row(line=reader.line_num, values=values, present=present))
    except csv.Error as exc:
        raise ImportFailed([*cell_problems, ImportProblem(reader.line_num, None, f"unreadable CSV ({exc}).")]) from None
    if cell_problems and not collect:
        raise ImportFailed(cell_problems)
    if not rows:
        raise ImportFailed([ImportProblem(None, None, "the file has a header but no rows.")])
    return rows, frozenset(seen)


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a date; write it as YYYY-MM-DD.") from None


class CsvImportCommand(BaseCommand):
    """`manage.py <import> FILE [--dry-run]` for an importer taking (source, dry_run).

    Subclasses set `help` and implement `run_import`; the report they return
    has a `summary()`.
    """

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--max-size",
            type=megabytes,
            default=CSV_MAX_BYTES / MEGABYTE,
            metavar="MB",
            help=f"refuse files larger than this many megabytes (default {describe_size(CSV_MAX_BYTES)})",
        )

    def run_import(self, *, source: IO[bytes], dry_run: bool) -> Any:
        raise NotImplementedError

    def handle(self, *args, file: str, dry_run: bool, max_size: float, **options):
        limit = int(max_size * MEGABYTE)
        try:
            with open(file, "rb") as handle:
                raw = read_limited(handle, limit)
            report = self.run_import(source=io.BytesIO(raw), dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        except FileTooLarge:
            raise CommandError(
                f"{file} is larger than {describe_size(limit)}; "
                "split it, or raise the limit with --max-size if it really is one export."
            ) from None
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s) found; nothing was imported.") from exc
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))
