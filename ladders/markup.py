"""Expectation text as people write it: a small, safe Markdown subset.

Criteria and examples are one per line; within a line, *emphasis*,
**strong**, `inline code` and links ([words](https://…) or <https://…>)
are written as in Markdown. The lines themselves are the list. Nothing else
is interpreted: raw HTML is shown as text, and what markdown-it renders is
passed through nh3, which keeps only those few tags, only http(s) and mailto
links, and marks links as leading off the site. The source text is what is
stored, imported and exported; search reads the words without the markup.
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("zero").enable(["emphasis", "link", "backticks", "escape", "autolink"])
_TAGS = {"em", "strong", "code", "a"}
_TAG = re.compile(r"<[^>]+>")


@functools.lru_cache(maxsize=65536)
def inline_html(text: str) -> SafeString:
    """One line of expectation text as safe HTML (published text never changes, so it is kept)."""
    rendered = _markdown.renderInline(text)
    return mark_safe(  # noqa: S308 - cleaned by nh3 just now
        nh3.clean(
            rendered,
            tags=_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


@functools.lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """One line of expectation text as its words, without the markup (for search and highlighting)."""
    return html.unescape(_TAG.sub("", _markdown.renderInline(text)))
