"""Settings for CRSV MIS, driven by the environment.

This module is the embedded default (SQLite, eager Celery) used by `make demo`
and a bare `make test`. `crsv_mis.production` tightens it for deployments.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-only-secret-key-do-not-deploy"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

# Field encryption: comma-separated Fernet keys, newest first. There is no default: nothing that
# encrypts or decrypts survivor data runs without real keys (crsv_mis/encryption.py). `make demo`
# keeps a generated local key of its own.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()]
# The audit chain's HMAC key, apart from the field keys and SECRET_KEY and never stored in the
# database: whoever controls the database cannot re-seal a chain they rewrote (crsv_mis/audit.py).
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "").strip()
# Where the signed checkpoints of the chain head are written, outside the database (a directory the
# database host and its owner cannot write); `verify_audit_chain` checks every one of them.
AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR", "").strip()

REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", "1800"))
MISSION_CODE = os.environ.get("MISSION_CODE", "DEMO")
# Reverse proxies in front of the app; their X-Forwarded-For hops are trusted for the audit trail.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "axes",
    "csp",
    "crsv_mis",
    "incidents",
    "mara",
    "referrals",
    "reporting",
    "lifecycle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crsv_mis.middleware.IdleSessionMiddleware",
    "crsv_mis.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crsv_mis.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crsv_mis.urls"
WSGI_APPLICATION = "crsv_mis.wsgi.application"

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
                "crsv_mis.context_processors.navigation",
                "referrals.context_processors.navigation",
                "lifecycle.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it, so that after PostgreSQL restarts the
        # first request of each process reconnects instead of failing on the dead connection.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction begins: two deferred transactions that both
    # read then write would deadlock, and SQLite fails one at once instead of waiting.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so tests that submit from several threads share one database.
    # One file per test process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"crsv-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crsv_mis.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle expiry: the cookie lives SESSION_IDLE_SECONDS and every request renews it; a page's own
# automatic reloads do not count as activity (crsv_mis.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Wrong passwords lock the account from the address they came from, for a while: guessing stops
# there, while the person signs in from their own address and nobody can lock another person out
# for good. Colleagues behind one office address keep signing in to their own accounts. The
# address is the audit trail's (only our own proxies' X-Forwarded-For hops are believed).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "crsv_mis.audit.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = [
    # Covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds them without it.
    "models.W040",
]

OTP_TOTP_ISSUER = "CRSV MIS"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["crsv_mis.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died (killed, out of memory) goes back to the queue instead of being
# acknowledged as failed, so another worker runs it (every task is idempotent). Redis hands an
# unacknowledged message to a worker again after the visibility timeout: longer than the longest task.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_SERIALIZER = "json"
# Seconds between two retries of the outbox's unsent tasks by one web or worker process (crsv_mis/outbox.py).
OUTBOX_RETRY_SECONDS = int(os.environ.get("OUTBOX_RETRY_SECONDS", "30"))
# An unsent task younger than this is left to the process that wrote it (it sends it right after commit).
OUTBOX_GRACE_SECONDS = int(os.environ.get("OUTBOX_GRACE_SECONDS", "10"))
CELERY_BEAT_SCHEDULE = {
    # Tasks a broker outage left in the outbox (the relay_outbox process keeps trying meanwhile).
    "relay-outbox": {"task": "crsv_mis.tasks.relay_outbox", "schedule": 60.0},
    # The audit chain's head, signed, outside the database: what was recorded before it cannot be
    # cut off unseen (crsv_mis/audit_checkpoints.py).
    "write-audit-checkpoint": {"task": "crsv_mis.tasks.write_audit_checkpoint", "schedule": 600.0},
    "escalate-unacknowledged-alerts": {"task": "incidents.tasks.escalate_unacknowledged_alerts", "schedule": 60.0},
    "watch-referral-deadlines": {"task": "referrals.tasks.watch_deadlines", "schedule": 300.0},
    # Overdue MARA action points: their officer is told once (the notification's key is the reminder's).
    "remind-overdue-action-points": {"task": "mara.tasks.remind_overdue_action_points", "schedule": 3600.0},
    # Counts: stale months every minute, the last 24 months every night, the quarter's draft report
    # on the first nights after a quarter ends (both idempotent).
    "refresh-stale-rollups": {"task": "reporting.tasks.refresh_stale_months", "schedule": 60.0},
    "recheck-recent-rollups": {"task": "reporting.tasks.recheck_recent_months",
                               "schedule": crontab(hour=1, minute=30)},
    "draft-quarterly-reports": {"task": "reporting.tasks.draft_quarterly_reports",
                                "schedule": crontab(hour=2, minute=0)},
    # Imports: files nobody came back to are not kept (incidents/imports/services.py).
    "drop-forgotten-import-files": {"task": "incidents.tasks.drop_forgotten_import_files",
                                    "schedule": crontab(hour=3, minute=0)},
    # Retention: plan what is due, anonymise what was listed long enough (lifecycle/retention.py).
    "apply-retention": {"task": "lifecycle.tasks.apply_retention", "schedule": crontab(hour=3, minute=15)},
    # Intake drafts hold survivor data: those left alone too long are deleted (incidents/drafts.py).
    "delete-expired-intake-drafts": {"task": "incidents.tasks.delete_expired_drafts",
                                     "schedule": crontab(hour=3, minute=30)},
}
# Minutes an URGENT alert may stay unacknowledged before it escalates to the SWPA.
# Days an import's kept file (and its to-fix file) waits for the person before it is deleted.
IMPORT_FILE_KEEP_DAYS = int(os.environ.get("IMPORT_FILE_KEEP_DAYS", "14"))
# Days an intake draft is kept after its last save before the nightly task deletes it.
INTAKE_DRAFT_KEEP_DAYS = int(os.environ.get("INTAKE_DRAFT_KEEP_DAYS", "30"))
ALERT_ESCALATION_MINUTES = int(os.environ.get("ALERT_ESCALATION_MINUTES", "30"))
# Test hook, 0 (off) in production: seconds report generation pauses after each step, so that the
# fault tests can kill a worker in the middle of it (tests/faults/test_report_survives_a_killed_worker.py).
REPORT_STEP_PAUSE_SECONDS = float(os.environ.get("REPORT_STEP_PAUSE_SECONDS", "0"))
SMALL_CELL_THRESHOLD = int(os.environ.get("SMALL_CELL_THRESHOLD", "5"))
# The de-identified data set holds no combination of quasi-identifiers shared by fewer rows than this
# (reporting/anonymity.py).
DEIDENTIFIED_K = int(os.environ.get("DEIDENTIFIED_K", "5"))
VERIFICATION_STANDARD = os.environ.get("VERIFICATION_STANDARD", "Reasonable grounds to believe")


def retention_limits(name, minimum, default, maximum):
    """RETENTION_<NAME>_DAYS="minimum,default,maximum" (days): the range the SWPA may set the
    mission's period in, and the period until they do."""
    raw = os.environ.get(f"RETENTION_{name.upper()}_DAYS", "")
    if raw.strip():
        minimum, default, maximum = (int(part) for part in raw.split(","))
    if not 1 <= minimum <= default <= maximum:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"RETENTION_{name.upper()}_DAYS needs 1 <= minimum <= default <= maximum.")
    return {"min": minimum, "default": default, "max": maximum}


