"""Release a quarter's report in a test: leadership reads only released quarters' frozen figures."""

from django.db.models import Max
from django.utils import timezone

from reporting import quarterly
from reporting.models import QuarterlyReport, ReportStatus


def release(mission, year, quarter):
    """Freeze the quarter's figures now, as a new released version of its report."""
    latest = QuarterlyReport.objects.filter(mission=mission, year=year, quarter=quarter).aggregate(
        v=Max("version"))["v"] or 0
    return QuarterlyReport.objects.create(mission=mission, year=year, quarter=quarter, version=latest + 1,
                                          figures=quarterly.build(mission, year, quarter),
                                          status=ReportStatus.RELEASED, released_at=timezone.now())
