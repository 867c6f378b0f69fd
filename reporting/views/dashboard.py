"""The trends dashboard: a month's (or a range's) counts, the same period a year before, the last
twelve months as a chart, and hotspots. Aggregates only (layer C): never a reference, name or
narrative. Figures come from the rollup (reporting.figures, over figures.scope_for), charts from
crsv_mis.charts; this module only reads the period, lays the figures out and records the view.

The MARA room (SWPA, chair, members) reads every count, territories included, for any month or range.
Leadership reads the page as figures leave the MARA room (crsv_mis.disclosure): whole quarters
only, and only a quarter whose quarterly report was released, with that report's frozen figures as
its external edition shows them (reporting.editions.shown_figures). See `_outside_the_room`.
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

from .. import editions, figures, quarterly
from ..forms import MonthField
from ..models import QuarterlyReport, ReportStatus

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
TREND_MONTHS = 12


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


def _released_figures(mission_id, year, quarter):
    """The EXTERNAL edition's figures of the latest released report of a quarter, or None."""
    report = quarterly.released_version(mission_id, year, quarter)
    return None if report is None else editions.shown_figures(report.figures)


def _latest_released_quarter(mission_id):
    """(year, quarter) of the mission's latest released report, or None."""
    report = (QuarterlyReport.objects.filter(mission_id=mission_id, status=ReportStatus.RELEASED)
              .order_by("-year", "-quarter").first())
    return None if report is None else (report.year, report.quarter)


def _exact(values):
    return all(disclosure.is_exact(v) for v in values)


def _outside_the_room(mission_id, year, quarter):
    """The page as it may leave the MARA room (leadership), or None while the quarter has no
    released report.

    Leadership reads the frozen figures of a quarter's released report, as its external edition
    shows them (reporting.editions.shown_figures: suppression, order, provinces only), never live
    counts: live figures read before and after one new incident would give that incident's
    profile away. Another quarter (the same quarter a year before, the trend) reads as its own
    page shows it when it was released, else as this report's headline table shows it. A chart is
    drawn only when nothing on it is withheld.
    """
    shown = _released_figures(mission_id, year, quarter)
    if shown is None:
        return None
    trend = []
    for row in shown["quarters"]:
        own = (_released_figures(mission_id, row["year"], row["quarter"])
               if row["year"] and (row["year"], row["quarter"]) != (year, quarter) else None)
        totals = own["totals"] if own is not None else {"incidents": row["incidents"], "victims": row["victims"]}
        label = quarter_key(row["year"], row["quarter"]) if row["year"] else ""
        trend.append({"month": label, **totals})
    trend[-1].update(shown["totals"])
    totals, totals_before = shown["totals"], {"incidents": trend[0]["incidents"], "victims": trend[0]["victims"]}
    before = _released_figures(mission_id, year - 1, quarter)
    before_groups = {r["key"]: r for r in before["by"]["victim_group"]} if before else {}
    groups = [{"label": r["label"], "incidents": r["incidents"], "victims": r["victims"],
               "incidents_before": before_groups[r["key"]]["incidents"] if r["key"] in before_groups
               else disclosure.NOT_SHOWN,
               "victims_before": before_groups[r["key"]]["victims"] if r["key"] in before_groups
               else disclosure.NOT_SHOWN}
              for r in shown["by"]["victim_group"]]
    start, end = quarterly.quarter_months(year, quarter)
    breakdowns = []
    for key, caption, chart_title in BREAKDOWNS:
        rows = [{"key": r["key"], "label": r["label"], "count": r["incidents"]} for r in shown["by"][key]]
        chart = (_bar_chart(rows, chart_title, start, end)
                 if key in CHARTED and rows and _exact(r["count"] for r in rows) else None)
        breakdowns.append({"key": key, "title": caption, "chart_title": chart_title, "chart": chart, "rows": rows})

    def change(unit):
        now, then = totals[unit], totals_before[unit]
        return stats.change(now, then) if _exact((now, then)) else {"withheld": True}

    def area(row):
        return {**row, "rise_withheld": not disclosure.is_exact(row["rise"]),
                "rise_pct": row["rise_pct"] if disclosure.is_exact(row["rise_pct"]) else None}

    previous_start, previous_end = quarterly.quarter_months(*quarterly.shift_quarter(year, quarter, -1))
    before_start, before_end = quarterly.quarter_months(year - 1, quarter)
    exact_trend = _exact(row[unit] for row in trend for unit in ("incidents", "victims"))
    return {
        "totals": totals,
        "totals_before": totals_before,
        "change": {unit: change(unit) for unit in ("incidents", "victims")},
        "period_before_label": _period_label(before_start, before_end),
        "groups": groups,
        "breakdowns": breakdowns,
        "hotspots": {"most_incidents": [area(r) for r in shown["hotspots"]["most_incidents"]],
                     "sharpest_rise": [area(r) for r in shown["hotspots"]["sharpest_rise"]]},
        "previous_period_label": _period_label(previous_start, previous_end),
        "provinces_only": True,
        "trend": trend,
        "trend_chart": _trend_chart(trend, by_quarter=True) if exact_trend and trend[0]["month"] else None,
        "trend_by_quarter": True,
    }


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
    if not in_the_room and not (form.is_bound and form.cleaned_data.get("quarter")):
        latest = _latest_released_quarter(scope.mission_id)
        if latest is not None:  # the quarter under way is never released: open the latest that was
            start, end = quarterly.quarter_months(*latest)
    if in_the_room:
        counted = figures.period_figures(scope, start=start, end=end)
        # A range longer than a year is charted whole; a month or short range shows the last twelve months.
        trend = figures.trend(scope, end_month=end, months=max(TREND_MONTHS, stats.months_between(start, end)))
        laid_out = _layout(counted, trend, start, end)
    else:
        laid_out = _outside_the_room(scope.mission_id, *quarterly.quarter_of(start))
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
