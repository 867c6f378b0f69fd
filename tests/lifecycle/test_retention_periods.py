"""The SWPA sets the mission's retention period per class of records within the limits of the
settings; outside them the page says so in plain words and keeps the old period; every change is
audited; nobody else may."""

import pytest

from crsv_mis.models import AuditEvent
from lifecycle import retention
from lifecycle.models import RetentionPolicy

pytestmark = pytest.mark.django_db
LIMITS = {"incidents": {"min": 1000, "default": 2000, "max": 3000}, "alerts": {"min": 10, "default": 20, "max": 30},
          "referrals": {"min": 10, "default": 20, "max": 30}, "audit": {"min": 10, "default": 20, "max": 30}}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RETENTION_LIMITS = LIMITS


def test_the_page_shows_each_class_with_its_default_limits_and_what_it_counts_from(users, login):
    page = login(users["SWPA"]).get("/retention/periods/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Allowed: 1000 to 3000 days (default 2000)" in body
    assert "Counted from the last change to the incident" in body and "Counted from the time of each event" in body


def test_swpa_sets_a_period_within_the_limits(users, login, mission):
    response = login(users["SWPA"]).post("/retention/periods/", {"record_class": "incidents", "days": "2500"})

    assert response.status_code == 302
    assert retention.period_days(mission, "incidents") == 2500
    event = AuditEvent.objects.get(action="retention.period")
    assert event.username == "swpa" and event.detail == {"class": "incidents", "from": 2000, "to": 2500}


@pytest.mark.parametrize("days", ["999", "3001", "-5", "ten"])
def test_a_period_outside_the_limits_is_refused_in_plain_words(users, login, mission, days):
    response = login(users["SWPA"]).post("/retention/periods/", {"record_class": "incidents", "days": days})

    assert response.status_code == 400
    body = response.content.decode()
    assert "must be kept between 1000 and 3000 days" in body or "whole number" in body
    assert not RetentionPolicy.objects.exists()
    assert retention.period_days(mission, "incidents") == 2000
    assert not AuditEvent.objects.filter(action="retention.period").exists()


@pytest.mark.parametrize("role", ["WPA", "HRO", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR",
                                  "FIELD_REPORTER", "REFERRAL_FOCAL_POINT"])
def test_nobody_but_the_swpa_sets_a_period(users, login, role):
    client = login(users[role])

    assert client.get("/retention/periods/").status_code == 403
    assert client.post("/retention/periods/", {"record_class": "alerts", "days": "15"}).status_code == 403
    with pytest.raises(retention.RetentionError):
        retention.set_period(users[role].mission, "alerts", 15, by=users[role])
    assert not RetentionPolicy.objects.exists()
