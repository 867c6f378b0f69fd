"""PostgreSQL restarted under load: requests in flight fail with the product's own 503 page (no
traceback, no debug page), in the person's language; once it is back, the same gunicorn serves again
without a restart (CONN_HEALTH_CHECKS replaces the dead kept connections); and no half-written incident
exists: each intake is one transaction, so every incident has its forms, victim, consents, perpetrator,
reference and audit event, and every incident a person was sent to exists.

A PostgreSQL cluster of the test's own (tests/servers.py: initdb, pg_ctl restart -m fast and -m
immediate), real gunicorn with kept connections (CONN_MAX_AGE=60) and a Redis of its own; concurrent
intake POSTs through the real login form, CSRF token and all.
"""

import json
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
import requests
from django.db import connection

from incidents.choices import ConsentKind
from tests.incidents.test_intake_page import intake_post
from tests.servers import GunicornProcess, OwnPostgres, OwnRedis, wait_for

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"
DATABASE = "crsv_restart"
SENDERS = 4
MAX_POSTS_PER_SENDER = 60  # bounded: the load stops by itself
ENGLISH_PAGE = "The database is restarting or out of reach"
FRENCH_PAGE = "La base de données redémarre ou est injoignable"
INCIDENT_URL = re.compile(r"^/incidents/(DEMO-\d{4}-\d{5})/$")

SEED = """
import json
from crsv_mis import roles
from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role, User
from incidents.choices import CrsvFormCode
from incidents.models import FormOfViolence, Party
for code in CrsvFormCode.values:
    FormOfViolence.objects.get_or_create(code=code)
country = Location.objects.create(level=LocationLevel.COUNTRY, name="Testland", pcode="TL")
north = Location.objects.create(level=LocationLevel.ADMIN1, name="Northmark", pcode="TL01", parent=country)
ashdale = Location.objects.create(level=LocationLevel.ADMIN2, name="Ashdale", pcode="TL0101", parent=north)
hamlet = Location.objects.create(level=LocationLevel.LOCALITY, name="Quillby", pcode="TL010101", parent=ashdale)
mission = Mission.objects.create(code="DEMO", name="Test mission", country=country)
station = DutyStation.objects.create(mission=mission, code="north", name="North office", location=north)
party = Party.objects.create(mission=mission, name="Test Front", party_type="NON_STATE_ARMED_GROUP")
for username, language in (("wpa_en", "en"), ("wpa_fr", "fr")):
    with roles.without_approval():
        user = User.objects.create_user(username=username, password=%(password)r, role=Role.WPA,
                                        mission=mission, language=language)
        user.duty_stations.set([station])
print(json.dumps({"station": station.pk, "location": hamlet.pk, "party": party.pk}))
"""


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=True)


@pytest.fixture
def cluster(django_db_setup):
    """The test's own PostgreSQL, holding a copy of the migrated test database (faster than migrating)."""
    server = OwnPostgres()
    server.init()
    server.start()
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres",
                         autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {DATABASE}")
    db = connection.settings_dict
    dump = subprocess.run(  # noqa: S603 - our own arguments
        ["pg_dump", "--format=custom", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),  # noqa: S607
         "-U", db["USER"], db["NAME"]], capture_output=True, check=True, timeout=300)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-p", str(server.port),  # noqa: S603,S607
                    "-U", "postgres", "-d", DATABASE], input=dump.stdout, check=True, capture_output=True, timeout=300)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def app(cluster, tmp_path):
    """gunicorn on the test's cluster: kept connections, health checks on (the default), no second
    factor (the login form alone, as in the load benchmark), a Redis of its own for the queued tasks."""
    redis_server = OwnRedis()
    redis_server.start()
    env = dict(os.environ)
    env.update({"DATABASE_URL": cluster.url(DATABASE), "DJANGO_SETTINGS_MODULE": "crsv_mis.settings",
                "REDIS_URL": redis_server.url, "REQUIRE_2FA": "0", "DEBUG": "0", "CONN_MAX_AGE": "60",
                "AXES_FAILURE_LIMIT": "1000"})
    env.pop("CONN_HEALTH_CHECKS", None)
    seeded = json.loads(manage(env, "shell", "-c", SEED % {"password": PASSWORD}).stdout.strip().splitlines()[-1])
    server = GunicornProcess(env, tmp_path / "gunicorn.log", workers=2)
    server.start()
    try:
        assert wait_for(lambda: _answers(server.url), timeout=120), (tmp_path / "gunicorn.log").read_text()
        yield SimpleNamespace(url=server.url, env=env, cluster=cluster, log=tmp_path / "gunicorn.log", **seeded)
    finally:
        server.stop()
        redis_server.remove()


def _answers(url):
    try:
        return requests.get(f"{url}/accounts/login/", timeout=10).status_code == 200
    except requests.RequestException:
        return False


def csrf_of(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def logged_in(url, username):
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=60).text
    response = session.post(f"{url}/accounts/login/", allow_redirects=False, timeout=60, headers={"Referer": url},
                            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_of(page)})
    assert response.status_code == 302, response.text[:500]
    session.get(f"{url}/", timeout=60)  # the language cookie of the person's saved language
    return session


