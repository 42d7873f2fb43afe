"""Text files people upload: a size limit before anything is read, and UTF-8 with positions.

HRIS exports and framework files arrive from spreadsheets, editors and other
systems. Whatever reads them first refuses a file over its size limit
without reading the rest, and names the line and column of the first byte
that is not UTF-8, so that the person can find it in their editor.
"""

from __future__ import annotations

import argparse
import codecs
import math
from typing import IO

MEGABYTE = 1024 * 1024


class FileTooLarge(ValueError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the file is larger than {describe_size(limit)}")


class NotUTF8(ValueError):
    def __init__(self, line: int, column: int, reason: str):
        self.line, self.column, self.reason = line, column, reason
        super().__init__(f"line {line}, column {column}: {reason}")


def describe_size(size: int) -> str:
    if size % MEGABYTE == 0:
        return f"{size // MEGABYTE} MB"
    return f"{size / MEGABYTE:.1f} MB"


def megabytes(value: str) -> float:
    """An argparse type for --max-size: a finite number of megabytes above 0."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of megabytes greater than 0")
    return number


def read_limited(handle: IO[bytes], limit: int) -> bytes:
    """The whole file, or FileTooLarge after reading one byte past `limit`."""
    raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise FileTooLarge(limit)
    return raw


def decode_utf8(raw: bytes) -> str:
    """Decode UTF-8 (a byte-order mark is dropped), or say where the first bad byte is."""
    # The mark is taken off first, so that positions count in the text itself.
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        line = body.count(b"\n", 0, exc.start) + 1
        # The column counts characters, as an editor does: what precedes the
        # bad byte on its line decoded cleanly.
        column = len(body[line_start : exc.start].decode("utf-8")) + 1
        byte = body[exc.start]
        raise NotUTF8(
            line, column, f"byte 0x{byte:02x} is not UTF-8 text; save the file as UTF-8"
        ) from None
