"""The site served as in production: static files collected by CompressedManifestStaticFilesStorage and
served by WhiteNoise (hashed names, gzip/brotli copies, far-future Cache-Control).

pytest-django's live_server hands /static/ to Django's StaticFilesHandler before any middleware runs:
files found by the finders, uncompressed, without Cache-Control. Weighing pages there would measure a
server nobody deploys, so the weight test starts this one instead: the same WSGI application (every
middleware, WhiteNoise included) on a thread of its own, with crsv_mis/production.py's static settings.

Only the project's own static/ is collected: the product's pages use nothing else, and compressing the
admin's and the API browser's files takes minutes. A page that asked for a file not collected would fail
with a 500 (the manifest has no entry for it), not pass quietly.
"""

from contextlib import contextmanager

from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread

# crsv_mis/production.py's static settings, with STATIC_ROOT in a temporary folder.
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _no_static_handler(application):
    # LiveServerThread wraps the application in a static handler; here WhiteNoise does that job.
    return application


@contextmanager
def production_static_server(static_root):
    """Yields the base URL of a server of the whole site whose static files WhiteNoise serves from
    `static_root`, freshly collected there."""
    with override_settings(STATIC_ROOT=str(static_root), STORAGES=PRODUCTION_STORAGES,
                           WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False,
                           STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"]):
        call_command("collectstatic", interactive=False, verbosity=0)
        thread = LiveServerThread("127.0.0.1", _no_static_handler)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            thread.join()
