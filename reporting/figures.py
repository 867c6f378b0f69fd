"""Figures read from the rollup: what the dashboard, the statistics API and the reports show.

Each function returns exactly what its namesake in incidents.stats returns for the same incidents
(same keys, labels, order and conventions: see that module), but sums rollup cells instead of
counting incident rows, so its cost depends on the number of months and keys, not of incidents.
`tests/reporting/test_rollup_agrees_with_direct_counts.py` holds the two to each other.

`scope` is a `Scope` (see scope_for): one mission, with or without information received under an
information-sharing protocol, and for the MARA chair and members only the records they may read
(access.MARA_SHARE). Before reading a period, the months of it that a change has marked
stale are recounted (rollup.ensure_fresh), so figures are never older than the last change.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Sum

from crsv_mis import access
from crsv_mis.models import Location
from incidents import stats
from incidents.choices import VerificationStatus

from . import rollup
from .models import RollupCell

INCIDENTS, VICTIMS = stats.INCIDENTS, stats.VICTIMS


@dataclass(frozen=True)
class Scope:
    mission_id: int
    include_isp: bool
    mara_share_only: bool = False


def scope_for(user):
    """The Scope of what this person may count (access.aggregate_scope), or None."""
    scope = access.aggregate_scope(user)
    return Scope(**scope) if scope else None


def mission_scope(mission_id):
    """What the SG contribution counts (the SWPA's, who reads every record): the mission's active
    incidents, without information received under an information-sharing protocol (it stays in the
    human rights compartment)."""
    return Scope(mission_id=mission_id, include_isp=False)


def mara_room_scope(mission_id):
    """What the quarterly report counts: the records the MARA reads (access.MARA_SHARE). Its MARA room
    edition shows full counts to the chair and members, so it may count nothing their list leaves out."""
    return Scope(mission_id=mission_id, include_isp=False, mara_share_only=True)


def _unit(unit):
    if unit not in stats.UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {stats.UNITS}")
    return unit


def cells(scope, start, end, dimensions, statuses=None):
    """The rollup cells of `scope` for the months `start`..`end`, fresh."""
    start, end = stats.month_start(start), stats.month_start(end)
    rollup.ensure_fresh(scope.mission_id, start, end)
    qs = RollupCell.objects.filter(mission_id=scope.mission_id, month__gte=start, month__lte=end,
                                   dimension__in=list(dimensions))
    if not scope.include_isp:
        qs = qs.filter(shared_under_isp=False)
    if scope.mara_share_only:
        qs = qs.filter(**access.MARA_SHARE)
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return qs


def _key(text):
    return text or None


def _summed(qs, *groups):
    return qs.values(*groups).annotate(incidents=Sum("incidents"), victims=Sum("victims"), name=Max("label"))


def monthly_counts(scope, *, start, end, group_by, unit=INCIDENTS):
    """As stats.monthly_counts."""
    dimension = stats.DIMENSIONS[group_by]
    rows = _summed(cells(scope, start, end, [group_by]).order_by(), "month", "key")
    result = [{"month": stats.month_key(r["month"]), "key": _key(r["key"]),
               "label": stats.label_for(dimension, _key(r["key"]), r["name"]), "count": r[_unit(unit)]}
              for r in rows]
    return sorted(result, key=lambda r: (r["month"], stats.key_order(r["key"])))


def _period_rows(rows_by_key, group_by, unit):
    dimension = stats.DIMENSIONS[group_by]
    rows = [{"key": _key(key), "label": stats.label_for(dimension, _key(key), row["name"]), "count": row[unit]}
            for key, row in rows_by_key.items()]
    if group_by == "victim_group":
        return stats.victim_groups_in_order(rows, {"count": 0})
    return sorted(rows, key=lambda r: (-r["count"], stats.key_order(r["key"])))


def period_counts(scope, *, start, end, group_by, unit=INCIDENTS, statuses=None):
    """As stats.period_counts (`statuses`: only incidents with one of these verification statuses)."""
    stats.DIMENSIONS[group_by]  # KeyError for an unknown group_by, before any query
    rows = _summed(cells(scope, start, end, [group_by], statuses).order_by(), "key")
    return _period_rows({r["key"]: r for r in rows}, group_by, _unit(unit))


def totals(scope, *, start, end, statuses=None):
    """As stats.totals: {"incidents", "victims"}."""
    found = cells(scope, start, end, [rollup.TOTAL], statuses).aggregate(
        incidents=Sum("incidents"), victims=Sum("victims"))
    return {"incidents": found["incidents"] or 0, "victims": found["victims"] or 0}


def trend(scope, *, end_month, months=12):
    """As stats.trend: every month, zeros included."""
    start = stats.add_months(end_month, -(months - 1))
    found = {stats.month_key(r["month"]): r
             for r in _summed(cells(scope, start, end_month, [rollup.TOTAL]).order_by(), "month")}
    return [{"month": key, "incidents": found[key]["incidents"] if key in found else 0,
             "victims": found[key]["victims"] if key in found else 0}
            for key in map(stats.month_key, stats.month_list(start, end_month))]


def _admin1_names(pcodes):
    return dict(Location.objects.filter(pcode__in=list(pcodes)).values_list("pcode", "admin1__name"))


def hotspots(scope, *, start, end, limit=5, level="admin2"):
    """As stats.hotspots. `level="admin1"` ranks provinces instead of territories (for figures that
    leave the MARA room, where places go no finer than admin1); rows then have "admin1" = label."""
    start, end = stats.month_start(start), stats.month_start(end)
    length = stats.months_between(start, end)
    previous_start, previous_end = stats.add_months(start, -length), stats.add_months(start, -1)
    rows = _summed(cells(scope, previous_start, end, [level]).exclude(key="").order_by(), "month", "key")
    current, previous, names = defaultdict(int), defaultdict(int), {}
    for row in rows:
        (current if row["month"] >= start else previous)[row["key"]] += row["incidents"]
        names[row["key"]] = row["name"]
    parents = _admin1_names(names) if level == "admin2" else names
    areas = []
    for key in names:
        now, before = current[key], previous[key]
        areas.append({"key": key, "label": names[key], "admin1": parents.get(key), "count": now,
                      "previous": before, "rise": now - before,
                      "rise_pct": round(100 * (now - before) / before, 1) if before else None})
    most = sorted((a for a in areas if a["count"]), key=lambda a: (-a["count"], a["key"]))[:limit]
    rising = sorted((a for a in areas if a["rise"] > 0), key=lambda a: (-a["rise"], a["key"]))[:limit]
    return {"period": {"from": stats.month_key(start), "to": stats.month_key(end)},
            "previous_period": {"from": stats.month_key(previous_start), "to": stats.month_key(previous_end)},
            "most_incidents": most, "sharpest_rise": rising}


def period_figures(scope, *, start, end):
    """As stats.period_figures (same shape); two queries on the rollup plus the hotspots."""
    start, end = stats.month_start(start), stats.month_start(end)
    before_start, before_end = stats.add_months(start, -12), stats.add_months(end, -12)
    now = defaultdict(dict)
    for row in _summed(cells(scope, start, end, [rollup.TOTAL, *stats.GROUP_BY]).order_by(), "dimension", "key"):
        now[row["dimension"]][row["key"]] = row
    before = {r["key"]: r for r in _summed(
        cells(scope, before_start, before_end, ["victim_group"]).order_by(), "key")}
    before_totals = totals(scope, start=before_start, end=before_end)
    total = now[rollup.TOTAL].get("", {"incidents": 0, "victims": 0})
    return {
        "period": {"from": stats.month_key(start), "to": stats.month_key(end)},
        "totals": {"incidents": total["incidents"] or 0, "victims": total["victims"] or 0},
        "incidents_by": {g: _period_rows(now[g], g, INCIDENTS) for g in stats.GROUP_BY},
        "victims_by": {"victim_group": _period_rows(now["victim_group"], "victim_group", VICTIMS)},
        "year_before": {
            "period": {"from": stats.month_key(before_start), "to": stats.month_key(before_end)},
            "totals": before_totals,
            "incidents_by": {"victim_group": _period_rows(before, "victim_group", INCIDENTS)},
            "victims_by": {"victim_group": _period_rows(before, "victim_group", VICTIMS)},
        },
        "hotspots": hotspots(scope, start=start, end=end),
    }


def month_figures(scope, month):
    """As stats.month_figures."""
    first = stats.month_start(month)
    return {"month": stats.month_key(first), **period_figures(scope, start=first, end=first)}


def party_crosstab(scope, *, start, end, statuses=(VerificationStatus.VERIFIED,)):
    """Per named party: incidents by form and victims by victim group, for the SG annual report.

    Rows {"key": party id, "label": name, "incidents": n, "victims": n,
          "forms": {code: incidents}, "victim_groups": {code: victims}}, largest first. Incidents
    attributed to a type of perpetrator without a named party are left out (the annex lists
    parties).
    """
    parties = {r["key"]: r for r in _summed(
        cells(scope, start, end, ["party"], statuses).exclude(key="").order_by(), "key")}
    forms, groups = defaultdict(dict), defaultdict(dict)
    for r in _summed(cells(scope, start, end, [rollup.PARTY_FORM, rollup.PARTY_VICTIM_GROUP], statuses)
                     .order_by(), "dimension", "key"):
        party, _sep, code = r["key"].partition(rollup.SEPARATOR)
        if party and code:
            if r["dimension"] == rollup.PARTY_FORM:
                forms[party][code] = r["incidents"]
            else:
                groups[party][code] = r["victims"]
    rows = [{"key": key, "label": row["name"], "incidents": row["incidents"], "victims": row["victims"],
             "forms": forms[key], "victim_groups": groups[key]} for key, row in parties.items()]
    return sorted(rows, key=lambda r: (-r["incidents"], r["label"] or "", r["key"]))
