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
information-sharing flag, MARA sharing flag and verification status, for every dimension of
incidents.stats plus the totals and the two cross-tabulations of the SG annual report (party by form,
party by victim group).
"""

import logging
import time
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from crsv_mis import outbox
from incidents import stats
from incidents.models import Incident, Perpetrator, Victim

from .models import RollupCell, RollupMonth, StaleMonth

log = logging.getLogger(__name__)

TOTAL = "total"
PARTY_FORM = "party_form"
PARTY_VICTIM_GROUP = "party_victim_group"
DIMENSIONS = (TOTAL, *stats.GROUP_BY, PARTY_FORM, PARTY_VICTIM_GROUP)
SEPARATOR = "|"



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
        from .tasks import refresh_months  # the tasks module imports this one

        # Recounted as soon as a worker takes it; if the broker is down the outbox keeps the task
        # (and the marks stay for the minute's beat pass).
        outbox.enqueue(refresh_months, mission_id, [m.isoformat() for m in months])


def _month_incidents(mission_id, month):
    return (Incident.objects.active()
            .filter(mission_id=mission_id, incident_date__gte=month, incident_date__lt=stats.add_months(month, 1))
            .order_by())


def _by_incident(rows):
    found = defaultdict(list)
    for incident_id, *rest in rows:
        found[incident_id].append(tuple(rest) if len(rest) > 1 else rest[0])
    return found


def count_cells(mission_id, month):
    """The cells of one month, counted from the incident tables.

    Four flat reads (incidents, forms, victims, perpetrators of the month), then counted here: one
    GROUP BY per dimension over the joins costs several times more on a busy month (measured by
    benchmarks/reporting_at_scale.py, which also runs those GROUP BYs and checks both agree). The
    conventions are incidents.stats': an incident counts once under each key it has, a key of None
    when nothing was recorded; victims are every victim of the incidents with the key, except per
    victim group, where they are the victims of that group; the total's victims are victim_count.
    """
    base = _month_incidents(mission_id, month)
    ids = base.values("pk")
    incidents = base.values_list("pk", "shared_under_isp", "mara_shareable", "status", "admin1__pcode",
                                 "admin1__name", "admin2__pcode", "admin2__name", "site_type", "victim_count")
    forms = _by_incident(Incident.forms.through.objects.filter(incident_id__in=ids)
                         .values_list("incident_id", "formofviolence__code"))
    groups = _by_incident(Victim.objects.filter(incident_id__in=ids).values_list("incident_id", "victim_group"))
    perpetrators = _by_incident(Perpetrator.objects.filter(incident_id__in=ids)
                                .values_list("incident_id", "party_type", "party_id", "party__name"))

    # ((isp, shareable, status), dimension, key) -> [incidents, victims, label]
    counted = defaultdict(lambda: [0, 0, ""])

    def add(flags, dimension, key, victims, label=None):
        cell = counted[(flags, dimension, key)]
        cell[0] += 1
        cell[1] += victims
        if label:
            cell[2] = label

    for pk, isp, shareable, status, admin1, admin1_name, admin2, admin2_name, site_type, victim_count in incidents:
        flags = (isp, shareable, status)
        victim_groups = Counter(groups.get(pk, ()))
        victims = sum(victim_groups.values())
        # None when nothing was recorded: no form, no victim, no perpetrator (or one without a party).
        form_keys = set(forms.get(pk, ())) or {None}
        group_counts = dict(victim_groups) or {None: 0}
        perps = perpetrators.get(pk, ())
        type_keys = {party_type for party_type, _party, _name in perps} or {None}
        parties = {party: name for _type, party, name in perps} or {None: None}

        add(flags, TOTAL, "", victim_count or 0)
        add(flags, "admin1", _text(admin1), victims, admin1_name)
        add(flags, "admin2", _text(admin2), victims, admin2_name)
        add(flags, "verification_status", _text(status), victims)
        add(flags, "site_type", _text(site_type), victims)
        for code in form_keys:
            add(flags, "form", _text(code), victims)
        for code in type_keys:
            add(flags, "party_type", _text(code), victims)
        for group, number in group_counts.items():
            add(flags, "victim_group", _text(group), number)
        for party, name in parties.items():
            add(flags, "party", _text(party), victims, name)
            for code in form_keys:
                add(flags, PARTY_FORM, _text(party) + SEPARATOR + _text(code), victims, name)
            for group, number in group_counts.items():
                add(flags, PARTY_VICTIM_GROUP, _text(party) + SEPARATOR + _text(group), number, name)

    return [RollupCell(mission_id=mission_id, month=month, shared_under_isp=isp, mara_shareable=shareable,
                       status=status, dimension=dimension, key=key, label=label or "", incidents=n, victims=v)
            for ((isp, shareable, status), dimension, key), (n, v, label) in counted.items()]


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
