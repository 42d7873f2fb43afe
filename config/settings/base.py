"""Settings shared by every environment.

Every value that differs between machines is read from the environment here,
through django-environ, so a bad value fails at start-up rather than at the
first request that needs it. `.env.example` lists every variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file next to manage.py is optional; real environment variables win.
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# SECRET_KEY is set by each environment's module: production has no default.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where the site lives, used in links inside e-mails sent by Celery workers,
# which have no request to build an absolute URL from.
SITE_URL = env("TRELLIS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Database --------------------------------------------------------------
# SQLite is the embedded default so that `make run` needs no service;
# production and CI use PostgreSQL through psycopg 3.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the Celery worker and beat write to the same file:
    # WAL lets readers run beside a writer and IMMEDIATE transactions take the
    # write lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Django's backend, with a connection check that needs no query (see config.postgresql).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Pages run many short queries: PostgreSQL's JIT compiler, which starts on
    # any query whose estimate looks large, spends hundreds of milliseconds
    # to save a few. And the data is in memory or on SSD, where following an
    # index costs little more than reading in order (the default assumes disks).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env(
        "DATABASE_OPTIONS", default="-c jit=off -c random_page_cost=1.1"
    )
# The queries of every page that are compiled once (config.prepared) are
# also prepared once per connection by PostgreSQL. Off for a connection
# pooler that cannot keep prepared statements (PgBouncer before 1.21, or
# without max_prepared_statements in transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASE_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "config.postgresql":
    # Django's own cursors never prepare: only those that ask do, at once.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1_000_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional) ------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, keeping its client between calls (see config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "trellis",
        }
    }
else:
    # Without Redis the cache lives in files, so that login rate limits hold
    # across the web server's processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# Sessions are read from the cache on every request and written through to
# the database, so a cache restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Applications ----------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "auditlog",
    "people",
    "ladders",
    "mentorship",
    "reviews",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "people.middleware.AuditContextMiddleware",
    "people.middleware.TimezoneMiddleware",
    "people.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.context_processors.navigation",
            ],
        },
    }
]

# --- People and sign-in ----------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # allauth's, loading the signed-in person with what the page header shows.
    "people.backends.AuthenticationBackend",
    # Grants permissions only; it never authenticates anyone.
    "people.backends.HRAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "people.forms.LoginForm"}
SOCIALACCOUNT_ADAPTER = "people.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trellis] "
# Failed logins: 10 a minute from one address, 5 per account per 5 minutes.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("TRELLIS_LOGIN_RATE_LIMIT", default="10/m/ip,5/300s/key"),
}
# How many proxies in front of Trellis add the client's address to
# X-Forwarded-For (a TLS proxy: 1; a load balancer and a proxy: 2). Rate
# limits and the audit log take the address that many hops from the right;
# with 0 they take the connection's own address, and X-Forwarded-For, which
# anyone can send, is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRELLIS_TRUSTED_PROXIES", default=0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRELLIS_TRUSTED_PROXIES is a number of proxies: 0 or more.")

MFA_ADAPTER = "people.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Trellis"
# Trellis confirms no addresses (they come from HR), yet allauth records an
# unconfirmed one for whoever opens the e-mail page or signs in through SSO;
# two-factor set-up must not hinge on a confirmation that never comes.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# One OpenID Connect provider (Okta, Azure AD / Entra ID, Google Workspace…)
# configured entirely from the environment; see README "Single sign-on".
OIDC_PROVIDER_ID = env("OIDC_PROVIDER_ID", default="")
SOCIALACCOUNT_PROVIDERS: dict = {}
if OIDC_PROVIDER_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": OIDC_PROVIDER_ID,
                "name": env("OIDC_PROVIDER_NAME", default="Single sign-on"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env("OIDC_SERVER_URL")},
            }
        ],
    }
# Accounts normally come from the HRIS import or the admin. With this on, a
# first sign-in through the identity provider creates the account.
SSO_CREATES_ACCOUNTS = env.bool("SSO_CREATES_ACCOUNTS", default=False)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_ONLY = False

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TRELLIS_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- E-mail ----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Trellis <trellis@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# EMAIL_URL (smtp://user:password@host:587, consolemail://…) sets EMAIL_BACKEND,
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))

# --- Celery ----------------------------------------------------------------
# Without Redis, Celery uses Kombu's file-system transport: an embedded broker
# that needs no service, so the worker and beat of `make run` really run.
CELERY_DATA_DIR = Path(env("CELERY_DATA_DIR", default=str(BASE_DIR / "var" / "celery")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The transport expects its folders to exist; whichever process sends
    # or receives first (web, worker or beat) must not fail on a fresh clone.
    for _folder in ("queue", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
# Beat only says "look now"; each dispatcher finds what is due in the
# database and claims it atomically, so a second beat never sends twice.
CELERY_BEAT_SCHEDULE = {
    # Every reminder rule of every app (people.reminders), every two minutes.
    "people-dispatch-reminders": {
        "task": "people.tasks.reminders_dispatch",
        "schedule": 120.0,
    },
    # E-mails whose own task was lost, or whose sender died holding them.
    "people-send-pending-notification-emails": {
        "task": "people.tasks.notifications_email_pending",
        "schedule": 60.0,
    },
    # Matching rounds whose task never reached a worker (the broker was down).
    "mentorship-run-queued-rounds": {
        "task": "mentorship.tasks.rounds_queued_run",
        "schedule": 120.0,
    },
    # Mentorships past their end date and the program's grace period.
    "mentorship-complete-finished-relationships": {
        "task": "mentorship.tasks.relationships_complete_due",
        "schedule": 3600.0,
    },
    # 1:1 series whose upcoming meeting has started get their next one.
    "reviews-roll-series": {
        "task": "reviews.tasks.series_roll_due",
        "schedule": 300.0,
    },
    # Review cycles whose release day has come, once calibration is locked.
    "reviews-release-cycles": {
        "task": "reviews.tasks.cycles_release_due",
        "schedule": 3600.0,
    },
}

# --- Audit log -------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging ---------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Trellis ---------------------------------------------------------------
# Apps whose admin an HR admin may use in full (see people.backends).
HR_ADMIN_APP_LABELS = ["people", "ladders", "mentorship", "reviews", "auditlog"]
# A draft assessment untouched this many days earns its author one reminder:
# the default of the "ladders.assessment_draft" rule, which HR may change in the admin.
ASSESSMENT_DRAFT_REMINDER_DAYS = env.int("TRELLIS_ASSESSMENT_DRAFT_REMINDER_DAYS", default=7)
if not 1 <= ASSESSMENT_DRAFT_REMINDER_DAYS <= 365:
    raise ImproperlyConfigured("TRELLIS_ASSESSMENT_DRAFT_REMINDER_DAYS is a number of days from 1 to 365.")
# Seconds a sender holds a notification's e-mail before another may take it
# over: the longest a worker killed mid-batch delays what it had claimed.
REMINDER_LEASE_SECONDS = env.int("TRELLIS_REMINDER_LEASE_SECONDS", default=300)
if REMINDER_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("TRELLIS_REMINDER_LEASE_SECONDS is a number of seconds: 1 or more.")
# A loop's page warns its hiring manager when one interviewer would rate every
# focus competency of the kit; False leaves that hint out (see docs/interviews.md).
PANEL_HINT_SAME_RATER = env.bool("TRELLIS_PANEL_HINT_SAME_RATER", default=True)
