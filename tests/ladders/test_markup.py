"""Expectation text in a small, safe Markdown subset: rendered on pages, searched by its words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ladders.markup import inline_html, plain
from ladders.models import Expectation
from ladders.selectors.frameworks import version_export
from tests.conftest import login
from tests.ladders.factories import document, publish


def test_it_renders_emphasis_code_and_links():
    assert inline_html("Leads **incident** reviews with *care*, runs `make test`") == (
        "Leads <strong>incident</strong> reviews with <em>care</em>, runs <code>make test</code>"
    )
    assert inline_html("See [the guide](https://example.org/guide)") == (
        'See <a href="https://example.org/guide" rel="noopener noreferrer nofollow">the guide</a>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "**<b onmouseover=alert(1)>bold</b>**",
    ],
)
def test_no_script_or_script_link_survives(text):
    rendered = inline_html(text).lower()
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"', rendered)
    assert all(href.startswith(("http://", "https://", "mailto:")) for href in hrefs), hrefs
    # Anything else is text: escaped, never an element or an attribute.
    assert "<script" not in rendered and "<img" not in rendered and "<b " not in rendered
    assert set(re.findall(r"<([a-z]+)", rendered)) <= {"a", "em", "strong", "code"}


def test_the_words_are_read_without_the_markup():
    assert plain("Leads **incident** reviews, see [the guide](https://example.org)") == "Leads incident reviews, see the guide"
    assert plain("Uses `a < b` & more") == "Uses a < b & more"


@pytest.fixture
def marked(db):
    doc = document(slug="marked", levels=2, competencies=1)
    doc["areas"][0]["competencies"][0]["expectations"][0]["criteria"] = [
        "Leads **incident** reviews; see [runbook](https://example.org/runbook)",
        "Never <script>alert('x')</script> runs [bad](javascript:alert(1))",
    ]
    return publish(doc)


def test_a_level_page_shows_the_markup_rendered_and_safe(marked, engineer):
    page = login(engineer).get(reverse("ladders:level", args=["marked", "l1"]))
    content = page.content.decode()
    assert "Leads <strong>incident</strong> reviews" in content
    assert '<a href="https://example.org/runbook" rel="noopener noreferrer nofollow">runbook</a>' in content
    assert "<script>alert" not in content and 'href="javascript:' not in content
    assert "&lt;script&gt;" in content  # shown as text


def test_search_matches_words_not_markup(marked, engineer):
    client = login(engineer)
    found = client.get(reverse("ladders:search") + "?q=incident reviews")
    assert "Leads <mark>incident</mark> <mark>reviews</mark>" in found.content.decode()
    assert b"**" not in found.content
    nothing = client.get(reverse("ladders:search") + "?q=strong")
    assert "marked" not in nothing.content.decode().split("<main", 1)[1].split("</main>")[0].lower() or b"No expectation" in nothing.content


def test_imports_and_exports_keep_the_source_text(marked):
    exported = version_export(marked)
    criteria = exported["areas"][0]["competencies"][0]["expectations"][0]["criteria"]
    assert criteria[0] == "Leads **incident** reviews; see [runbook](https://example.org/runbook)"
    assert Expectation.objects.filter(criteria__contains="**incident**").exists()
