"""The figures of a quarterly report, gathered once when a version is generated and frozen in
`QuarterlyReport.figures`: every rendering (page, PDF, XLSX, CSV, either edition) reads that dict
and nothing else, so a version shows the same numbers however often it is downloaded.

What is counted: the records the MARA reads (figures.mara_room_scope: the mission's active incidents
whose survivors consented to sharing with the MARA, without information received under an
information-sharing protocol), by month of the incident date, from the rollup (reporting.figures).
The MARA room edition shows full counts to the chair and members: counting a record their list
leaves out would give it away as the difference. The snapshot holds full counts; small-cell
suppression and coarsening to admin1 are applied when an edition that leaves the MARA room is
rendered (reporting.editions).

Period cut-offs: an earlier quarter whose report was released keeps the figures it was released
with (headline row "released"); incidents of that quarter reported, or verified, after its release
are counted here as late additions to it.

Shape (all JSON types; rows of breakdowns are {"key", "label", "incidents", "victims"}):

    {"mission": {"code", "name"}, "year", "quarter", "label": "2026 Q3",
     "period": {"from": "YYYY-MM", "to": "YYYY-MM"}, "generated_at": ISO time, "threshold": 5,
     "totals": {"incidents", "victims"}, "verified": {"incidents", "victims"},
     "quarters": [{"label", "year", "quarter", "incidents", "victims", "verified_incidents",
                   "source": "live" | "released", "version": n or None}, ... 5 rows, oldest first],
     "by": {"form", "admin1", "party_type", "party", "victim_group", "verification_status",
            "site_type": rows},
     "trend": [{"month", "incidents", "victims"}, ... 15 months],
     "hotspots": {"admin2": incidents.stats.hotspots shape, "admin1": the same by province, every
                  province compared (no limit: the external edition ranks them on shown figures)},
     "referrals": referrals.stats.period_summary, "alerts": incidents.alert_stats.period_summary,
     "commitments": [{"party", "kind", "kind_code", "title", "date_signed", "status", "status_code",
                      "last_review"}],
     "recommendations": [{"text", "owner", "forum", "due_date", "status", "closed_at"}],
     "late_additions": [{"label", "version", "released_at", "reported_after_release",
                         "verified_after_release"}]}
"""

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import pgettext

from crsv_mis import access, disclosure
from incidents import alert_stats, stats
from incidents.choices import VerificationStatus
from incidents.models import Alert, Incident
from mara.models import Commitment, Recommendation
from referrals import stats as referral_stats
from referrals.models import Referral

from . import figures
from .models import QuarterlyReport, ReportStatus

BREAKDOWNS = ("form", "admin1", "party_type", "party", "victim_group", "verification_status", "site_type")
COMPARED_QUARTERS = 4
TREND_MONTHS = 15


def quarter_months(year, quarter):
    """(first day of the first month, first day of the last month) of a quarter."""
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return first, stats.add_months(first, 2)


