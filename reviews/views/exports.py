"""What the CSV downloads of review pages share."""

from __future__ import annotations


def csv_safe(value) -> str:
    """A cell a spreadsheet does not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.lstrip()[:1] in ("=", "+", "-", "@") or text[:1] in ("\t", "\r") else text
