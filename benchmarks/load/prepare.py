"""Make the load run's database ready: a released quarterly report of the last ended quarter (the
leadership users download it) and the month the MARA chair's users export. Run by run.py after
`seed_demo`, with Django set up; prints `report_pk export_month`. Idempotent: an existing released
version of that quarter is reused.

It goes through the product's own services (generate, write the text, approve, release), as the
SWPA and the MARA chair would on the pages.
"""

import datetime

from django.utils import timezone

from crsv_mis.models import Mission, User
from reporting import quarterly, services


def released_report(mission):
    year, quarter = quarterly.last_ended_quarter(timezone.localdate())
    report = quarterly.released_version(mission.pk, year, quarter)
    if report:
        return report
    report = services.run_job(services.start_job(mission=mission, year=year, quarter=quarter).pk)
    chair = User.objects.get(username="mara_chair")
    swpa = User.objects.get(username="swpa")
    report = services.edit_narrative(
        report, by=chair, expected_edit_version=report.edit_version,
        key_messages="Synthetic key messages for the load test.", analysis="Synthetic analysis.",
        response="Synthetic response.")
    report = services.approve(report, by=chair)
    return services.release(report, by=swpa)


def main():
    mission = Mission.objects.get(code="DEMO")
    report = released_report(mission)
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    print(report.pk, last_month.strftime("%Y-%m"))


main()