# Retention per record class (lifecycle/retention.py). The defaults are a starting point for the
# mission's records officer, not a UN rule: case files long enough for justice follow-up, alerts
# (unverified signals) shorter, the audit trail long enough for oversight of who read what.
RETENTION_LIMITS = {
    "incidents": retention_limits("incidents", 5 * 365, 10 * 365, 30 * 365),
    "alerts": retention_limits("alerts", 365, 3 * 365, 10 * 365),
    "referrals": retention_limits("referrals", 2 * 365, 5 * 365, 15 * 365),
    "audit": retention_limits("audit", 2 * 365, 7 * 365, 30 * 365),
}
# Days a record must have been listed in the retention plan, without a legal hold, before it is
# anonymised: the SWPA sees everything before it goes.
RETENTION_NOTICE_DAYS = int(os.environ.get("RETENTION_NOTICE_DAYS", "14"))
# Records anonymised per transaction.
RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "200"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
                               if not os.environ.get("EMAIL_HOST") else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crsv-mis@localhost")
# Public address of the site, for links in e-mails (e.g. https://crsv.example.org).
SITE_URL = os.environ.get("SITE_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crsv_mis.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only. The browsable renderer builds its HTML forms by calling the views' serializers
    # outside their actions (an incident's write serializer fed the read instance, failing), past the
    # scoping and auditing those actions do; people read records on the pages, scripts in JSON.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "crsv_mis.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))

SPECTACULAR_SETTINGS = {
    "TITLE": "CRSV MIS API",
    "DESCRIPTION": "Incidents, parties and the gazetteer. Every list is scoped to the caller.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page describe every route and field of the API: for signed-in people and
    # token holders only (drf-spectacular serves them to anyone by default).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "crsv_mis.schema.any_of_for_layers"],
    "ENUM_NAME_OVERRIDES": {
        "VictimSexEnum": "incidents.choices.Sex",
        "PerpetratorSexEnum": "incidents.choices.PerpetratorSex",
        "PartyTypeEnum": "incidents.choices.PartyType",
        "DatePrecisionEnum": "incidents.choices.DatePrecision",
        "ConsentKindEnum": "incidents.choices.ConsentKind",
        "ConsentGivenByEnum": "incidents.choices.ConsentGivenBy",
        "VerificationStatusEnum": "incidents.choices.VerificationStatus",
    },
}

# No inline script anywhere; everything is served from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
