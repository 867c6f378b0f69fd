"""Counts of incidents and victims: every figure on the MARA dashboard, in the statistics API and
in the quarterly reports comes from these functions, so that a number means the same everywhere.

Conventions shared by every function here:

- `incidents` is a base queryset of Incident that the caller has already scoped, normally
  `crsv_mis.access.incidents_countable_by(user)`. These functions never widen it; they only add a
  period and group. Pass a queryset filtered on the incident's own columns; a filter through a
  to-many relation (victims, forms, perpetrators) is accepted but costs a subquery (see `_base`).
- Months are months of the **incident date** (`Incident.incident_date`), not of the date reported:
  the MARA analyses when violence happened. An incident dated to a range (captivity, historic
  cases) counts in the month its range starts; one dated to the month or year only counts in the
  month of its stored date. Periods are whole months, first and last month included.
- Months are written "YYYY-MM" in results; arguments are `datetime.date` (any day of the month).
- An incident counts once per key it has: an incident with two forms of CRSV counts under both,
  one with a woman and a girl under both groups. Breakdowns can therefore add up to more than the
  total; totals are always counts of distinct incidents and of victims.
- `unit="victims"` counts the victims of the incidents in each group. Per victim group it is the
  number of victims in that group; per form (or place, party...) it is every victim of the
  incidents with that form, whatever their group.
- Rows are plain dicts of JSON types, sorted deterministically. Labels are translated into the
  active language; keys are stable codes (choice codes, gazetteer pcodes, party ids as text) and
  `None` where nothing was recorded (an incident without territory, a perpetrator without a named
  party).
- Each counting function runs one SQL query (a GROUP BY), whatever the number of months.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .choices import CrsvFormCode, PartyType, SiteType, VerificationStatus, VictimGroup

INCIDENTS = "incidents"
VICTIMS = "victims"
UNITS = (INCIDENTS, VICTIMS)


@dataclass(frozen=True)
class Dimension:
    """How to group by one attribute of an incident.

    `key` and `label` are ORM paths for .values(). `choices` gives labels for coded keys.
    `incident_distinct` / `victim_distinct`: whether one incident (one victim) can meet the same
    key twice through the joins, so the count must be DISTINCT. A key that occurs at most once per
    incident (a column of the incident, or a form: the many-to-many table holds each pair once)
    needs no DISTINCT, and PostgreSQL then aggregates with a hash instead of sorting every group.
    """

    key: str
    label: str | None = None
    choices: type | None = None
    incident_distinct: bool = False
    victim_distinct: bool = False
    none_label: str = ""


DIMENSIONS = {
    "form": Dimension("forms__code", choices=CrsvFormCode, none_label=gettext_noop("No form recorded")),
    "admin1": Dimension("admin1__pcode", "admin1__name", none_label=gettext_noop("No province recorded")),
    "admin2": Dimension("admin2__pcode", "admin2__name", none_label=gettext_noop("No territory recorded")),
    # Two perpetrators of the same type (or party) in one incident: count the incident once.
    "party_type": Dimension("perpetrators__party_type", choices=PartyType, incident_distinct=True,
                            victim_distinct=True, none_label=gettext_noop("No perpetrator recorded")),
    "party": Dimension("perpetrators__party_id", "perpetrators__party__name", incident_distinct=True,
                       victim_distinct=True, none_label=gettext_noop("No named party")),
    # An incident with two women counts once under WOMEN; each victim row is still met once.
    "victim_group": Dimension("victims__victim_group", choices=VictimGroup, incident_distinct=True,
                              none_label=gettext_noop("No victim recorded")),
    "verification_status": Dimension("status", choices=VerificationStatus),
    "site_type": Dimension("site_type", choices=SiteType),
}
GROUP_BY = tuple(DIMENSIONS)

# The four headline groups of every report, plus unknown, in the order reports show them.
VICTIM_GROUP_ORDER = (VictimGroup.WOMEN, VictimGroup.MEN, VictimGroup.GIRLS, VictimGroup.BOYS,
                      VictimGroup.UNKNOWN)


# ---- months


def month_start(day):
    """The first day of the month of `day`."""
    return day.replace(day=1)


def add_months(day, months):
    """The first day of the month `months` after (or before, if negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start, end):
    """Number of months from the month of `start` to the month of `end`, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_list(start, end):
    """First days of every month from `start` to `end`, both included."""
    return [add_months(start, i) for i in range(max(months_between(start, end), 0))]


def month_key(day):
    return f"{day.year:04d}-{day.month:02d}"


# The years a month may be asked for (anything else is a typing error).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_month(text):
    """"YYYY-MM" -> first day of that month; ValueError for anything else."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        raise ValueError(f"not a month: {text!r}")
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        # Counting reaches a year before and a month after: keep every date a real one.
        raise ValueError(f"month out of range: {text!r}")
    return datetime.date(int(text[:4]), int(text[5:]), 1)


