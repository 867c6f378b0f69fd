"""The trends dashboard as leadership reads it, added to a disclosure audit problem
(reporting.audience_audit, LEADERSHIP).

Leadership picks any whole quarter; each page shows that quarter's figures, the same quarter a year
before (its totals and victim groups), the province counts of the quarter before (hotspots) and the
totals of the four quarters before (trend). All are counted now, from the rollup, so a figure of
quarter P is one variable ("dashboard P:...") on every page that shows it. The pages of the audited
quarter and of the four before and after it are added: together they show every figure of it.
"""

from django.utils import timezone

from incidents import stats

from . import figures, quarterly
from .views import dashboard

NAME = "dashboard"
# Pages this many quarters before and after the audited one show some of its figures.
SPAN = quarterly.COMPARED_QUARTERS


def _page_name(year, quarter, *parts):
    return ":".join([f"{NAME} {year}Q{quarter}", *map(str, parts)])


def add_dashboard(problem, mission, year, quarter, *, today=None):
    today = today or timezone.localdate()
    now = quarterly.quarter_of(today)
    # What leadership counts (access.aggregate_scope): without information received under an
    # information-sharing protocol.
    scope = figures.Scope(mission_id=mission.pk, include_isp=False)
    for back in range(-SPAN, SPAN + 1):
        page = quarterly.shift_quarter(year, quarter, back)
        if page > now:
            continue
        _add_page(problem, scope, *page)


def _add_page(problem, scope, year, quarter):
    start, end = quarterly.quarter_months(year, quarter)
    counted = figures.period_figures(scope, start=start, end=end)
    before_year, before_quarter = quarterly.shift_quarter(year, quarter, -4)
    before = counted["year_before"]["period"]
    laid_out = dashboard._outside_the_room(counted, scope, start, end, before_totals=dashboard._shown_totals(
        scope, stats.parse_month(before["from"]), stats.parse_month(before["to"])))
    laid_out.update(dashboard._quarterly_trend(scope, start, laid_out["totals"]))
    where = f"{NAME} {year}Q{quarter}"

    def var(*parts, page=(year, quarter)):
        return _page_name(*page, *parts)

    def show(variable, value, *place, truth=None):
        problem.show(variable, value, (where, *place), truth=truth)

    totals = counted["totals"]
    for unit in ("incidents", "victims"):
        show(var("totals", unit), laid_out["totals"][unit], "totals", unit, truth=totals[unit])
        show(var("totals", unit, page=(before_year, before_quarter)), laid_out["totals_before"][unit],
             "totals", f"{unit} a year before", truth=counted["year_before"]["totals"][unit])
    # Victim groups, this quarter and a year before: victims add up to the victims; an incident with
    # victims in two groups counts in both, so incidents are each at most the total.
    now_victims = counted["victims_by"]["victim_group"]
    keys = [r["key"] for r in now_victims]
    truths = {
        ("incidents", (year, quarter)): {r["key"]: r["count"] for r in counted["incidents_by"]["victim_group"]},
        ("victims", (year, quarter)): {r["key"]: r["count"] for r in now_victims},
        ("incidents", (before_year, before_quarter)): {
            r["key"]: r["count"] for r in counted["year_before"]["incidents_by"]["victim_group"]},
        ("victims", (before_year, before_quarter)): {
            r["key"]: r["count"] for r in counted["year_before"]["victims_by"]["victim_group"]},
    }
    for (unit, page), column in (((("incidents", (year, quarter)), "incidents")),
                                 ((("victims", (year, quarter)), "victims")),
                                 ((("incidents", (before_year, before_quarter)), "incidents_before")),
                                 ((("victims", (before_year, before_quarter)), "victims_before"))):
        cells = []
        for key, group in zip(keys, laid_out["groups"], strict=True):
            variable = var("victim_group", key or "", unit, page=page)
            show(variable, group[column], "victim groups", group["label"], column,
                 truth=truths[(unit, page)].get(key, 0))
            cells.append(variable)
        total = var("totals", unit, page=page)
        if unit == "victims":
            problem.sums(cells, total, f"{where} victims by group")
        else:
            for variable in cells:
                problem.at_most(variable, total, f"{where} incidents by group")
    for breakdown in laid_out["breakdowns"]:
        key = breakdown["key"]
        truth = {r["key"]: r["count"] for r in counted["incidents_by"][key]}
        cells = []
        for row in breakdown["rows"]:
            variable = var("by", key, row["key"] or "", "incidents")
            show(variable, row["count"], key, row["label"], truth=truth[row["key"]])
            cells.append(variable)
        if key in dashboard.ADD_UP_TO_INCIDENTS:
            problem.sums(cells, var("totals", "incidents"), f"{where} {key} add up to the incidents")
        else:
            for variable in cells:
                problem.at_most(variable, var("totals", "incidents"), f"{where} {key}")
    # Hotspots: a province's count this quarter is its row above; the quarter before is that
    # quarter's own province row (the same count, shown on its own page too).
    previous_page = quarterly.shift_quarter(year, quarter, -1)
    hot = figures.hotspots(scope, start=start, end=end, level="admin1")
    truth_rows = {r["key"]: r for r in hot["most_incidents"] + hot["sharpest_rise"]}
    for list_name in ("most_incidents", "sharpest_rise"):
        for area in laid_out["hotspots"][list_name]:
            row = truth_rows[area["key"]]
            count = var("by", "admin1", area["key"], "incidents")
            previous = var("by", "admin1", area["key"], "incidents", page=previous_page)
            show(count, area["count"], "hotspots", list_name, area["label"], truth=row["count"])
            show(previous, area["previous"], "hotspots", list_name, area["label"], "previous", truth=row["previous"])
            if isinstance(area["rise"], int):
                problem.relate({count: 1, previous: -1}, area["rise"], area["rise"], f"{where} rise")
    # The quarterly trend: each quarter's totals, as its own page shows them.
    for row in laid_out["trend"]:
        page = dashboard.parse_quarter(row["month"])
        for unit in ("incidents", "victims"):
            show(var("totals", unit, page=page), row[unit], "trend", row["month"], unit)
