"""Forms of reviews, one module per domain; and how a service's refusal reaches a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def errors_to(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: at the field it names (or the field
    `aliases` maps it to), or above the form."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            name = aliases.get(name, name)
            target = name if name in form.fields else None
            for problem in problems:
                form.add_error(target, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)
