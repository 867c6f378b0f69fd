"""The trends dashboard: a month's (or a range's) counts, the same period a year before, the last
twelve months as a chart, and hotspots. Aggregates only (layer C): never a reference, name or
narrative. Figures come from the rollup (reporting.figures, over figures.scope_for), charts from
crsv_mis.charts; this module only reads the period, lays the figures out and records the view.

The MARA room (SWPA, chair, members) reads every count, territories included, for any month or range.
Leadership reads the same page as it may leave the MARA room (DOMAIN.md, "Survivor safety rules"):
whole quarters only, every count through small-cell suppression (crsv_mis.disclosure), places no
finer than the province, and a chart only where no count on it is suppressed. See
`_outside_the_room` and `_quarterly_trend`.
"""


from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crsv_mis import access, audit, charts, disclosure
from incidents import stats

from .. import figures, quarterly
from ..forms import MonthField

# The breakdowns, in the order the working group reads them (victim groups have their own table):
# key, table caption, chart title.
BREAKDOWNS = (
    ("form", gettext_lazy("Forms of CRSV"), gettext_lazy("Incidents by form of CRSV")),
    ("admin1", gettext_lazy("Province"), gettext_lazy("Incidents by province")),
    ("party_type", gettext_lazy("Type of alleged perpetrator"),
     gettext_lazy("Incidents by type of alleged perpetrator")),
    ("party", gettext_lazy("Alleged perpetrator party"), gettext_lazy("Incidents by alleged perpetrator party")),
    ("verification_status", gettext_lazy("Verification status"), gettext_lazy("Incidents by verification status")),
    ("site_type", gettext_lazy("Type of site"), gettext_lazy("Incidents by type of site")),
)
# Drawn as bar charts beside their tables; the others are tables only, to keep the page light.
CHARTED = ("form", "party_type")
# Breakdowns whose rows add up to the incidents of the period (each incident has exactly one
# province, verification status and type of site): outside the MARA room they pass secondary
# suppression against that total. The others (forms, perpetrators) count an incident under each
# key it has, so no total recomputes one of their cells.
ADD_UP_TO_INCIDENTS = ("admin1", "verification_status", "site_type")
TREND_MONTHS = 12
TREND_QUARTERS = 5


def parse_quarter(text):
    """"YYYY-Qn" -> (year, quarter); ValueError for anything else."""
    text = (text or "").strip().upper()
    if len(text) != 7 or text[4:6] != "-Q" or not text[:4].isdigit() or text[6] not in "1234":
        raise ValueError(f"not a quarter: {text!r}")
    if not stats.FIRST_YEAR <= int(text[:4]) <= stats.LAST_YEAR:
        raise ValueError(f"quarter out of range: {text!r}")
    return int(text[:4]), int(text[6])


def quarter_key(year, quarter):
    return f"{year:04d}-Q{quarter}"