# The longest period one request may count: five years of months.
MAX_PERIOD_MONTHS = 60


def period_errors(start, end):
    """Errors per field ("to") for a period of months, or {} when `start`..`end` may be counted."""
    if start > end:
        return {"to": [_("The last month is before the first month.")]}
    if months_between(start, end) > MAX_PERIOD_MONTHS:
        return {"to": [_("Choose at most %(n)d months.") % {"n": MAX_PERIOD_MONTHS}]}
    return {}


def change(current, before):
    """How `current` compares with `before`: {"difference", "percent"}; percent is None from zero."""
    return {"difference": current - before,
            "percent": round(100 * (current - before) / before, 1) if before else None}


def _period(start, end):
    return {"from": month_key(start), "to": month_key(end)}


# ---- the counting queries


def _in_months(start, end):
    """Incidents dated in the months `start`..`end`: a plain range on the indexed incident_date."""
    return Q(incident_date__gte=month_start(start), incident_date__lt=add_months(end, 1))


def _base(incidents, start, end, *, also=()):
    """`incidents` limited to the months `start`..`end` (and to any other (start, end) in `also`),
    ordering cleared (it would join the GROUP BY).

    If the caller's queryset already joins another table (a filter through victims, say), grouping
    would reuse that join and quietly narrow the groups; counting `pk__in` the caller's set keeps
    its rows and leaves the grouping joins alone.
    """
    query = incidents.query
    if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
        incidents = incidents.model.objects.filter(pk__in=incidents.values("pk"))
    months = _in_months(start, end)
    for other_start, other_end in also:
        months |= _in_months(other_start, other_end)
    return incidents.filter(months).order_by()


def _count_expression(dimension, unit):
    if unit == INCIDENTS:
        return Count("pk", distinct=dimension.incident_distinct)
    if unit == VICTIMS:
        return Count("victims", distinct=dimension.victim_distinct)
    raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")


def _dimension(group_by):
    try:
        return DIMENSIONS[group_by]
    except KeyError:
        raise ValueError(f"unknown group_by {group_by!r}; expected one of {GROUP_BY}") from None


def label_for(dimension, key, name):
    if key is None:
        return _(dimension.none_label)
    if dimension.choices is not None:
        try:
            return str(dimension.choices(key).label)
        except ValueError:
            return str(key)
    return name if name is not None else str(key)


def key_order(key):
    # Rows without a key (nothing recorded) go last.
    return (key is None, "" if key is None else str(key))


def _grouped(incidents, *, start, end, group_by, measures, by_month):
    """One GROUP BY query; `measures` maps a result name to the unit it counts."""
    dimension = _dimension(group_by)
    groups = {"key_": F(dimension.key)}
    if dimension.label:
        groups["name_"] = F(dimension.label)
    if by_month:
        groups["month"] = TruncMonth("incident_date")
    counts = {name: _count_expression(dimension, unit) for name, unit in measures.items()}
    rows = _base(incidents, start, end).values(**groups).annotate(**counts)
    result = []
    for row in rows:
        key = None if row["key_"] is None else str(row["key_"])
        item = {"key": key, "label": label_for(dimension, key, row.get("name_"))}
        if by_month:
            item = {"month": month_key(row["month"]), **item}
        result.append(item | {name: row[name] for name in measures})
    return result


def monthly_counts(incidents, *, start, end, group_by, unit=INCIDENTS):
    """Counts per month of the incident date and per key of `group_by`, from `start` to `end`.

    Returns [{"month": "YYYY-MM", "key": code or None, "label": text, "count": n}, ...], sorted by
    month then key, with only the (month, key) pairs that have a count: a missing row is a zero.
    `group_by` is one of GROUP_BY; `unit` is "incidents" (distinct incidents) or "victims".
    """
    rows = _grouped(incidents, start=start, end=end, group_by=group_by, measures={"count": unit}, by_month=True)
    return sorted(rows, key=lambda r: (r["month"], key_order(r["key"])))


