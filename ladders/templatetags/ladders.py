import functools
import re

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from config.kept import Kept

from ..markup import inline_html, plain
from ..selectors.frameworks import published_fragments

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
def markdown(text: str) -> str:
    """A line of expectation text, its small Markdown subset rendered safely (see ladders.markup)."""
    return inline_html(text)


@register.filter
def without_markup(text: str) -> str:
    """A line of expectation text without its markup."""
    return plain(text)


@register.filter
def highlight(text: str, words) -> str:
    """Escape `text`, then mark every occurrence of the search words."""
    escaped = escape(text)
    terms = [re.escape(escape(w)) for w in words if w.strip()]
    if not terms:
        return mark_safe(escaped)
    pattern = re.compile("(" + "|".join(terms) + ")", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))


@register.filter(expects_localtime=True)
def short_date(value) -> str:
    """`{{ value|date:"j M Y" }}` (4 Mar 2025) for the rows of long lists, where
    Django's general date formatting cost more than the rest of the row."""
    if not value:
        return ""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year}"


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


class PublishedFragmentNode(template.Node):
    def __init__(self, nodelist, version, name: str, vary: list):
        self.nodelist, self.version, self.name, self.vary = nodelist, version, name, vary

    def render(self, context) -> str:
        version = self.version.resolve(context)
        key = (self.name, *(str(v.resolve(context)) for v in self.vary))
        return published_fragments.get_or_build(version, key, lambda: self.nodelist.render(context))


@register.tag
def published_fragment(parser, token):
    """{% published_fragment version "name" var … %}…{% endpublished_fragment %}

    Renders its content once per process for a published version and keeps
    it (a draft is rendered every time). The content must depend only on the
    version and on the variables named after the fragment's name, which
    become part of the key: nothing about the reader belongs inside.
    """
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a version and a name.")
    nodelist = parser.parse(("endpublished_fragment",))
    parser.delete_first_token()
    name = bits[2].strip("\"'")
    return PublishedFragmentNode(nodelist, parser.compile_filter(bits[1]), name, [parser.compile_filter(b) for b in bits[3:]])


_ID = 987_600_000_123  # stands for the id while a pattern is reversed


@functools.cache
def _pattern(name: str, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_ID]).partition(str(_ID))
    return head, tail


_rows: Kept[str] = Kept(8192)


def _frozen(row) -> None:
    params = getattr(row, "__dataclass_params__", None)
    if params is None or not params.frozen:
        # A model instance would be keyed by its id alone, and go stale.
        raise TypeError(f"kept rows need frozen dataclasses, not {type(row).__name__}.")


def _kept(template_name: str, values: dict, key: tuple) -> str:
    key = (template_name, key, timezone.get_current_timezone_name(), get_script_prefix())
    return _rows.get_or_build(key, lambda: render_to_string(template_name, values))


@register.simple_tag
def kept_row(template_name: str, row, *extra) -> str:
    """`row` rendered with `template_name`, once per process for the same values.

    `row` is a frozen dataclass holding every value the row shows (and
    `extra`, a few plain values such as which table it is in): the HTML is a
    function of them, the reader's time zone and the site's prefix, which
    make up the key, so a changed value renders afresh. The row template sees
    only `row` and `extra`: nothing else of the page can slip into a kept row.
    Fields declared with compare=False (work done only when rendering, such
    as a row's gaps) are left out of the key.
    """
    _frozen(row)
    return _kept(template_name, {"row": row, "extra": extra}, (row, extra))


@register.simple_tag
def kept_rows(template_name: str, rows, *extra) -> str:
    """Like kept_row, for all the rows of a table at once: `rows` in the template."""
    rows = tuple(rows)
    for row in rows:
        _frozen(row)
    return _kept(template_name, {"rows": rows, "extra": extra}, (rows, extra))


def kept_rows_clear() -> None:
    _rows.clear()


@register.simple_tag
def url_for(name: str, pk) -> str:
    """`{% url name pk %}` for an address with one id, reversed once per process:
    lists of hundreds of rows link every row."""
    head, tail = _pattern(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"
