"""The MARA trends dashboard: a month's (or a range's) counts, the same period a year before, the
last twelve months as a chart, and hotspots. Aggregates only (layer C): never a reference, name or
narrative. Figures come from incidents.stats over access.incidents_countable_by, charts from
crsv_mis.charts; this module only reads the period, lays the figures out and records the view."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crsv_mis import access, audit, charts
from incidents import stats

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


class MonthField(forms.CharField):
    """A month as "YYYY-MM" (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return stats.parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-01.")) from None


class PeriodForm(forms.Form):
    """`?month=YYYY-MM` for one month, or `?from=YYYY-MM&to=YYYY-MM` for a range."""

    month = MonthField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two fields cannot be class attributes.
        self.fields["from"] = MonthField(label=gettext_lazy("From"), required=False)
        self.fields["to"] = MonthField(label=gettext_lazy("To"), required=False)

    def clean(self):
        data = super().clean()
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
        """(first month, last month); the current month when nothing was asked."""
        data = self.cleaned_data if self.is_bound else {}
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


def _layout(figures, trend, start, end):
    """The figures dict of stats.period_figures laid out for the template, with the charts drawn."""
    year_before = figures["year_before"]
    now_incidents = {r["key"]: r["count"] for r in figures["incidents_by"]["victim_group"]}
    before_incidents = {r["key"]: r["count"] for r in year_before["incidents_by"]["victim_group"]}
    before_victims = {r["key"]: r["count"] for r in year_before["victims_by"]["victim_group"]}
    groups = [{"label": r["label"], "incidents": now_incidents.get(r["key"], 0), "victims": r["count"],
               "incidents_before": before_incidents.get(r["key"], 0),
               "victims_before": before_victims.get(r["key"], 0)}
              for r in figures["victims_by"]["victim_group"]]
    breakdowns = []
    for key, caption, chart_title in BREAKDOWNS:
        rows = figures["incidents_by"][key]
        chart = None
        if key in CHARTED and rows:
            chart = mark_safe(charts.bar_chart(  # noqa: S308 - charts.py escapes every label
                [(r["label"], r["count"]) for r in rows], title=str(chart_title),
                description=_("Number of incidents in %(period)s in each category, largest first; an incident "
                              "can count in several.") % {"period": _period_label(start, end)}))
        breakdowns.append({"key": key, "title": caption, "chart_title": chart_title, "rows": rows, "chart": chart})
    months = [row["month"] for row in trend]
    trend_chart = mark_safe(charts.month_chart(  # noqa: S308 - charts.py escapes every label
        months, [(_("Incidents"), [r["incidents"] for r in trend]), (_("Victims"), [r["victims"] for r in trend])],
        title=_("Incidents and victims per month"),
        description=_("Incidents and victims per month of the incident date, from %(first)s to %(last)s.")
        % {"first": months[0], "last": months[-1]}))
    totals, totals_before = figures["totals"], year_before["totals"]
    return {
        "totals": totals,
        "totals_before": totals_before,
        "change": {unit: stats.change(totals[unit], totals_before[unit]) for unit in ("incidents", "victims")},
        "period_before_label": _period_label(stats.parse_month(year_before["period"]["from"]),
                                             stats.parse_month(year_before["period"]["to"])),
        "groups": groups,
        "breakdowns": breakdowns,
        "trend": trend,
        "trend_chart": trend_chart,
        "hotspots": figures["hotspots"],
        "previous_period_label": _period_label(stats.parse_month(figures["hotspots"]["previous_period"]["from"]),
                                               stats.parse_month(figures["hotspots"]["previous_period"]["to"])),
    }


def _form_values(request, start=None, end=None):
    """What the period inputs show: what was asked, else the period on screen."""
    if start is None:
        return {key: request.GET.get(key, "") for key in ("month", "from", "to")}
    return {"month": stats.month_key(start) if start == end else "",
            "from": stats.month_key(start), "to": stats.month_key(end)}


@login_required
def dashboard(request):
    if not access.can_read_fine_aggregates(request.user):
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    if form.is_bound and not form.is_valid():
        return render(request, "mara/dashboard.html", {"form": form, "values": _form_values(request)}, status=400)
    start, end = form.period(today)
    incidents = access.incidents_countable_by(request.user)
    figures = stats.period_figures(incidents, start=start, end=end)
    # A range longer than a year is charted whole; a month or short range shows the last twelve months.
    trend = stats.trend(incidents, end_month=end, months=max(TREND_MONTHS, stats.months_between(start, end)))
    audit.record("stats.dashboard_view", request=request,
                 detail={"from": stats.month_key(start), "to": stats.month_key(end)})
    single = start == end
    this_month = stats.month_start(today)
    return render(request, "mara/dashboard.html", {
        "form": form,
        "values": _form_values(request, start, end),
        "period_label": _period_label(start, end),
        "single_month": single,
        "previous_month": stats.month_key(stats.add_months(start, -1)) if single else "",
        "next_month": stats.month_key(stats.add_months(start, 1)) if single and start < this_month else "",
        "figures": _layout(figures, trend, start, end),
    })
