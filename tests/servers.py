"""Servers of the tests' own, to stop and start: never the shared PostgreSQL (5432) or Redis (6379)."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import psycopg
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


def app_environment(database_name, **extra):
    """The environment of an app process (worker, gunicorn) of the tests: their database and `extra`
    (REDIS_URL, test hooks)."""
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database_name}",
        "DJANGO_SETTINGS_MODULE": "crsv_mis.settings",
        "CONN_MAX_AGE": "0",
        **extra,
    })
    return env


class CeleryWorkerProcess:
    """`celery -A crsv_mis worker` in a process group of its own, so that it can be SIGKILLed whole."""

    def __init__(self, env, log_path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self):
        celery = os.path.join(os.path.dirname(sys.executable), "celery")
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [celery, "-A", "crsv_mis", "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        log.close()

    def kill(self):
        """SIGKILL the worker and its pool processes at once, as a machine losing power would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class OwnPostgres:
    """A PostgreSQL cluster of the test's own (initdb into a temporary directory), on a free port, that a
    test may restart or stop. initdb and the server refuse to run as root: as root (CI), they run as
    the `postgres` system user, who owns the directory."""

    def __init__(self):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="crsv-postgres-")
        self.data = os.path.join(self.directory, "data")
        self.log = os.path.join(self.directory, "postgres.log")
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program, *args, check=True):
        command = [os.path.join(self.bin, program), *args]
        if os.geteuid() == 0:
            command = [shutil.which("runuser"), "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)  # noqa: S603

    def _answers(self):
        try:
            with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                                 connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def init(self):
        # Durability off: a test cluster, nothing to keep if the machine stops.
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                       f"'{self.directory}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 40\nshared_buffers = 32MB\n")

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")
        assert wait_for(self._answers, timeout=60), "postgres did not start"

    def restart(self, mode="fast"):
        """Stop (`fast`: sessions ended, `immediate`: the server killed, recovery at start) and start."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")
        assert wait_for(self._answers, timeout=60), "postgres did not start again"

    def remove(self):
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


class GunicornProcess:
    """`gunicorn crsv_mis.wsgi` (sync workers) in a process group of its own."""

    def __init__(self, env, log_path, workers=2):
        self.env, self.log_path, self.workers, self.process = env, log_path, workers, None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            [gunicorn, "crsv_mis.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers), "--timeout", "60", "--graceful-timeout", "5"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
