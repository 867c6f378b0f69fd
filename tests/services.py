"""Which outside services a test may use here: PostgreSQL, Redis, Debian's Chromium.

`make test` on a fresh clone runs on SQLite with eager Celery and no browser: a test marked as needing
one of them is skipped there, with the reason printed. `REQUIRE_SERVICES=1` (CI's PostgreSQL run) turns
every such skip into a failure, so a service missing in CI can never pass as green.
"""

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def required():
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


def missing(service):
    """Why `service` ("postgres", "redis", "browser") cannot be used here, or None when it can."""
    from django.conf import settings

    if service == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if service == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if service == "browser":
        if not CHROMIUM.exists():
            return f"needs {CHROMIUM} (apt-get install chromium)"
        if not os.access(CHROMIUM, os.X_OK):
            return f"needs {CHROMIUM} to be executable"
    return None
