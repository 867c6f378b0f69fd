"""Keeping the rollup of counts true.

Protocol (why it never double counts and never stays wrong):

1. A change to incidents sends `incidents.signals.incidents_changed` inside its transaction; the
   receiver here inserts a `StaleMonth` row per month touched, in that same transaction. A change
   that commits has therefore marked its months; one that rolls back has not.
2. `refresh_month` recounts one month of one mission in one transaction: it locks the month's
   `RollupMonth` row (two recounts of the same month wait for each other), reads the month's stale
   marks, counts from the incident tables, replaces the month's cells, and deletes exactly the marks
   it read. Every change behind those marks committed before the counting began, so it is counted.
   A change that commits during the recount leaves a mark that was not read, and the month is
   recounted again on the next pass.
3. Celery runs `refresh_stale_months` every minute and `recheck_recent_months` every night (the
   last 24 months, for anything a mark could not express, such as a renamed party); a change also
   asks for its months at once (on commit). Readers recount stale months of the period they show
   before reading (`ensure_fresh`), so a page never shows figures older than the last change.

Cells count active incidents (never archived ones), per month of the incident date,
information-sharing flag and verification status, for every dimension of incidents.stats plus the
totals and the two cross-tabulations of the SG annual report (party by form, party by victim group).
"""

import logging
import time

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from incidents import stats
from incidents.models import Incident

from .models import RollupCell, RollupMonth, StaleMonth

log = logging.getLogger(__name__)

TOTAL = "total"
PARTY_FORM = "party_form"
PARTY_VICTIM_GROUP = "party_victim_group"
DIMENSIONS = (TOTAL, *stats.GROUP_BY, PARTY_FORM, PARTY_VICTIM_GROUP)
SEPARATOR = "|"

# The cross-tabulations: two keys per cell; the label is the party's name. Both meet an incident
# (and a victim) several times through the joins, hence DISTINCT.
COMPOUND = {
    PARTY_FORM: ("perpetrators__party_id", "forms__code"),
    PARTY_VICTIM_GROUP: ("perpetrators__party_id", "victims__victim_group"),
}


def _text(value):
    return "" if value is None else str(value)


def mark_stale_on_change(sender, *, mission_id, months, **kwargs):
    """Receiver of incidents_changed: months=None marks every month that holds an incident."""
    if months is None:
        months = [m.replace(day=1) for m in Incident.objects.filter(mission_id=mission_id)
                  .dates("incident_date", "month")]
    marks = [StaleMonth(mission_id=mission_id, month=month) for month in months]
    StaleMonth.objects.bulk_create(marks)
    if marks:
        from .tasks import request_refresh  # the tasks module imports this one

        transaction.on_commit(lambda: request_refresh(mission_id, [m.isoformat() for m in months]))


def _month_incidents(mission_id, month):
    return (Incident.objects.active()
            .filter(mission_id=mission_id, incident_date__gte=month, incident_date__lt=stats.add_months(month, 1))
            .order_by())


def count_cells(mission_id, month):
    """The cells of one month, counted from the incident tables (one GROUP BY per dimension)."""
    base = _month_incidents(mission_id, month)
    common = {"isp_": F("shared_under_isp"), "status_": F("status")}
    cells = []

    def add(rows, dimension, key_of, label_of):
        for row in rows:
            cells.append(RollupCell(
                mission_id=mission_id, month=month, shared_under_isp=row["isp_"], status=row["status_"],
                dimension=dimension, key=key_of(row), label=label_of(row) or "",
                incidents=row["incidents"], victims=row["victims"] or 0))

    add(base.values(**common).annotate(incidents=Count("pk"), victims=Sum("victim_count")),
        TOTAL, lambda r: "", lambda r: "")
    for name in stats.GROUP_BY:
        dimension = stats.DIMENSIONS[name]
        groups = {**common, "key_": F(dimension.key)}
        if dimension.label:
            groups["name_"] = F(dimension.label)
        # Incidents DISTINCT: the victims join below meets an incident once per victim.
        rows = base.values(**groups).annotate(
            incidents=Count("pk", distinct=True),
            victims=Count("victims", distinct=dimension.victim_distinct))
        add(rows, name, lambda r: _text(r["key_"]), lambda r: r.get("name_"))
    for name, (first, second) in COMPOUND.items():
        rows = base.values(**common, a_=F(first), b_=F(second), name_=F("perpetrators__party__name")).annotate(
            incidents=Count("pk", distinct=True), victims=Count("victims", distinct=True))
        add(rows, name, lambda r: _text(r["a_"]) + SEPARATOR + _text(r["b_"]), lambda r: r["name_"])
    return cells


def refresh_month(mission_id, month):
    """Recount one month of one mission (see the protocol above). Returns the number of incidents."""
    month = stats.month_start(month)
    started = time.perf_counter()
    with transaction.atomic():
        RollupMonth.objects.bulk_create([RollupMonth(mission_id=mission_id, month=month)], ignore_conflicts=True)
        state = RollupMonth.objects.select_for_update().get(mission_id=mission_id, month=month)
        marks = list(StaleMonth.objects.filter(mission_id=mission_id, month=month).values_list("pk", flat=True))
        cells = count_cells(mission_id, month)
        RollupCell.objects.filter(mission_id=mission_id, month=month).delete()
        RollupCell.objects.bulk_create(cells, batch_size=2000)
        if marks:
            StaleMonth.objects.filter(pk__in=marks).delete()
        state.incidents = sum(c.incidents for c in cells if c.dimension == TOTAL)
        state.refreshed_at = timezone.now()
        state.seconds = time.perf_counter() - started
        state.save(update_fields=["incidents", "refreshed_at", "seconds"])
    return state.incidents


def stale_months(mission_id=None, start=None, end=None):
    """(mission_id, month) pairs with a stale mark, oldest month first."""
    marks = StaleMonth.objects.all()
    if mission_id is not None:
        marks = marks.filter(mission_id=mission_id)
    if start is not None:
        marks = marks.filter(month__gte=stats.month_start(start))
    if end is not None:
        marks = marks.filter(month__lte=stats.month_start(end))
    return sorted(set(marks.values_list("mission_id", "month")), key=lambda pair: (pair[1], pair[0]))


def refresh_stale(mission_id=None, start=None, end=None):
    """Recount every stale month (of one mission, within a period, if given); returns how many."""
    pairs = stale_months(mission_id, start, end)
    for mission, month in pairs:
        refresh_month(mission, month)
    return len(pairs)


def ensure_fresh(mission_id, start, end):
    """Before reading `start`..`end`: recount the months of it that a change has marked stale, and
    any month never counted that holds incidents (a database restored without its rollup)."""
    refresh_stale(mission_id, start, end)
    counted = set(RollupMonth.objects.filter(mission_id=mission_id, month__gte=stats.month_start(start),
                                             month__lte=stats.month_start(end)).values_list("month", flat=True))
    if len(counted) < stats.months_between(start, end):
        holding = (Incident.objects.active()
                   .filter(mission_id=mission_id, incident_date__gte=stats.month_start(start),
                           incident_date__lt=stats.add_months(end, 1))
                   .dates("incident_date", "month"))
        for month in holding:
            if month not in counted:
                refresh_month(mission_id, month)


def recheck_recent(mission_id, months=24, today=None):
    """Recount the last `months` months of one mission whatever their marks (the nightly pass)."""
    today = today or timezone.localdate()
    first = stats.add_months(today, -(months - 1))
    for month in stats.month_list(first, today):
        refresh_month(mission_id, month)
    return months
