"""Forms of reviews, one module per domain; and how a service's refusal reaches a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def errors_to(form, error: ValidationError, aliases: dict[str, str] | None = None, *, besides: bool = False) -> None:
    """Put a service's ValidationError on the form: at the field it names (or the field
    `aliases` maps it to), or above the form. With `besides`, a field the form itself found
    wrong keeps its own message alone (the service saw it as missing)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            name = aliases.get(name, name)
            target = name if name in form.fields else None
            if besides and target is not None and target in form.errors:
                continue
            for problem in problems:
                form.add_error(target, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)
