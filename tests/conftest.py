"""Shared fixtures: a small fictional mission, one user per role, an incident factory; and the
services a test needs, by marker.

A test that needs PostgreSQL, Redis or a browser says so with a marker (`postgres`, `redis`, `e2e`;
the `faults` tests need the first two). On a machine where such a service is not configured (`make test`
on a fresh clone: SQLite, eager Celery) the test is skipped with its reason printed. With
`REQUIRE_SERVICES=1` (as CI runs the PostgreSQL suite) a missing service fails the test instead, so a
skip can never make that run green.
"""

import contextlib
import datetime
import importlib
import os
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connection, connections
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from kombu import Exchange, Queue

from crsv_mis import roles
from crsv_mis.celery import app as celery_app
from crsv_mis.models import DutyStation, Location, LocationLevel, Mission, Role, TOTPDevice, User
from incidents import services
from incidents.choices import CrsvFormCode
from incidents.models import FormOfViolence, Party, PartyAlias
from tests import services as test_services

PASSWORD = "correct-horse-battery-9"

# The tests' own fixed keys: the product has none by default (crsv_mis/encryption.py, audit.py).
# In the environment for the app processes some tests start; on the settings, which pytest-django
# loaded before this file.
TEST_KEYS = {"FIELD_ENCRYPTION_KEYS": "ZmCpn2bQ8hX0mVvR1t7yK3sLw9aE5dJ4uG6cN2oP8qI=",
             "AUDIT_CHAIN_KEY": "test-audit-chain-key-not-a-secret-3f9a1c"}
for _name, _value in TEST_KEYS.items():
    os.environ.setdefault(_name, _value)
if not django_settings.FIELD_ENCRYPTION_KEYS:
    django_settings.FIELD_ENCRYPTION_KEYS = [k.strip() for k in os.environ["FIELD_ENCRYPTION_KEYS"].split(",")]
if not getattr(django_settings, "AUDIT_CHAIN_KEY", ""):
    django_settings.AUDIT_CHAIN_KEY = os.environ["AUDIT_CHAIN_KEY"]


# Markers that name a service the test needs; the fault tests need PostgreSQL and Redis both.
SERVICE_MARKERS = {"postgres": ("postgres",), "redis": ("redis",), "e2e": ("browser",),
                   "faults": ("postgres", "redis")}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "faults" in item.path.parts:
            item.add_marker(pytest.mark.faults)
        elif "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)


def pytest_runtest_setup(item):
    needed = sorted({service for mark in item.iter_markers() for service in SERVICE_MARKERS.get(mark.name, ())})
    for service in needed:
        reason = test_services.missing(service)
        if reason is None:
            continue
        if test_services.required():
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(f"skipped: this test {reason} (REQUIRE_SERVICES=1 makes it a failure)")

# The audit trail's current triggers (0010 replaced those of 0004: only the retention erasure may update,
# and never the event's mission).
append_only = importlib.import_module("crsv_mis.migrations.0010_audit_event_mission")
reports_kept = importlib.import_module("reporting.migrations.0003_released_reports_never_deleted")
disclosures_kept = importlib.import_module("reporting.migrations.0005_disclosures_kept")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user and every test makes eleven.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    # A request of a French-speaking user leaves French active in the thread; the next test (a
    # management command, a service called directly) would otherwise run in French.
    yield
    translation.activate("en")


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def audit_trail_flushable(request):
    """Let the flush after a transactional test run on SQLite.

    The flush empties tables with DELETE, which the append-only trigger refuses on SQLite
    (PostgreSQL flushes with TRUNCATE, which row triggers do not see). Requesting the
    transactional database here makes this teardown run before the flush.
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor, sqlite_triggers_lifted(cursor):
        cursor.execute("DELETE FROM crsv_mis_auditevent")
        for table in ("reporting_reportfile", "reporting_reportjob", "reporting_quarterlyreport",
                      *disclosures_kept.KEPT_TABLES, "reporting_disclosure"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


@contextlib.contextmanager
def sqlite_triggers_lifted(cursor):
    """The SQLite triggers that keep the audit trail, released reports and disclosures, dropped for
    the block and created again after it."""
    kept = (append_only, reports_kept, disclosures_kept)
    for module in kept:
        for statement in module.SQLITE_REVERSE:
            cursor.execute(statement)
    try:
        yield
    finally:
        for module in kept:
            for statement in module.SQLITE:
                cursor.execute(statement)


@pytest.fixture
def gazetteer(db):
    country = Location.objects.create(level=LocationLevel.COUNTRY, name="Testland", pcode="TL")
    north = Location.objects.create(level=LocationLevel.ADMIN1, name="Northmark", pcode="TL01", parent=country)
    south = Location.objects.create(level=LocationLevel.ADMIN1, name="Southmark", pcode="TL02", parent=country)
    north_a = Location.objects.create(level=LocationLevel.ADMIN2, name="Ashdale", pcode="TL0101", parent=north)
    south_b = Location.objects.create(level=LocationLevel.ADMIN2, name="Birchford", pcode="TL0201", parent=south)
    hamlet = Location.objects.create(level=LocationLevel.LOCALITY, name="Quillby", pcode="TL010101", parent=north_a)
    return {"country": country, "north": north, "south": south, "north_a": north_a, "south_b": south_b,
            "hamlet": hamlet}


@pytest.fixture
def mission(gazetteer):
    # A transactional test's flush removes the rows the data migration added.
    for code in CrsvFormCode.values:
        FormOfViolence.objects.get_or_create(code=code)
    return Mission.objects.create(code="DEMO", name="Test mission", country=gazetteer["country"])


@pytest.fixture
def stations(mission, gazetteer):
    return {
        "north": DutyStation.objects.create(mission=mission, code="north", name="North office",
                                            location=gazetteer["north"]),
        "south": DutyStation.objects.create(mission=mission, code="south", name="South office",
                                            location=gazetteer["south"]),
    }


@pytest.fixture
def party(mission):
    party = Party.objects.create(mission=mission, name="Test Front", party_type="NON_STATE_ARMED_GROUP")
    PartyAlias.objects.create(party=party, name="TF")
    return party


def make_user(username, role, mission, stations=()):
    """An account with its role at once: a fixture stands for a role already approved."""
    with roles.without_approval():
        user = User.objects.create_user(username=username, password=PASSWORD, role=role, mission=mission,
                                        is_staff=role == Role.ADMIN)
        user.duty_stations.set(stations)
    return user


@pytest.fixture
def users(mission, stations):
    """One user per role; WPA/HRO/FIELD_REPORTER in the north office, a second HRO in the south."""
    north = [stations["north"]]
    return {
        "WPA": make_user("wpa", Role.WPA, mission, north),
        "HRO": make_user("hro", Role.HRO, mission, north),
        "HRO_SOUTH": make_user("hro_south", Role.HRO, mission, [stations["south"]]),
        "SWPA": make_user("swpa", Role.SWPA, mission),
        "MARA_CHAIR": make_user("mara_chair", Role.MARA_CHAIR, mission),
        "MARA_MEMBER": make_user("mara_member", Role.MARA_MEMBER, mission),
        "REFERRAL_FOCAL_POINT": make_user("focal", Role.REFERRAL_FOCAL_POINT, mission),
        "LEADERSHIP": make_user("leader", Role.LEADERSHIP, mission),
        "FIELD_REPORTER": make_user("reporter", Role.FIELD_REPORTER, mission, north),
        "ADMIN": make_user("admin", Role.ADMIN, mission),
        "AUDITOR": make_user("auditor", Role.AUDITOR, mission),
    }


def verified_login(client, user):
    """Log in as if password and TOTP had both been given."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login(client):
    def _login(user):
        return verified_login(client, user)
    return _login


