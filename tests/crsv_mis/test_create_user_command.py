import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crsv_mis.models import AuditEvent, DutyStation, Mission, Role, User

GOOD_PASSWORD = "Lantern-okapi-river-93"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


@pytest.fixture
def mission():
    return Mission.objects.create(code="MONUSCO", name="MONUSCO")


@pytest.fixture
def goma(mission):
    return DutyStation.objects.create(mission=mission, code="goma", name="Goma")


@pytest.fixture
def bunia(mission):
    return DutyStation.objects.create(mission=mission, code="bunia", name="Bunia")


def create_user(*args, **options):
    out = io.StringIO()
    call_command("create_user", *args, password_stdin=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_a_user_who_can_log_in_with_the_password_from_stdin(stdin, goma, bunia):
    stdin(GOOD_PASSWORD + "\n")

    output = create_user("amina", role="HRO", duty_stations=["goma", "bunia"])

    user = User.objects.get(username="amina")
    assert "amina" in output
    assert user.role == Role.HRO
    assert user.check_password(GOOD_PASSWORD)
    assert set(user.duty_stations.values_list("code", flat=True)) == {"goma", "bunia"}
    assert not user.is_staff


@pytest.mark.django_db
def test_it_gives_the_user_the_mission_of_the_duty_station(stdin, goma):
    stdin(GOOD_PASSWORD + "\n")

    create_user("amina", role="WPA", duty_stations=["goma"])

    assert User.objects.get(username="amina").mission == goma.mission


@pytest.mark.django_db
def test_it_falls_back_to_the_configured_mission_without_a_duty_station(stdin, settings, mission):
    settings.MISSION_CODE = "MONUSCO"
    stdin(GOOD_PASSWORD + "\n")

    create_user("lead", role="LEADERSHIP")

    assert User.objects.get(username="lead").mission == mission


@pytest.mark.django_db
def test_it_leaves_the_mission_empty_when_the_configured_mission_does_not_exist(stdin, settings):
    settings.MISSION_CODE = "NOWHERE"
    stdin(GOOD_PASSWORD + "\n")

    create_user("auditor", role="AUDITOR")

    assert User.objects.get(username="auditor").mission is None


@pytest.mark.django_db
def test_it_makes_an_admin_a_staff_member(stdin):
    stdin(GOOD_PASSWORD + "\n")

    create_user("root2", role="ADMIN")

    assert User.objects.get(username="root2").is_staff


@pytest.mark.django_db
def test_it_rejects_a_weak_password_and_says_why(stdin):
    stdin("short\n")

    with pytest.raises(CommandError) as excinfo:
        create_user("amina", role="HRO")

    message = str(excinfo.value)
    assert "too short" in message
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.django_db
def test_it_rejects_a_common_password(stdin):
    stdin("password1234\n")

    with pytest.raises(CommandError, match="too common"):
        create_user("amina", role="HRO")
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.django_db
def test_it_rejects_an_empty_stdin(stdin):
    stdin("")

    with pytest.raises(CommandError, match="No password"):
        create_user("amina", role="HRO")


@pytest.mark.django_db
def test_it_rejects_an_unknown_role_and_lists_the_valid_ones(stdin):
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError) as excinfo:
        create_user("amina", role="SHERIFF")

    message = str(excinfo.value)
    assert "SHERIFF" in message
    assert "MARA_CHAIR" in message and "FIELD_REPORTER" in message
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.django_db
def test_it_names_every_unknown_duty_station(stdin, goma):
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError) as excinfo:
        create_user("amina", role="HRO", duty_stations=["goma", "atlantis", "erewhon"])

    message = str(excinfo.value)
    assert "atlantis" in message and "erewhon" in message
    assert "goma" not in message
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.django_db
def test_it_rejects_a_duty_station_of_another_mission(stdin, goma):
    Mission.objects.create(code="MINUSCA", name="MINUSCA")
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError, match="goma"):
        create_user("amina", role="HRO", duty_stations=["goma"], mission="MINUSCA")
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.django_db
def test_it_refuses_an_existing_username_and_keeps_the_old_password(stdin):
    User.objects.create_user(username="amina", password=GOOD_PASSWORD, role=Role.HRO)
    stdin("Another-long-password-77\n")

    with pytest.raises(CommandError, match="already exists"):
        create_user("amina", role="ADMIN")

    user = User.objects.get(username="amina")
    assert user.check_password(GOOD_PASSWORD)
    assert user.role == Role.HRO


@pytest.mark.django_db
def test_it_records_the_creation_in_the_audit_trail_without_the_password(stdin):
    stdin(GOOD_PASSWORD + "\n")

    create_user("amina", role="HRO")

    event = AuditEvent.objects.get(action="user.create")
    assert event.detail["username"] == "amina"
    assert event.detail["role"] == "HRO"
    assert GOOD_PASSWORD not in str(event.detail)
