import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crsv_mis import roles
from crsv_mis.models import AuditEvent, DutyStation, GrantState, Mission, Role, RoleGrant, User

GOOD_PASSWORD = "Lantern-okapi-river-93"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


@pytest.fixture
def mission():
    return Mission.objects.create(code="FICTA", name="FICTA")


@pytest.fixture
def alpha_ds(mission):
    return DutyStation.objects.create(mission=mission, code="alpha_ds", name="Alpha office")


@pytest.fixture
def beta_ds(mission):
    return DutyStation.objects.create(mission=mission, code="beta_ds", name="Beta office")


def create_user(*args, **options):
    out = io.StringIO()
    call_command("create_user", *args, password_stdin=True, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_a_user_who_can_log_in_with_the_password_from_stdin(stdin, alpha_ds, beta_ds):
    stdin(GOOD_PASSWORD + "\n")

    output = create_user("officer_a", role="LEADERSHIP", duty_stations=["alpha_ds", "beta_ds"])

    user = User.objects.get(username="officer_a")
    assert "officer_a" in output
    assert user.role == Role.LEADERSHIP
    assert user.check_password(GOOD_PASSWORD)
    assert set(user.duty_stations.values_list("code", flat=True)) == {"alpha_ds", "beta_ds"}
    assert not user.is_staff


@pytest.mark.django_db
def test_it_gives_a_missions_first_swpa_the_role_at_once_and_audits_it(stdin, mission):
    stdin(GOOD_PASSWORD + "\n")

    create_user("first_swpa", role="SWPA", mission="FICTA")

    assert User.objects.get(username="first_swpa").role == Role.SWPA
    assert AuditEvent.objects.get(action="role.bootstrap").detail == {"role": "SWPA", "mission": "FICTA"}


@pytest.mark.django_db
def test_it_only_asks_for_a_second_swpa_or_any_other_data_role(stdin, mission, alpha_ds):
    with roles.without_approval():
        User.objects.create_user(username="swpa", role=Role.SWPA, mission=mission)
    for username, role in (("second_swpa", "SWPA"), ("officer_a", "HRO")):
        stdin(GOOD_PASSWORD + "\n")

        output = create_user(username, role=role, duty_stations=["alpha_ds"])

        user = User.objects.get(username=username)
        assert "awaits the approval" in output
        assert user.role == "" and not user.duty_stations.exists()
        grant = RoleGrant.objects.get(user=user)
        assert (grant.role, grant.state, grant.requested_by) == (role, GrantState.PENDING, None)
        assert list(grant.duty_stations.all()) == [alpha_ds]


@pytest.mark.django_db
def test_it_gives_the_user_the_mission_of_the_duty_station(stdin, alpha_ds):
    stdin(GOOD_PASSWORD + "\n")

    create_user("officer_a", role="FIELD_REPORTER", duty_stations=["alpha_ds"])

    assert User.objects.get(username="officer_a").mission == alpha_ds.mission


@pytest.mark.django_db
def test_it_falls_back_to_the_configured_mission_without_a_duty_station(stdin, settings, mission):
    settings.MISSION_CODE = "FICTA"
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
        create_user("officer_a", role="AUDITOR")

    message = str(excinfo.value)
    assert "too short" in message
    assert not User.objects.filter(username="officer_a").exists()


@pytest.mark.django_db
def test_it_rejects_a_common_password(stdin):
    stdin("password1234\n")

    with pytest.raises(CommandError, match="too common"):
        create_user("officer_a", role="AUDITOR")
    assert not User.objects.filter(username="officer_a").exists()


@pytest.mark.django_db
def test_it_rejects_an_empty_stdin(stdin):
    stdin("")

    with pytest.raises(CommandError, match="No password"):
        create_user("officer_a", role="AUDITOR")


@pytest.mark.django_db
def test_it_rejects_an_unknown_role_and_lists_the_valid_ones(stdin):
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError) as excinfo:
        create_user("officer_a", role="SHERIFF")

    message = str(excinfo.value)
    assert "SHERIFF" in message
    assert "MARA_CHAIR" in message and "FIELD_REPORTER" in message
    assert not User.objects.filter(username="officer_a").exists()


@pytest.mark.django_db
def test_it_names_every_unknown_duty_station(stdin, alpha_ds):
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError) as excinfo:
        create_user("officer_a", role="HRO", duty_stations=["alpha_ds", "atlantis", "erewhon"])

    message = str(excinfo.value)
    assert "atlantis" in message and "erewhon" in message
    assert "alpha_ds" not in message
    assert not User.objects.filter(username="officer_a").exists()


@pytest.mark.django_db
def test_it_rejects_a_duty_station_of_another_mission(stdin, alpha_ds):
    Mission.objects.create(code="FICTB", name="FICTB")
    stdin(GOOD_PASSWORD + "\n")

    with pytest.raises(CommandError, match="alpha_ds"):
        create_user("officer_a", role="HRO", duty_stations=["alpha_ds"], mission="FICTB")
    assert not User.objects.filter(username="officer_a").exists()


@pytest.mark.django_db
def test_it_refuses_an_existing_username_and_keeps_the_old_password(stdin):
    with roles.without_approval():
        User.objects.create_user(username="officer_a", password=GOOD_PASSWORD, role=Role.HRO)
    stdin("Another-long-password-77\n")

    with pytest.raises(CommandError, match="already exists"):
        create_user("officer_a", role="ADMIN")

    user = User.objects.get(username="officer_a")
    assert user.check_password(GOOD_PASSWORD)
    assert user.role == Role.HRO


@pytest.mark.django_db
def test_it_records_the_creation_in_the_audit_trail_without_the_password(stdin):
    stdin(GOOD_PASSWORD + "\n")

    create_user("officer_a", role="AUDITOR")

    event = AuditEvent.objects.get(action="user.create")
    assert event.detail["username"] == "officer_a"
    assert event.detail["role"] == "AUDITOR"
    assert GOOD_PASSWORD not in str(event.detail)
