"""The project as an operator meets it: settings, checks, migrations, services."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0-production-like-key-for-checks-only-xyz"


def example_environment(**overrides) -> dict:
    """The variables of .env.example, with the blanks an operator must fill filled."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "OIDC_"))}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    env["DJANGO_SECRET_KEY"] = SECRET
    env.update(overrides)
    return env


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deploy_checks_with_the_example_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=example_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_production_without_a_secret_key():
    env = example_environment()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_to_start_production_on_sqlite():
    result = manage("check", env=example_environment(DATABASE_URL="sqlite:////tmp/trellis.sqlite3"))
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_it_reads_the_single_sign_on_provider_from_the_environment():
    env = example_environment(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        OIDC_PROVIDER_ID="okta",
        OIDC_PROVIDER_NAME="Okta",
        OIDC_CLIENT_ID="client-123",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_SERVER_URL="https://example.okta.com",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    app = json.loads(result.stdout)["openid_connect"]["APPS"][0]
    assert app == {
        "provider_id": "okta",
        "name": "Okta",
        "client_id": "client-123",
        "secret": "s3cret",
        "settings": {"server_url": "https://example.okta.com"},
    }


def test_it_has_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_it_runs_on_the_database_it_was_given(db):
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_it_caches_in_redis_when_given_redis():
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "config.cache.RedisCache"
        assert settings.CELERY_BROKER_URL == os.environ["REDIS_URL"]
    else:
        assert settings.CELERY_BROKER_URL == "memory://"
    cache.set("trellis-test-key", "value", 30)
    assert cache.get("trellis-test-key") == "value"
    cache.set("trellis-test-key", "other", 30)
    assert cache.get("trellis-test-key") == "other"
    cache.delete("trellis-test-key")
    assert cache.get("trellis-test-key") is None


def test_it_answers_the_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize("path", ["/", "/ladders/", "/path/", "/team/", "/assessments/"])
def test_it_sends_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _local_settings(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", **extra)
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DEBUG, 'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_shows_the_site_as_people_see_it_unless_debug_is_asked_for():
    assert _local_settings() == [False, True]  # Trellis's own error pages; static files still served
    assert _local_settings(DJANGO_DEBUG="1") == [True, True]
