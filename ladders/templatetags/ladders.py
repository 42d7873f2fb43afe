import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def prof(proficiency, label: str = ""):
    """A proficiency as a coloured chip: "3 · Working knowledge"."""
    if proficiency is None:
        return format_html('<span class="badge">Not rated</span>')
    prefix = f"{label} " if label else ""
    return format_html(
        '<span class="prof prof--{}" title="{}Proficiency {} of the scale">{}{} · {}</span>',
        proficiency.value,
        prefix,
        proficiency.value,
        prefix,
        proficiency.value,
        proficiency.name,
    )


@register.filter
def highlight(text: str, words) -> str:
    """Escape `text`, then mark every occurrence of the search words."""
    escaped = escape(text)
    terms = [re.escape(escape(w)) for w in words if w.strip()]
    if not terms:
        return mark_safe(escaped)
    pattern = re.compile("(" + "|".join(terms) + ")", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))


@register.filter
def gap_class(gap) -> str:
    if gap is None:
        return "cell--none"
    if gap <= 0:
        return "cell--met"
    return "cell--gap1" if gap == 1 else "cell--gap2"


@register.filter
def signed(value) -> str:
    if value is None:
        return "–"
    return f"+{value}" if value > 0 else str(value)
