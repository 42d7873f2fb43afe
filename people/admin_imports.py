"""Importing CSV files in the admin: upload, check, then confirm.

The check is the importer's own dry run, so the admin reads files exactly
as the commands do and says the same things about them. Between the check
and the confirmation the file is kept in the cache, and its hash and what
the check found are kept in the session; confirming applies that file, in
one transaction, and is refused when the file or what it would do has
changed since: a newer check in another tab, the check expired, or someone
changed the same people meanwhile (then the page shows the check again and
nothing is written).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from .csvimport import ImportFailed
from .textfiles import MEGABYTE, FileTooLarge, describe_size, read_limited

# A request imports what the admin takes: about 25,000 people. Larger
# exports go through the import commands, which take up to 20 MB.
ADMIN_CSV_MAX_BYTES = 4 * MEGABYTE
# How long a checked file waits for its confirmation.
CHECK_SECONDS = 60 * 60
# Rows shown per group on the check page; the counts always cover everything.
PREVIEW_ROWS = 300


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file")

    def __init__(self, *args, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content = read_limited(upload, ADMIN_CSV_MAX_BYTES)
        except FileTooLarge:
            raise ValidationError(
                f"The file is larger than {describe_size(ADMIN_CSV_MAX_BYTES)}. "
                "Import a larger export with the command line (see docs/imports.md)."
            ) from None
        return upload


@dataclass(frozen=True)
class CsvImport:
    """One kind of CSV import the admin offers."""

    key: str  # names its session entry and its page
    title: str
    template: str
    required: Sequence[str]
    optional: Sequence[str]
    # run(source=..., dry_run=..., actor=...) -> a report with summary() and outcome()
    run: Callable[..., Any]
    may_import: Callable[[HttpRequest], bool]
    done_url: str  # admin URL name to go to afterwards


class _Changed(Exception):
    def __init__(self, report):
        self.report = report


def _digest(data: bytes | dict) -> str:
    if isinstance(data, dict):
        data = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()


def _cache_key(token: str) -> str:
    return f"trellis:csv-import:{token}"


def checked_import_view(request: HttpRequest, model_admin, spec: CsvImport) -> HttpResponse:
    """The upload form, the check of a file, and its confirmation."""
    if not spec.may_import(request):
        raise PermissionDenied
    session_key = f"csv_import:{spec.key}"
    help_text = (
        f"UTF-8 CSV with a header row, at most {describe_size(ADMIN_CSV_MAX_BYTES)}. "
        f"Columns: {', '.join(spec.required)} (required); {', '.join(spec.optional)} (optional). "
        "Other columns are ignored."
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": spec.title,
        "spec": spec,
        "preview_rows": PREVIEW_ROWS,
        "preview_slice": f":{PREVIEW_ROWS}",
        "preview_minus": -PREVIEW_ROWS,
    }

    def page(status: int = 200, **extra) -> TemplateResponse:
        context.setdefault("form", CsvUploadForm(help_text=help_text))
        context.update(extra)
        if "report" in extra:
            context["has_changes"] = bool(extra["report"].created or extra["report"].updated)
        return TemplateResponse(request, spec.template, context, status=status)

    if request.method == "POST" and "confirm" in request.POST:
        stash = request.session.get(session_key)
        if not stash or not constant_time_compare(stash["token"], request.POST["confirm"]):
            return page(
                400,
                problems=[
                    "This check is no longer the current one: a file was checked again since (here or in another tab), "
                    "or it was imported already. Nothing was written. Upload the file again."
                ],
            )
        content = cache.get(_cache_key(stash["token"]))
        if content is None or _digest(content) != stash["sha256"]:
            return page(
                400,
                filename=stash["name"],
                problems=["The checked file is no longer kept (checks last an hour). Nothing was written. Upload it again."],
            )
        try:
            with transaction.atomic():
                report = spec.run(source=io.BytesIO(content), dry_run=False, actor=request.user)
                if _digest(report.outcome()) != stash["outcome"]:
                    raise _Changed(report)
        except _Changed as changed:
            # What the file would do now, as a new check to confirm.
            changed.report.dry_run = True
            token = _keep(request, session_key, stash["name"], content, changed.report)
            return page(
                409,
                filename=stash["name"],
                report=changed.report,
                token=token,
                changed_since=True,
            )
        except ImportFailed as exc:
            request.session.pop(session_key, None)
            return page(400, filename=stash["name"], problems=exc.problems)
        request.session.pop(session_key, None)
        cache.delete(_cache_key(stash["token"]))
        model_admin.message_user(request, f"{stash['name']}: {report.summary()}", messages.SUCCESS)
        return HttpResponseRedirect(reverse(spec.done_url))

    bound = request.method == "POST"
    form = CsvUploadForm(request.POST if bound else None, request.FILES if bound else None, help_text=help_text)
    context["form"] = form
    if not bound or not form.is_valid():
        return page(400 if bound else 200)
    upload = form.cleaned_data["file"]
    # A new check replaces the one before: confirming that one now is refused.
    request.session.pop(session_key, None)
    try:
        report = spec.run(source=io.BytesIO(form.content), dry_run=True, actor=request.user)
    except ImportFailed as exc:
        return page(400, filename=upload.name, problems=exc.problems)
    token = _keep(request, session_key, upload.name, form.content, report)
    return page(filename=upload.name, report=report, token=token)


def _keep(request: HttpRequest, session_key: str, name: str, content: bytes, report) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_cache_key(token), content, timeout=CHECK_SECONDS)
    request.session[session_key] = {
        "token": token,
        "name": name,
        "sha256": _digest(content),
        "outcome": _digest(report.outcome()),
    }
    return token