def intake(app, marker):
    ids = SimpleNamespace(pk=app.station), SimpleNamespace(pk=app.location), SimpleNamespace(pk=app.party)
    return intake_post(*ids, summary=f"Synthetic load entry {marker}: one woman reported an attack.")


def post_intake(app, session, marker):
    data = {**intake(app, marker), "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    try:
        response = session.post(f"{app.url}/incidents/new/", data=data, allow_redirects=False, timeout=60,
                                headers={"Referer": app.url})
    except requests.RequestException as error:
        return {"marker": marker, "status": None, "error": type(error).__name__}
    return {"marker": marker, "status": response.status_code, "location": response.headers.get("Location", ""),
            "body": response.text, "retry_after": response.headers.get("Retry-After")}


def load(app, sessions, stop, results):
    """Each sender posts intakes one after another until told to stop (or its bound is reached)."""
    def sender(index, session):
        for n in range(MAX_POSTS_PER_SENDER):
            if stop.is_set():
                return
            results.append({**post_intake(app, session, f"{index}-{n}"), "sender": index})

    pool = ThreadPoolExecutor(max_workers=len(sessions))
    futures = [pool.submit(sender, i, s) for i, s in enumerate(sessions)]
    return pool, futures


def successes(results):
    return [r for r in results if r["status"] == 302]


def query(app, sql):
    with psycopg.connect(app.cluster.url(DATABASE).replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.django_db
def test_intakes_during_a_restart_fail_cleanly_leave_no_half_incident_and_the_server_serves_again(app):
    sessions = [logged_in(app.url, "wpa_fr" if i % 2 else "wpa_en") for i in range(SENDERS)]
    results, stop = [], threading.Event()
    pool, futures = load(app, sessions, stop, results)
    try:
        for mode in ("fast", "immediate"):
            already = len(successes(results))
            assert wait_for(lambda already=already: len(successes(results)) >= already + 2 * SENDERS, timeout=240)
            app.cluster.restart(mode)
        assert wait_for(lambda: len(successes(results)) >= already + 4 * SENDERS, timeout=240)
    finally:
        stop.set()
        for future in futures:
            future.result(timeout=120)
        pool.shutdown()

    failures = [r for r in results if r["status"] != 302]
    assert failures, "no request was in flight during the restarts: the test proved nothing"
    for result in successes(results):
        assert INCIDENT_URL.match(result["location"]), result["location"]
    for result in failures:
        assert result["status"] == 503, {**{k: result.get(k) for k in ("status", "error", "marker")},
                                         "body": (result.get("body") or "")[:2000]}
        page = result["body"]
        assert result["retry_after"] == "30"
        assert (FRENCH_PAGE if result["sender"] % 2 else ENGLISH_PAGE) in page
        assert "Traceback" not in page and "Request Method" not in page and "psycopg" not in page

    # Served again by the same gunicorn. Restarted once more while idle, with every worker holding a
    # kept connection: each first request reconnects (health check) instead of failing on the dead one.
    after = logged_in(app.url, "wpa_en")
    for _ in range(6):
        assert after.get(f"{app.url}/incidents/", timeout=60).status_code == 200
    app.cluster.restart("fast")
    for n in range(6):
        assert after.get(f"{app.url}/incidents/", timeout=60).status_code == 200
        assert post_intake(app, after, f"after-{n}")["status"] == 302

    # Nothing half-written: the counts of every part of an intake match the incidents, one by one.
    incidents = {ref: pk for pk, ref in query(app, "SELECT id, reference FROM incidents_incident")}
    for result in successes(results):
        assert INCIDENT_URL.match(result["location"]).group(1) in incidents
    incomplete = query(app, """
        SELECT i.reference,
               (SELECT count(*) FROM incidents_incident_forms f WHERE f.incident_id = i.id),
               (SELECT count(*) FROM incidents_victim v WHERE v.incident_id = i.id),
               (SELECT count(*) FROM incidents_consent c JOIN incidents_victim v ON v.id = c.victim_id
                 WHERE v.incident_id = i.id),
               (SELECT count(*) FROM incidents_perpetrator p WHERE p.incident_id = i.id),
               (SELECT count(*) FROM crsv_mis_auditevent a WHERE a.action = 'incident.create'
                 AND a.object_id = i.id::text)
        FROM incidents_incident i""")
    for reference, forms, victims, consents, perpetrators, created in incomplete:
        assert (forms, victims, consents, perpetrators, created) == (2, 1, len(ConsentKind.values), 1, 1), reference
    (numbered,), = query(app, "SELECT COALESCE(SUM(last), 0) FROM incidents_referencecounter")
    assert numbered >= len(incidents)
    markers = {m for (m,) in query(app, "SELECT summary FROM incidents_incident")}
    assert len(markers) == len(incidents)  # no intake recorded twice
    verify = subprocess.run([sys.executable, "manage.py", "verify_audit_chain"], cwd=ROOT, env=app.env,  # noqa: S603
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
