"""Servers of the tests' own, to stop and start: never the shared PostgreSQL (5432) or Redis (6379)."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

import redis


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout=30, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class OwnRedis:
    """A redis-server on a free port, in memory only, that a test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = tempfile.mkdtemp(prefix="crsv-redis-")

    def _answers(self):
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False

    def start(self):
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--daemonize", "yes", "--dir", self.directory,
                   "--logfile", os.path.join(self.directory, "redis.log")]
        subprocess.run(command, check=True)  # noqa: S603 - our own arguments
        assert wait_for(self._answers), "redis-server did not start"

    def stop(self):
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(port=self.port).shutdown(nosave=True)
        assert wait_for(lambda: not self._answers()), "redis-server did not stop"

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