def quarter_label(year, quarter):
    """A quarter as people read it, in the active language ("2026 Q3", "T3 2026")."""
    return pgettext("calendar quarter", "%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}


def shift_quarter(year, quarter, by):
    index = year * 4 + (quarter - 1) + by
    return index // 4, index % 4 + 1


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def last_ended_quarter(today):
    return shift_quarter(*quarter_of(today), -1)


def released_version(mission_id, year, quarter):
    """The latest released version of a quarter's report, or None."""
    return (QuarterlyReport.objects.filter(mission_id=mission_id, year=year, quarter=quarter,
                                           status=ReportStatus.RELEASED)
            .order_by("-version").first())


def _both_units(scope, start, end, group_by):
    incidents = figures.period_counts(scope, start=start, end=end, group_by=group_by)
    victims = {r["key"]: r["count"] for r in
               figures.period_counts(scope, start=start, end=end, group_by=group_by, unit=stats.VICTIMS)}
    return [{"key": r["key"], "label": r["label"], "incidents": r["count"], "victims": victims.get(r["key"], 0)}
            for r in incidents]


def _verified_totals(scope, start, end):
    return figures.totals(scope, start=start, end=end, statuses=[VerificationStatus.VERIFIED])


def _quarter_row(scope, mission_id, year, quarter, *, current):
    start, end = quarter_months(year, quarter)
    released = None if current else released_version(mission_id, year, quarter)
    if released is not None:
        frozen = released.figures
        return {"label": quarter_label(year, quarter), "year": year, "quarter": quarter,
                "incidents": frozen["totals"]["incidents"], "victims": frozen["totals"]["victims"],
                "verified_incidents": frozen["verified"]["incidents"], "source": "released",
                "version": released.version}
    live = figures.totals(scope, start=start, end=end)
    return {"label": quarter_label(year, quarter), "year": year, "quarter": quarter,
            "incidents": live["incidents"], "victims": live["victims"],
            "verified_incidents": _verified_totals(scope, start, end)["incidents"], "source": "live",
            "version": None}


def _late_additions(scope, mission_id, year, quarter):
    """For each earlier compared quarter with a released report: its incidents reported (recorded)
    after the release, and those verified after it. Direct counts: the rollup does not know when."""
    rows = []
    for back in range(COMPARED_QUARTERS, 0, -1):
        y, q = shift_quarter(year, quarter, -back)
        released = released_version(mission_id, y, q)
        if released is None:
            continue
        start, end = quarter_months(y, q)
        incidents = Incident.objects.active().filter(
            mission_id=mission_id, incident_date__gte=start, incident_date__lt=stats.add_months(end, 1))
        if not scope.include_isp:
            incidents = incidents.filter(shared_under_isp=False)
        if scope.mara_share_only:
            incidents = incidents.filter(**access.MARA_SHARE)
        reported = incidents.filter(created_at__gt=released.released_at).count()
        verified = (incidents.filter(status=VerificationStatus.VERIFIED, created_at__lte=released.released_at)
                    .annotate(verified_at=Max("verification_history__decided_at", filter=Q(
                        verification_history__to_status=VerificationStatus.VERIFIED)))
                    .filter(verified_at__gt=released.released_at).count())
        rows.append({"label": quarter_label(y, q), "year": y, "quarter": q, "version": released.version,
                     "released_at": released.released_at.isoformat(),
                     "reported_after_release": reported, "verified_after_release": verified})
    return rows


def _commitments(mission_id):
    rows = []
    commitments = (Commitment.objects.filter(party__mission_id=mission_id).select_related("party")
                   .annotate(last_review=Max("reviews__date")).order_by("party__name", "date_signed", "pk"))
    for c in commitments:
        rows.append({"party": c.party.name, "kind": str(c.get_kind_display()), "kind_code": c.kind, "title": c.title,
                     "date_signed": c.date_signed.isoformat() if c.date_signed else None,
                     "status": str(c.get_status_display()), "status_code": c.status,
                     "last_review": c.last_review.isoformat() if c.last_review else None})
    return rows


def _recommendations(mission_id, end_day):
    """Recommendations made up to the end of the quarter, open ones first."""
    rows = []
    for r in (Recommendation.objects.filter(mission_id=mission_id, created_at__date__lte=end_day)
              .order_by("status", "due_date", "pk")):
        rows.append({"text": r.text, "owner": r.owner, "forum": r.forum,
                     "due_date": r.due_date.isoformat() if r.due_date else None,
                     "status": str(r.get_status_display()), "status_code": r.status,
                     "closed_at": r.closed_at.isoformat() if r.closed_at else None})
    return rows


def _bounds(start, end):
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(stats.add_months(end, 1), datetime.time.min, tzinfo=tz)
    return since, until


def build(mission, year, quarter, progress=lambda percent, step: None):
    """The figures dict of a mission's report for `year` Q`quarter` (see the module docstring).
    `progress(percent, step)` is called as the work advances (the page shows it)."""
    scope = figures.mara_room_scope(mission.pk)
    start, end = quarter_months(year, quarter)
    progress(5, "Counting the quarter")
    totals = figures.totals(scope, start=start, end=end)
    by = {}
    for i, group_by in enumerate(BREAKDOWNS):
        by[group_by] = _both_units(scope, start, end, group_by)
        progress(10 + 5 * i, f"Counting by {group_by.replace('_', ' ')}")
    progress(45, "Comparing with earlier quarters")
    quarters = [_quarter_row(scope, mission.pk, *shift_quarter(year, quarter, -back), current=False)
                for back in range(COMPARED_QUARTERS, 0, -1)]
    quarters.append(_quarter_row(scope, mission.pk, year, quarter, current=True))
    progress(60, "Hotspots and trend")
    hotspots = {"admin2": figures.hotspots(scope, start=start, end=end),
                "admin1": figures.hotspots(scope, start=start, end=end, level="admin1", limit=None)}
    trend = figures.trend(scope, end_month=end, months=TREND_MONTHS)
    progress(70, "Referrals and alerts")
    countable = Incident.objects.active().filter(mission_id=mission.pk, **access.MARA_SHARE)
    # Read outside layer A (both editions): no median or share over fewer values than the threshold.
    referrals = referral_stats.period_summary(Referral.objects.filter(incident__in=countable), start, end,
                                              fewest=disclosure.threshold())
    since, until = _bounds(start, end)
    alerts = alert_stats.period_summary(Alert.objects.filter(mission_id=mission.pk), since=since, until=until)
    progress(80, "Commitments, recommendations and late additions")
    snapshot = {
        "mission": {"code": mission.code, "name": mission.name},
        "year": year, "quarter": quarter, "label": quarter_label(year, quarter),
        "period": {"from": stats.month_key(start), "to": stats.month_key(end)},
        "generated_at": timezone.now().isoformat(),
        "threshold": settings.SMALL_CELL_THRESHOLD,
        "totals": totals,
        "verified": _verified_totals(scope, start, end),
        "quarters": quarters,
        "by": by,
        "trend": trend,
        "hotspots": hotspots,
        "referrals": referrals,
        "alerts": alerts,
        "commitments": _commitments(mission.pk),
        "recommendations": _recommendations(mission.pk, stats.add_months(end, 1) - datetime.timedelta(days=1)),
        "late_additions": _late_additions(scope, mission.pk, year, quarter),
    }
    progress(90, "Figures ready")
    return snapshot