def victim_groups_in_order(rows, zero):
    """The five victim groups in the order of reports, zeros included, then anything else."""
    found = {r["key"]: r for r in rows}
    ordered = [found.pop(code, None) or {"key": code, "label": str(VictimGroup(code).label), **zero}
               for code in map(str, VICTIM_GROUP_ORDER)]
    return ordered + sorted(found.values(), key=lambda r: key_order(r["key"]))


def period_counts(incidents, *, start, end, group_by, unit=INCIDENTS):
    """Counts per key of `group_by` over the whole period `start`..`end` (one row per key).

    Rows {"key", "label", "count"}, largest count first (then by key). For victim_group the five
    groups always appear, in the order of reports (women, men, girls, boys, unknown), zeros included:
    a report must show that no man or boy was counted rather than leave the line out.
    """
    rows = _grouped(incidents, start=start, end=end, group_by=group_by, measures={"count": unit}, by_month=False)
    if group_by == "victim_group":
        return victim_groups_in_order(rows, {"count": 0})
    return sorted(rows, key=lambda r: (-r["count"], key_order(r["key"])))


def victim_group_counts(incidents, *, start, end):
    """Per victim group, incidents with a victim of the group and victims of the group, in one query.

    Rows {"key", "label", "incidents", "victims"}, the five groups in the order of reports, zeros
    included. Every victim has exactly one group, so the victims column adds up to all victims;
    the incidents column does not add up to all incidents (an incident with a woman and a girl
    counts in both groups).
    """
    return _victim_groups(incidents, {"rows": (start, end)})["rows"]


def _victim_groups(incidents, periods):
    """victim_group_counts for several periods {name: (start, end)} in one query: each period is a
    filtered count over the union of their months, so the victims table is read once."""
    dimension = DIMENSIONS["victim_group"]
    (_first, (start, end)), *others = periods.items()
    counts = {}
    for name, (p_start, p_end) in periods.items():
        months = _in_months(p_start, p_end) if len(periods) > 1 else None
        counts[f"{name}__incidents"] = Count("pk", distinct=dimension.incident_distinct, filter=months)
        counts[f"{name}__victims"] = Count("victims", distinct=dimension.victim_distinct, filter=months)
    rows = (_base(incidents, start, end, also=[p for _name, p in others])
            .values(key_=F(dimension.key)).annotate(**counts))
    result = {}
    for name in periods:
        found = [{"key": r["key_"], "label": label_for(dimension, r["key_"], None),
                  "incidents": r[f"{name}__incidents"], "victims": r[f"{name}__victims"]}
                 for r in rows if r[f"{name}__incidents"] or r[f"{name}__victims"]]
        result[name] = victim_groups_in_order(found, {"incidents": 0, "victims": 0})
    return result


def incident_count(incidents, *, start, end):
    """Distinct incidents over `start`..`end` (no join: the cheapest figure)."""
    return _base(incidents, start, end).count()


def totals(incidents, *, start, end):
    """{"incidents": distinct incidents, "victims": their victims} over `start`..`end`."""
    result = _base(incidents, start, end).aggregate(incidents=Count("pk", distinct=True), victims=Count("victims"))
    return {"incidents": result["incidents"] or 0, "victims": result["victims"] or 0}


def trend(incidents, *, end_month, months=12):
    """Incidents and victims per month for the `months` months ending with `end_month`, oldest first.

    Every month appears, zeros included: [{"month": "YYYY-MM", "incidents": n, "victims": n}, ...].
    """
    start = add_months(end_month, -(months - 1))
    base = _base(incidents, start, end_month).annotate(month=TruncMonth("incident_date")).values("month")
    # Victims from the incidents' own count: one scan of the date index, no join.
    found = {month_key(r["month"]): r for r in base.annotate(incidents=Count("pk"), victims=Sum("victim_count"))}
    return [{"month": key, "incidents": found[key]["incidents"] if key in found else 0,
             "victims": found[key]["victims"] if key in found else 0}
            for key in map(month_key, month_list(start, end_month))]


