"""The admin as a whole: Trellis's look and a way back, and times that are recorded, never typed."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse

from ladders.models import Framework, Placement
from tests.ladders.factories import assess, document, place, publish


@pytest.fixture
def client(hr, as_user):
    return as_user(hr)


def test_the_admin_wears_trellis_colours_and_leads_back_to_the_site(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    text = response.text
    assert "<title>Configure people and career frameworks | Trellis admin</title>" in text
    assert re.search(r'<img src="[^"]*img/trellis\.svg"', text)
    assert re.search(r'<span>Trellis</span>', text)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/admin\.css">', text)
    assert '>← Back to Trellis</a>' in text
    # The stylesheet comes after Django's dark mode, so its palette wins in both themes.
    assert text.index("dark_mode.css") < text.index("css/admin.css")


def test_the_admin_stylesheet_sets_the_palette_light_and_dark():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/admin.css")).read()
    for selector in ('html[data-theme="light"],\n:root', "@media (prefers-color-scheme: dark)", 'html[data-theme="dark"]'):
        assert selector in css
    for variable in ("--primary:", "--secondary:", "--header-bg:", "--link-fg:", "--body-bg:", "--button-bg:"):
        assert css.count(variable) == 3, variable
    assert "--primary: #2f6f52;" in css  # the brand green of trellis.css


@pytest.fixture
def rows(hr, engineer, manager):
    version = publish(document())
    place(engineer, version, "l2")
    assess(engineer, manager, version, "l2")
    return version


def _timestamp_inputs(html: str, names: list[str]) -> list[str]:
    return [name for name in names if re.search(rf'<(input|select|textarea)[^>]*name="{name}(_0|_1)?"', html)]


def test_no_admin_page_lets_anyone_type_a_time(client, rows):
    """Every add and change page of every model: a DateTimeField is shown, never an input."""
    checked = 0
    for model, model_admin in admin.site._registry.items():
        stamps = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        if not stamps:
            continue
        info = model._meta.app_label, model._meta.model_name
        urls = [reverse(f"admin:{info[0]}_{info[1]}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            try:
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk]))
            except NoReverseMatch:
                pass
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue  # no adding here, or nothing to change
            checked += 1
            assert _timestamp_inputs(response.text, stamps) == [], url
    assert checked >= 5


def test_a_framework_shows_when_it_was_created_but_not_as_a_field(client, rows):
    framework = Framework.objects.get()
    response = client.get(reverse("admin:ladders_framework_change", args=[framework.pk]))
    assert response.status_code == 200
    assert 'name="created_at' not in response.text
    assert "Created at" in response.text


def test_a_placement_shows_when_it_was_recorded_but_not_as_a_field(client, rows):
    placement = Placement.objects.get()
    response = client.get(reverse("admin:ladders_placement_change", args=[placement.pk]))
    assert response.status_code == 200
    assert 'name="created_at' not in response.text
