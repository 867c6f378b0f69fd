"""Time to acknowledge and time to respond to early-warning alerts, per duty station and month.

Every figure on /alerts/response-times/ comes from here. Only times and counts leave this
module: never a description, a place or a reference. `response_times_for(reader)` gives them as the
reader's audience may see them (crsv_mis.disclosure): outside the MARA room small counts read "<5",
one more count is withheld where a row's alerts would give a small one away, a median over fewer
than threshold alerts is not shown, and only complete months are shown (the month under way would
change with each alert).
"""

import statistics
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from crsv_mis import access, disclosure


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


def response_times_for(reader, *, months=12, today=None):
    """response_times over the alerts this person may count, as their audience may see them."""
    today = today or timezone.localdate()
    rules = disclosure.Rules(disclosure.audience_of(reader))
    rows = response_times(access.alerts_countable_by(reader), months=months, today=today)
    if not rules.external:
        return rows
    this_month = today.replace(day=1)
    return [_shown(row, rules) for row in rows if row.month < this_month]


def _shown(row, rules):
    """A row outside the MARA room. Acknowledged and not acknowledged add up to the alerts, and so
    do responded and not responded: each pair passes secondary suppression against the alerts; if
    either withholds them, the exact counts beside them are withheld too."""
    (acknowledged, unacknowledged), alerts = rules.column([row.acknowledged, row.unacknowledged], row.alerts)
    (responded, _silent), alerts_too = rules.column([row.responded, row.alerts - row.responded], row.alerts)
    if disclosure.WITHHELD in (alerts, alerts_too):
        alerts = disclosure.WITHHELD
        unacknowledged, responded = rules.withhold_exact([unacknowledged, responded])
    return replace(row, alerts=alerts, acknowledged=acknowledged, unacknowledged=unacknowledged,
                   responded=responded,
                   median_minutes_to_acknowledge=rules.median(row.median_minutes_to_acknowledge, row.acknowledged),
                   median_minutes_to_respond=rules.median(row.median_minutes_to_respond, row.responded))


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
