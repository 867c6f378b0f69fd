"""Fixtures of the fault tests: a Redis of the test's own that Celery and the cache use."""

import pytest
from kombu import pools

from crsv_mis.celery import app as celery_app
from tests.servers import OwnRedis


def _forget_broker_connections():
    # Producers and connections are pooled per broker URL in kombu's global registry: closing one pool
    # in place would leave the registry handing that closed pool to the next test on the same URL, so
    # the registry is emptied instead, and the next send opens a fresh pool for whichever URL is set.
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def own_redis(settings):
    """Celery's broker and result backend and the Django cache on a redis-server of this test's own
    (stopped and started by the test), with Celery not eager, whatever REDIS_URL says."""
    server = OwnRedis()
    server.start()
    previous = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}}
    celery_app.conf.update(broker_url=server.url, result_backend=server.url, task_always_eager=False)
    _forget_broker_connections()
    try:
        yield server
    finally:
        celery_app.conf.update(previous)
        _forget_broker_connections()
        server.remove()
