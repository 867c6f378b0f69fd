"""Anonymisation keeps every count: the rollup recounted after it (the change marks its month stale)
has the same cells as before, and the direct counts of the month agree."""

import datetime

import pytest

from crsv_mis import access
from incidents import stats
from reporting import rollup
from reporting.models import RollupCell, StaleMonth
from tests.conftest import victim_data
from tests.lifecycle.retention_fixtures import NOTICE_LATER, later, run_on

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2026, 3, 1)


def cells(mission):
    return sorted(RollupCell.objects.filter(mission=mission).values_list(
        "month", "shared_under_isp", "status", "dimension", "key", "label", "incidents", "victims"))


def direct(users):
    countable = access.incidents_countable_by(users["SWPA"])
    return {(group_by, unit): stats.monthly_counts(countable, start=MARCH, end=MARCH, group_by=group_by, unit=unit)
            for group_by in stats.GROUP_BY for unit in stats.UNITS}


def test_the_rollup_is_the_same_before_and_after_anonymisation(make_incident, mission, gazetteer, users):
    make_incident(incident_date=datetime.date(2026, 3, 5), forms=("RAPE", "SEXUAL_SLAVERY"),
                  victims=[victim_data(age_years=30), victim_data(age_years=15), victim_data(sex="MALE", age_years=9)])
    make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 20),
                  location=gazetteer["south_b"], site_type="MARKET", victims=[victim_data(sex="MALE", age_years=40)])
    make_incident(incident_date=datetime.date(2026, 3, 11), location=gazetteer["north"], shared_under_isp=True)
    rollup.refresh_stale()
    before = cells(mission)
    direct_before = direct(users)

    run_on(mission, later())
    done = run_on(mission, later(NOTICE_LATER))
    assert done.counts["incidents"]["anonymised"] == 3
    # The anonymisation marked the month stale, so the recount below really counts again.
    assert StaleMonth.objects.filter(month=MARCH).exists()
    rollup.refresh_stale()

    assert before and cells(mission) == before
    assert direct(users) == direct_before
