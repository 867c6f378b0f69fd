"""Referral figures per month and duty station (referrals.stats), checked against hand-computed
numbers over three months and two duty stations."""

import datetime

import pytest

from referrals.models import Provider, Referral
from referrals.stats import referral_figures, referrals_countable_by

UTC = datetime.UTC
JUNE, AUGUST = datetime.date(2026, 6, 1), datetime.date(2026, 8, 1)


def t(month, day, hour=0, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def figures_data(make_incident, users, mission):
    provider = Provider.objects.create(mission=mission, name="Figures Provider", provider_type="NGO")
    a = make_incident(incident_date=datetime.date(2026, 6, 1))
    b = make_incident(incident_date=datetime.date(2026, 6, 10))
    c = make_incident(station="south", by="SWPA", incident_date=datetime.date(2026, 6, 5))
    d = make_incident(incident_date=datetime.date(2026, 7, 1), incident_date_precision="MONTH")
    isp = make_incident(station="south", by="SWPA", incident_date=datetime.date(2026, 6, 18), shared_under_isp=True)

    def refer(incident, service, status, created, referred=None, provided=None, consent=True, withdrawn=None):
        return Referral.objects.create(
            incident=incident, victim=incident.victims.first(), service=service, provider=provider,
            referred_by=users["SWPA"], status=status, created_at=created, referred_at=referred,
            service_provided_at=provided, consent_given=consent, consent_withdrawn_at=withdrawn,
            consent_date=created.date() if consent else None, consent_given_by="SURVIVOR" if consent else "")

    # June, north: 4 referrals, survivors A and B (the PROPOSED one has no consent yet).
    refer(a, "MEDICAL", "SERVICE_PROVIDED", t(6, 2), t(6, 2, 12), t(6, 2, 18))  # 36 h; 6 h
    refer(a, "PSYCHOSOCIAL", "REFERRED", t(6, 3), t(6, 3))
    refer(b, "MEDICAL", "CLOSED", t(6, 11), t(6, 11), t(6, 11, 10))  # 24 h; 10 h
    refer(b, "LEGAL", "PROPOSED", t(6, 12), consent=False)
    # June, south: 1 referral (plus one under an information-sharing protocol).
    refer(c, "MEDICAL", "ACCEPTED", t(6, 6), t(6, 6, 6))  # 30 h
    refer(isp, "MEDICAL", "PROPOSED", t(6, 20))
    # July, north: incident D dated to the month only: no time from the incident.
    refer(d, "MEDICAL", "SERVICE_PROVIDED", t(7, 15), t(7, 15), t(7, 17))  # 48 h to service
    refer(a, "SOCIO_ECONOMIC", "CLOSED", t(7, 20), t(7, 20))  # closed without service
    refer(b, "LEGAL", "DECLINED_BY_SURVIVOR", t(7, 31, 23, 30), t(7, 31, 23, 45),
          withdrawn=datetime.date(2026, 8, 2))  # consented at the time: counts
    # Outside the period.
    refer(a, "MEDICAL", "REFERRED", t(5, 31, 23, 59), t(5, 31, 23, 59))
    refer(a, "MEDICAL", "REFERRED", t(9, 1), t(9, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def row(month, station, name, referrals, survivors, by, percent, to_medical, to_service):
    return {
        "month": month, "duty_station": station, "duty_station_name": name, "referrals": referrals,
        "survivors_referred": survivors,
        "by_service_status": [{"service": s, "status": st, "count": n} for s, st, n in by],
        "service_provided_percent": percent, "median_hours_incident_to_medical_referral": to_medical,
        "median_hours_referral_to_service": to_service,
    }


EXPECTED = [
    row("2026-06", "north", "North office", 4, 2,
        [("LEGAL", "PROPOSED", 1), ("MEDICAL", "CLOSED", 1), ("MEDICAL", "SERVICE_PROVIDED", 1),
         ("PSYCHOSOCIAL", "REFERRED", 1)],
        66.7, 30.0, 8.0),
    row("2026-06", "south", "South office", 1, 1, [("MEDICAL", "ACCEPTED", 1)], 0.0, 30.0, None),
    row("2026-07", "north", "North office", 3, 3,
        [("LEGAL", "DECLINED_BY_SURVIVOR", 1), ("MEDICAL", "SERVICE_PROVIDED", 1), ("SOCIO_ECONOMIC", "CLOSED", 1)],
        33.3, None, 48.0),
]


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_figures_match_the_hand_computed_ones(figures_data, users, role):
    assert referral_figures(referrals_countable_by(users[role]), JUNE, AUGUST) == EXPECTED


def test_swpa_counts_information_shared_under_a_protocol(figures_data, users):
    rows = referral_figures(referrals_countable_by(users["SWPA"]), JUNE, AUGUST)
    south = rows[1]
    assert (south["month"], south["duty_station"], south["referrals"], south["survivors_referred"]) == (
        "2026-06", "south", 2, 2)
    assert south["service_provided_percent"] == 0.0  # the PROPOSED one has not gone out
    assert rows[0] == EXPECTED[0] and rows[2] == EXPECTED[2]


def test_one_month_period_and_empty_period(figures_data, users):
    base = referrals_countable_by(users["MARA_CHAIR"])
    assert referral_figures(base, datetime.date(2026, 7, 1), datetime.date(2026, 7, 1)) == EXPECTED[2:]
    assert referral_figures(base, datetime.date(2025, 1, 1), datetime.date(2025, 12, 1)) == []


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR",
                                  "FIELD_REPORTER"])
def test_no_figures_outside_the_mara_room(figures_data, users, role):
    assert not referrals_countable_by(users[role]).exists()