class QuarterField(forms.CharField):
    """A calendar quarter as "YYYY-Qn", cleaned to (year, quarter)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_quarter(value)
        except ValueError:
            raise forms.ValidationError(_("Choose a quarter, for example 2026-Q1.")) from None


class PeriodForm(forms.Form):
    """`?month=YYYY-MM` for one month, `?from=YYYY-MM&to=YYYY-MM` for a range, or `?quarter=YYYY-Qn`.

    Outside the MARA room (`by_quarter`), only whole calendar quarters: figures of overlapping
    periods (a month, then the month and the one before) would give away a small count as their
    difference; quarters never overlap, and each is suppressed the same way whenever it is shown.
    """

    month = MonthField(label=gettext_lazy("Month"), required=False)
    quarter = QuarterField(label=gettext_lazy("Quarter"), required=False)

    def __init__(self, *args, by_quarter=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_quarter = by_quarter
        # "from" is a Python keyword, so these two fields cannot be class attributes.
        self.fields["from"] = MonthField(label=pgettext_lazy("start of a date range", "From"), required=False)
        self.fields["to"] = MonthField(label=pgettext_lazy("end of a date range", "To"), required=False)

    def clean(self):
        data = super().clean()
        if self.by_quarter:
            for field in ("month", "from", "to"):
                if data.get(field):
                    self.add_error("quarter", _("Figures outside the MARA room are shown by quarter: choose a "
                                                "quarter."))
                    break
            return data
        start, end = data.get("from"), data.get("to")
        if start or end:
            if not start and "from" not in self.errors:
                self.add_error("from", _("Give the first month of the range."))
            if not end and "to" not in self.errors:
                self.add_error("to", _("Give the last month of the range."))
            if start and end:
                for field, messages in stats.period_errors(start, end).items():
                    for message in messages:
                        self.add_error(field, message)
        return data

    def period(self, today):
        """(first month, last month); the current month (by quarter: quarter) when nothing was asked."""
        data = self.cleaned_data if self.is_bound else {}
        if self.by_quarter or data.get("quarter"):
            return quarterly.quarter_months(*(data.get("quarter") or quarterly.quarter_of(today)))
        if data.get("from") and data.get("to"):
            return data["from"], data["to"]
        month = data.get("month") or stats.month_start(today)
        return month, month


def _month_label(day):
    return date_format(day, "YEAR_MONTH_FORMAT")


def _period_label(start, end):
    if start == end:
        return _month_label(start)
    return _("%(start)s to %(end)s") % {"start": _month_label(start), "end": _month_label(end)}


def _period_description(start, end):
    return _("Number of incidents in %(period)s in each category, largest first; an incident can count in "
             "several.") % {"period": _period_label(start, end)}


def _bar_chart(rows, chart_title, start, end):
    # charts.py escapes every label and title it draws.
    return mark_safe(charts.bar_chart(  # noqa: S308  # nosec B308 B703
        [(r["label"], r["count"]) for r in rows], title=str(chart_title), description=_period_description(start, end)))


def _trend_chart(trend, by_quarter=False):
    periods = [row["month"] for row in trend]
    if by_quarter:
        title = _("Incidents and victims per quarter")
        description = _("Incidents and victims per quarter of the incident date, from %(first)s to %(last)s.")
    else:
        title = _("Incidents and victims per month")
        description = _("Incidents and victims per month of the incident date, from %(first)s to %(last)s.")
    # charts.py escapes every label and title it draws.
    return mark_safe(charts.month_chart(  # noqa: S308  # nosec B308 B703
        periods, [(_("Incidents"), [r["incidents"] for r in trend]), (_("Victims"), [r["victims"] for r in trend])],
        title=title, description=description % {"first": periods[0], "last": periods[-1]}))


def _layout(counted, trend, start, end):
    """The figures dict of reporting.figures.period_figures laid out for the MARA room (every count as
    it is, territories included), with the charts drawn."""
    year_before = counted["year_before"]
    now_incidents = {r["key"]: r["count"] for r in counted["incidents_by"]["victim_group"]}
    before_incidents = {r["key"]: r["count"] for r in year_before["incidents_by"]["victim_group"]}
    before_victims = {r["key"]: r["count"] for r in year_before["victims_by"]["victim_group"]}
    groups = [{"label": r["label"], "incidents": now_incidents.get(r["key"], 0), "victims": r["count"],
               "incidents_before": before_incidents.get(r["key"], 0),
               "victims_before": before_victims.get(r["key"], 0)}
              for r in counted["victims_by"]["victim_group"]]
    breakdowns = []
    for key, caption, chart_title in BREAKDOWNS:
        rows = counted["incidents_by"][key]
        chart = _bar_chart(rows, chart_title, start, end) if key in CHARTED and rows else None
        breakdowns.append({"key": key, "title": caption, "chart_title": chart_title, "rows": rows, "chart": chart})
    totals, totals_before = counted["totals"], year_before["totals"]
    return {
        "totals": totals,
        "totals_before": totals_before,
        "change": {unit: stats.change(totals[unit], totals_before[unit]) for unit in ("incidents", "victims")},
        "period_before_label": _period_label(stats.parse_month(year_before["period"]["from"]),
                                             stats.parse_month(year_before["period"]["to"])),
        "groups": groups,
        "breakdowns": breakdowns,
        "trend": trend,
        "trend_chart": _trend_chart(trend),
        "hotspots": counted["hotspots"],
        "previous_period_label": _period_label(stats.parse_month(counted["hotspots"]["previous_period"]["from"]),
                                               stats.parse_month(counted["hotspots"]["previous_period"]["to"])),
    }


def _outside_the_room(counted, scope, start, end, before_totals=None):
    """The same figures as _layout, as they may leave the MARA room (leadership).

    - Every count passes primary suppression: from 1 to threshold - 1 it reads "<5".
    - A column whose cells add up to a total shown on the page (victims per victim group add up to
      the victims, provinces, verification statuses and types of site to the incidents, the months
      passes secondary suppression against it
      (disclosure.suppress), so no small cell can be worked out as the total minus the others.
      Should a column have to withhold its total, the Totals table withholds it too.
    - A comparison (the change against the year before, a hotspot's rise) is withheld when either
      side is suppressed: "+9" beside 12 would give away the 3 behind "<5".
    - Places go no finer than the province: hotspots rank provinces (figures.hotspots at admin1),
      and a province's count there is the one its row shows in the province table, so the two
      tables never disagree on what they withhold. No territory appears anywhere.
    - Charts are drawn only when no count they would draw is suppressed: a bar or a point is an
      exact height (and carries its value), and "<5" has no height. The form and perpetrator type
      charts are then left out; their tables still show the suppressed counts.
    - Periods are whole quarters (PeriodForm), so no two periods overlap. The totals of another
      quarter (the same quarter a year before; the quarterly trend, see _quarterly_trend) are shown
      as that quarter's own page shows them, so that no quarter is shown two ways.
    """
    withheld_totals = set()

    def primary(values):
        return disclosure.suppress(values)[0]

    def with_total(values, total, name):
        shown, shown_total = disclosure.suppress(values, total)
        if shown_total == disclosure.WITHHELD:
            withheld_totals.add(name)
        return shown

    year_before = counted["year_before"]
    totals, totals_before = counted["totals"], year_before["totals"]

    victims = counted["victims_by"]["victim_group"]
    keys = [r["key"] for r in victims]
    now_incidents = {r["key"]: r["count"] for r in counted["incidents_by"]["victim_group"]}
    before_incidents = {r["key"]: r["count"] for r in year_before["incidents_by"]["victim_group"]}
    before_victims = {r["key"]: r["count"] for r in year_before["victims_by"]["victim_group"]}
    columns = {
        # An incident with a woman and a girl counts under both: the incidents columns add up to
        # nothing shown, and pass primary suppression only.
        "incidents": primary([now_incidents.get(k, 0) for k in keys]),
        "victims": with_total([r["count"] for r in victims], totals["victims"], "victims"),
        "incidents_before": primary([before_incidents.get(k, 0) for k in keys]),
        "victims_before": with_total([before_victims.get(k, 0) for k in keys], totals_before["victims"],
                                     "victims_before"),
    }
    groups = [{"label": r["label"], **{column: shown[i] for column, shown in columns.items()}}
              for i, r in enumerate(victims)]

    breakdowns, by_province, shown_by = [], {}, {}
    for key, _caption, _chart_title in BREAKDOWNS:
        values = [r["count"] for r in counted["incidents_by"][key]]
        shown_by[key] = (with_total(values, totals["incidents"], "incidents") if key in ADD_UP_TO_INCIDENTS
                         else primary(values))
    if "incidents" in withheld_totals:
        # One table had to withhold the total: the others that add up to it withhold their exact
        # counts too, or their sum would give the total back.
        for key in ADD_UP_TO_INCIDENTS:
            shown_by[key] = disclosure.withhold_exact(shown_by[key])
    for key, caption, chart_title in BREAKDOWNS:
        rows = counted["incidents_by"][key]
        values = [r["count"] for r in rows]
        shown = shown_by[key]
        if key == "admin1":
            by_province = {r["key"]: value for r, value in zip(rows, shown, strict=True)}
        chart = _bar_chart(rows, chart_title, start, end) if key in CHARTED and rows and shown == values else None
        breakdowns.append({"key": key, "title": caption, "chart_title": chart_title, "chart": chart,
                           "rows": [{**r, "count": value} for r, value in zip(rows, shown, strict=True)]})

    hot = figures.hotspots(scope, start=start, end=end, level="admin1")
    previous_start = stats.parse_month(hot["previous_period"]["from"])
    previous_end = stats.parse_month(hot["previous_period"]["to"])
    # The period before, per province: its provinces add up to its incidents, which the trend shows.
    before_rows = figures.period_counts(scope, start=previous_start, end=previous_end, group_by="admin1")
    before_values = [r["count"] for r in before_rows]
    before_shown = dict(zip([r["key"] for r in before_rows], with_total(before_values, sum(before_values),
                                                                        "previous"), strict=True))

    def area(row):
        count = by_province.get(row["key"], primary([row["count"]])[0])
        previous = before_shown.get(row["key"], 0)
        exact = isinstance(count, int) and isinstance(previous, int)
        return {"key": row["key"], "label": row["label"], "count": count, "previous": previous,
                "rise": row["rise"] if exact else disclosure.WITHHELD, "rise_pct": row["rise_pct"] if exact else None,
                "rise_withheld": not exact}

    def total(value, name):
        return disclosure.WITHHELD if name in withheld_totals else primary([value])[0]

    shown_totals = {"incidents": total(totals["incidents"], "incidents"),
                    "victims": total(totals["victims"], "victims")}
    if before_totals is None:
        shown_before = {"incidents": primary([totals_before["incidents"]])[0],
                        "victims": total(totals_before["victims"], "victims_before")}
    else:  # as that period's own page shows them
        shown_before = before_totals

    def change(unit):
        now, before = shown_totals[unit], shown_before[unit]
        if isinstance(now, int) and isinstance(before, int):
            return stats.change(now, before)
        return {"withheld": True}

    return {
        "totals": shown_totals,
        "totals_before": shown_before,
        "change": {unit: change(unit) for unit in ("incidents", "victims")},
        "period_before_label": _period_label(stats.parse_month(year_before["period"]["from"]),
                                             stats.parse_month(year_before["period"]["to"])),
        "groups": groups,
        "breakdowns": breakdowns,
        "hotspots": {**hot, "most_incidents": [area(r) for r in hot["most_incidents"]],
                     "sharpest_rise": [area(r) for r in hot["sharpest_rise"]]},
        "previous_period_label": _period_label(previous_start, previous_end),
        "provinces_only": True,
    }


def _shown_totals(scope, start, end):
    """The totals of a period as its own page shows them outside the MARA room."""
    return _outside_the_room(figures.period_figures(scope, start=start, end=end), scope, start, end)["totals"]


def _quarterly_trend(scope, start, shown_now):
    """Outside the MARA room, the trend is the quarter and the four before it, each as its own page
    shows its totals: months would add up to a quarter's total and give a small month away. The
    chart is drawn only when no value on it is suppressed."""
    year, quarter = quarterly.quarter_of(start)
    rows = []
    for back in range(TREND_QUARTERS - 1, 0, -1):
        y, q = quarterly.shift_quarter(year, quarter, -back)
        rows.append({"month": quarter_key(y, q), **_shown_totals(scope, *quarterly.quarter_months(y, q))})
    rows.append({"month": quarter_key(year, quarter), **shown_now})
    exact = all(isinstance(row[unit], int) and (row[unit] == 0 or row[unit] >= disclosure.threshold())
                for row in rows for unit in ("incidents", "victims"))
    return {"trend": rows, "trend_chart": _trend_chart(rows, by_quarter=True) if exact else None,
            "trend_by_quarter": True}


def _quarter_choices(start, today):
    """Leadership's quarter picker: the quarter shown, the one before and after, the last five years."""
    shown, now = quarterly.quarter_of(start), quarterly.quarter_of(today)
    choices = [quarter_key(*quarterly.shift_quarter(*now, -back)) for back in range(20)]
    after = quarterly.shift_quarter(*shown, 1)
    return {"quarter": quarter_key(*shown), "quarter_choices": choices,
            "previous_quarter": quarter_key(*quarterly.shift_quarter(*shown, -1)),
            "next_quarter": quarter_key(*after) if after <= now else ""}


def _form_values(request, start=None, end=None):
    """What the period inputs show: what was asked, else the period on screen."""
    if start is None:
        return {key: request.GET.get(key, "") for key in ("month", "from", "to")}
    return {"month": stats.month_key(start) if start == end else "",
            "from": stats.month_key(start), "to": stats.month_key(end)}


@login_required
def dashboard(request):
    if not access.can_read_aggregates(request.user):
        raise PermissionDenied
    scope = figures.scope_for(request.user)
    if scope is None:  # an aggregate reader attached to no mission has nothing to count
        raise PermissionDenied
    in_the_room = access.can_read_fine_aggregates(request.user)
    form = PeriodForm(request.GET or None, by_quarter=not in_the_room)
    today = timezone.localdate()
    if form.is_bound and not form.is_valid():
        return render(request, "reporting/dashboard.html", {
            "form": form, "values": _form_values(request), "suppressed": not in_the_room,
            **({} if in_the_room else _quarter_choices(stats.month_start(today), today))}, status=400)
    start, end = form.period(today)
    counted = figures.period_figures(scope, start=start, end=end)
    # A range longer than a year is charted whole; a month or short range shows the last twelve months.
    trend = figures.trend(scope, end_month=end, months=max(TREND_MONTHS, stats.months_between(start, end)))
    if in_the_room:
        laid_out = _layout(counted, trend, start, end)
    else:
        before = counted["year_before"]["period"]
        laid_out = _outside_the_room(counted, scope, start, end, before_totals=_shown_totals(
            scope, stats.parse_month(before["from"]), stats.parse_month(before["to"])))
        laid_out.update(_quarterly_trend(scope, start, laid_out["totals"]))
    audit.record("stats.dashboard_view", request=request,
                 detail={"from": stats.month_key(start), "to": stats.month_key(end)})
    single = start == end
    this_month = stats.month_start(today)
    return render(request, "reporting/dashboard.html", {
        "form": form,
        "values": _form_values(request, start, end),
        "period_label": _period_label(start, end),
        "single_month": single,
        "previous_month": stats.month_key(stats.add_months(start, -1)) if single else "",
        "next_month": stats.month_key(stats.add_months(start, 1)) if single and start < this_month else "",
        "figures": laid_out,
        "suppressed": not in_the_room,
        **({} if in_the_room else _quarter_choices(start, today)),
        "threshold": disclosure.threshold(),
        "withheld_mark": disclosure.WITHHELD,
    })