def hotspots(incidents, *, start, end, limit=5):
    """Territories (admin2) with the most incidents in `start`..`end`, and with the sharpest rise.

    The rise compares the period with the preceding period of the same number of months (for one
    month, the month before). It is ranked by the absolute rise in incidents, largest first: a
    percentage from a small base (1 to 3 is +200%) would put quiet places above real surges. The
    percentage is given beside it, `None` when the preceding period had no incident (a new area).
    Only territories with a rise above zero appear. Incidents recorded without a territory are left
    out. One query counts both periods.

    Returns {"period", "previous_period", "most_incidents": rows, "sharpest_rise": rows}, each row
    {"key": pcode, "label": territory, "admin1": province, "count", "previous", "rise", "rise_pct"}.
    """
    start, end = month_start(start), month_start(end)
    length = months_between(start, end)
    previous_start = add_months(start, -length)
    previous_end = add_months(start, -1)
    rows = (_base(incidents, previous_start, end).filter(admin2__isnull=False)
            .values("admin2__pcode", "admin2__name", "admin1__name")
            .annotate(current=Count("pk", filter=Q(incident_date__gte=start)),
                      previous=Count("pk", filter=Q(incident_date__lt=start))))
    areas = []
    for row in rows:
        current, previous = row["current"], row["previous"]
        areas.append({
            "key": row["admin2__pcode"], "label": row["admin2__name"], "admin1": row["admin1__name"],
            "count": current, "previous": previous, "rise": current - previous,
            "rise_pct": round(100 * (current - previous) / previous, 1) if previous else None,
        })
    most = sorted((a for a in areas if a["count"]), key=lambda a: (-a["count"], a["key"]))[:limit]
    rising = sorted((a for a in areas if a["rise"] > 0), key=lambda a: (-a["rise"], a["key"]))[:limit]
    return {"period": _period(start, end), "previous_period": _period(previous_start, previous_end),
            "most_incidents": most, "sharpest_rise": rising}


# ---- everything for a period, in one JSON-ready dict


def _as_counts(rows, measure):
    return [{"key": r["key"], "label": r["label"], "count": r[measure]} for r in rows]


def period_figures(incidents, *, start, end):
    """Every figure the MARA reviews for the months `start`..`end`.

    {
      "period": {"from": "YYYY-MM", "to": "YYYY-MM"},
      "totals": {"incidents": n, "victims": n},
      "incidents_by": {group_by: rows of period_counts, for every group_by in GROUP_BY},
      "victims_by": {"victim_group": rows},
      "year_before": {                          the same months a year earlier
          "period", "totals", "incidents_by": {"victim_group": rows}, "victims_by": {"victim_group": rows}},
      "hotspots": see hotspots(),
    }
    Rows are {"key", "label", "count"}; victim group rows always list the five groups.

    Ten queries whatever the length of the period. One victim group query counts incidents and
    victims for the period and the year before at once. The totals need no query of their own:
    every incident has exactly one verification status and every victim exactly one victim group,
    so the status rows add up to the incidents and the victim group rows to the victims.
    """
    start, end = month_start(start), month_start(end)
    before_start, before_end = add_months(start, -12), add_months(end, -12)
    both = _victim_groups(incidents, {"now": (start, end), "before": (before_start, before_end)})
    groups, before = both["now"], both["before"]
    incidents_by = {g: _as_counts(groups, INCIDENTS) if g == "victim_group"
                    else period_counts(incidents, start=start, end=end, group_by=g) for g in GROUP_BY}
    return {
        "period": _period(start, end),
        "totals": {"incidents": sum(r["count"] for r in incidents_by["verification_status"]),
                   "victims": sum(r["victims"] for r in groups)},
        "incidents_by": incidents_by,
        "victims_by": {"victim_group": _as_counts(groups, VICTIMS)},
        "year_before": {
            "period": _period(before_start, before_end),
            "totals": {"incidents": incident_count(incidents, start=before_start, end=before_end),
                       "victims": sum(r["victims"] for r in before)},
            "incidents_by": {"victim_group": _as_counts(before, INCIDENTS)},
            "victims_by": {"victim_group": _as_counts(before, VICTIMS)},
        },
        "hotspots": hotspots(incidents, start=start, end=end),
    }


def month_figures(incidents, month_start):
    """Every figure of one month (see period_figures), plus "month": "YYYY-MM".

    The endorsement of a monthly analysis freezes this dict as its snapshot, so its shape is
    stable: same input, same output, keys and rows in a fixed order.
    """
    first = month_start.replace(day=1)  # the parameter shadows the module's month_start()
    return {"month": month_key(first), **period_figures(incidents, start=first, end=first)}
