"""Production settings: refuse to start unsafe, pass `manage.py check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

for required in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "AUDIT_CHAIN_KEY", "AUDIT_CHECKPOINT_DIR"):
    if not os.environ.get(required, "").strip():
        raise ImproperlyConfigured(f"{required} must be set in production.")

from .settings import *  # noqa: E402,F403

# The chain key is a key of its own: one leaked secret must not also let the trail be re-sealed.
if AUDIT_CHAIN_KEY in {SECRET_KEY, *FIELD_ENCRYPTION_KEYS}:  # noqa: F405
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must differ from SECRET_KEY and FIELD_ENCRYPTION_KEYS.")

DEBUG = False
REQUIRE_2FA = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