def victim_data(**overrides):
    data = {
        "sex": "FEMALE", "age_years": 30, "age_group": "25-39", "displacement": "IDP", "disability": "NO",
        "name": "Testname Alpha", "contact": "+000 555 0100", "previously_interviewed_by": "",
        "consent_kinds": ["RECORD", "SHARE_MARA", "REFER", "FOLLOW_UP"],
        "consent_date": timezone.localdate() - datetime.timedelta(days=2),
        "consent_given_by": "SURVIVOR", "consent_decided_by": "",
    }
    data.update(overrides)
    return data


def incident_fields(station, location, **overrides):
    today = timezone.localdate()
    data = {
        "duty_station": station, "incident_date": today - datetime.timedelta(days=10),
        "incident_date_precision": "DAY", "incident_date_end": None,
        "reported_date": today - datetime.timedelta(days=3), "location": location,
        "coordinates": "1.2345,2.3456", "site_type": "FIELD_OR_FARM", "conflict_nexus": "PERPETRATOR_ARMED_ACTOR",
        "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
        "source_credibility": "2", "shared_under_isp": False,
        "narrative": "Synthetic narrative text for tests only.",
        "summary": "One woman reported an attack by armed men in Ashdale territory.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_incident(users, stations, gazetteer, party):
    def _make(station="north", by="WPA", victims=None, perpetrators=None, forms=("RAPE",), **overrides):
        station = stations[station]
        return services.create_incident(
            by=users[by], mission=station.mission,
            fields=incident_fields(station, overrides.pop("location", gazetteer["hamlet"]), **overrides),
            form_codes=list(forms),
            victims=victims or [victim_data()],
            perpetrators=perpetrators or [{"party": party, "party_type": party.party_type, "number": 2,
                                           "sex": "MALE"}],
        )
    return _make


@pytest.fixture(autouse=True)
def celery_join_allowed_again():
    """Celery's "never wait on a result inside a task" flag is one global of the process, set and
    reset around each eager task. Eager tasks sent from two threads at once (the concurrency tests)
    can interleave and leave it set, and a later test waiting on a task's result would be refused;
    each test starts and ends with it as a process outside any task has it."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
    _set_task_join_will_block(False)


def _close_worker_connections(**_kwargs):
    # The worker thread's own database connections, closed after each task so the test
    # database can be flushed and dropped (PostgreSQL refuses while they are open).
    connections.close_all()


@pytest.fixture
def celery_worker(settings):
    """A real Celery worker on Redis when Celery is not eager; nothing to start otherwise.

    The worker consumes a queue of its own, so a worker or a test run elsewhere on the same
    Redis can neither take these tasks nor hand this worker theirs.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if celery_app.conf.task_always_eager:
        yield None
        return
    queue = f"crsv-test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", queues=[queue],
                          loglevel="WARNING", shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)
        celery_app.conf.task_default_queue = previous
        # Remove the queue and its binding from Redis (declared, so kombu knows what to delete).
        with celery_app.connection_for_write() as conn:
            declared = Queue(queue, Exchange(queue), routing_key=queue)(conn.default_channel)
            declared.declare()
            declared.delete()
