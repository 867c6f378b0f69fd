"""Time to acknowledge and time to respond to early-warning alerts, per duty station and month.

Every figure on /alerts/response-times/ comes from here. Only times and counts leave this
module: never a description, a place or a reference.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone


@dataclass(frozen=True)
class ResponseTimeRow:
    station: str
    month: date
    alerts: int
    acknowledged: int
    unacknowledged: int
    median_minutes_to_acknowledge: float | None
    responded: int
    median_minutes_to_respond: float | None


def _minutes(start, end):
    # A response logged as starting before the alert reached the mission (a patrol already on
    # the spot) counts as immediate, not as negative time.
    return max(0.0, (end - start).total_seconds() / 60)


def _median(values):
    return round(statistics.median(values), 1) if values else None


def response_times(alerts, *, months=12, today=None):
    """Rows for the alerts given (already scoped to the reader), newest month first.

    Minutes run from when the alert reached the mission (reported_at) to its acknowledgement,
    and to the time of its first response. Medians, not means: one alert left over a weekend
    must not hide how fast the rest were handled. Computed in Python so SQLite and PostgreSQL
    agree; a mission has hundreds of alerts a year, not millions.
    """
    today = today or timezone.localdate()
    first_month = date(today.year, today.month, 1)
    for _step in range(months - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    since = timezone.make_aware(datetime.combine(first_month, time.min))
    records = (
        alerts.filter(reported_at__gte=since)
        .values("pk", "duty_station__name", "reported_at", "acknowledged_at")
        .annotate(first_response=Min("responses__responded_at"))
        .order_by()
    )
    groups = {}
    for record in records:
        month = timezone.localtime(record["reported_at"]).date().replace(day=1)
        groups.setdefault((month, record["duty_station__name"]), []).append(record)
    rows = []
    for (month, station), items in groups.items():
        acknowledged = [_minutes(r["reported_at"], r["acknowledged_at"]) for r in items if r["acknowledged_at"]]
        responded = [_minutes(r["reported_at"], r["first_response"]) for r in items if r["first_response"]]
        rows.append(ResponseTimeRow(
            station=station, month=month, alerts=len(items), acknowledged=len(acknowledged),
            unacknowledged=len(items) - len(acknowledged), median_minutes_to_acknowledge=_median(acknowledged),
            responded=len(responded), median_minutes_to_respond=_median(responded),
        ))
    rows.sort(key=lambda row: (-row.month.toordinal(), row.station))
    return rows


def period_summary(alerts, *, since, until):
    """Alerts that reached the mission in [since, until), in one summary (a quarter in the report):
    {"alerts", "acknowledged", "unacknowledged", "median_minutes_to_acknowledge", "responded",
    "median_minutes_to_respond", "by_urgency": [{"key", "label", "alerts", "responded"}]}.
    Same rules as response_times; one median over the period, never a median of medians."""
    from .models import AlertUrgency

    records = list(
        alerts.filter(reported_at__gte=since, reported_at__lt=until)
        .values("pk", "urgency", "reported_at", "acknowledged_at")
        .annotate(first_response=Min("responses__responded_at"))
        .order_by()
    )
    acknowledged = [_minutes(r["reported_at"], r["acknowledged_at"]) for r in records if r["acknowledged_at"]]
    responded = [_minutes(r["reported_at"], r["first_response"]) for r in records if r["first_response"]]
    return {
        "alerts": len(records),
        "acknowledged": len(acknowledged),
        "unacknowledged": len(records) - len(acknowledged),
        "median_minutes_to_acknowledge": _median(acknowledged),
        "responded": len(responded),
        "median_minutes_to_respond": _median(responded),
        "by_urgency": [{"key": str(urgency), "label": str(urgency.label),
                        "alerts": sum(1 for r in records if r["urgency"] == urgency),
                        "responded": sum(1 for r in records if r["urgency"] == urgency and r["first_response"])}
                       for urgency in AlertUrgency],
    }
