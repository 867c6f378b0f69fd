"""The disclosure audit of what one audience receives of a mission's figures for one quarter
(crsv_mis.disclosure_audit attacks it).

Audiences:

- EXTERNAL: the edition of the quarterly report that leaves the MARA room, in every version released
  (PDF, XLSX and CSV show the same cells: reporting.editions), of the quarter and of the four before
  and after it: their tables show the same months (the trend, the headline rows of earlier quarters,
  the hotspots' previous quarter).
- LEADERSHIP: the same. Leadership's dashboard shows the frozen cells of released external editions
  and nothing counted live (reporting/views/dashboard.py, `_outside_the_room`), so it adds no cell
  to what EXTERNAL receives.

The statistics API answers the MARA room only (reporting/api.py): nothing of it leaves, so nothing
of it is added.

Each count is one variable, named by where it comes from, so that a count published twice is one
variable: "<report>:totals:incidents" is the quarter's incidents in the headline table, in every
total row, and in the headline row of a later report that keeps the released figures. The cells a
reader sees are read from the tables as rendered (editions.tables),
never recomputed here; the relations come from the snapshot's structure, and every one is checked
against the true counts (disclosure_audit.Problem.relate), so the audit never assumes more than is true.

What a reader is not told here: how a count changed between two releases. Incidents are added,
archived and re-dated, so a released figure and a later count of the same months are two variables
with no relation between them.
"""

from dataclasses import dataclass

from crsv_mis import disclosure_audit
from crsv_mis.disclosure_audit import Problem
from incidents import stats
from incidents.models import AlertUrgency
from referrals.models import Service

from . import editions, quarterly
from .models import Edition, QuarterlyReport, ReportStatus

EXTERNAL, LEADERSHIP = "external", "leadership"
AUDIENCES = (EXTERNAL, LEADERSHIP)
# Reports of the quarters this far before and after the audited one show some of its months.
NEIGHBOURS = quarterly.COMPARED_QUARTERS
UNITS = editions.UNITS


@dataclass
class Audit:
    problem: Problem
    intervals: dict
    failures: list

    @property
    def passed(self):
        return not self.failures


def report_name(mission_code, year, quarter, version):
    return f"{mission_code} {year}Q{quarter} v{version}"


def _released_around(mission, year, quarter):
    """The released versions whose tables share months with the quarter's, oldest first."""
    first = quarterly.shift_quarter(year, quarter, -NEIGHBOURS)
    last = quarterly.shift_quarter(year, quarter, NEIGHBOURS)
    reports = QuarterlyReport.objects.filter(mission=mission, status=ReportStatus.RELEASED)
    return [r for r in reports.order_by("year", "quarter", "version") if first <= (r.year, r.quarter) <= last]


def problem_for(mission, year, quarter, audience=EXTERNAL, *, candidate=None, today=None):
    """The Problem of everything `audience` receives for the quarter; `candidate`: a version about
    to be released, audited as if it were."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {AUDIENCES}")
    reports = _released_around(mission, year, quarter)
    if candidate is not None and all(r.pk != candidate.pk for r in reports):
        reports.append(candidate)
    problem = Problem(_threshold(reports))
    for report in reports:
        add_report(problem, report)
    return problem


def _threshold(reports):
    thresholds = {editions._threshold(r.figures) for r in reports}
    return min(thresholds) if thresholds else editions.disclosure.threshold()


def audit(mission, year, quarter, audience=EXTERNAL, *, candidate=None, today=None):
    problem = problem_for(mission, year, quarter, audience, candidate=candidate, today=today)
    found = disclosure_audit.intervals(problem)
    return Audit(problem, found, disclosure_audit.check(problem, found))


def release_failures(report):
    """What releasing `report` would give away that is not given away already: failures of the
    audit with the version released that the released versions alone do not have."""
    with_it = audit(report.mission, report.year, report.quarter, EXTERNAL, candidate=report)
    if with_it.passed:
        return []
    before = audit(report.mission, report.year, report.quarter, EXTERNAL)
    known = {(f.name, f.low, f.high) for f in before.failures}
    return [f for f in with_it.failures if (f.name, f.low, f.high) not in known]


# ---- one report version


class _Rows:
    """A rendered table's rows by their label (the first cell)."""

    def __init__(self, table):
        self.table = table
        self.columns = table["columns"]
        rows = table["rows"] + ([table["total"]] if table["total"] else [])
        self.by_label = {}
        for row in rows:
            self.by_label.setdefault(row[0], row)

    def cell(self, label, column):
        row = self.by_label[str(label)]
        return row[column], (self.table["id"], row[0], self.columns[column])


def add_report(problem, report):
    """The cells of a version's EXTERNAL edition, and what a reader knows of them."""
    snapshot = report.figures
    name = report_name(snapshot["mission"]["code"], report.year, report.quarter, report.version)
    _Report(problem, name, snapshot).add()


class _Report:
    def __init__(self, problem, name, snapshot):
        self.problem, self.name, self.snapshot = problem, name, snapshot
        self.code = snapshot["mission"]["code"]
        self.clean = editions._text_filter(snapshot, Edition.EXTERNAL, [])
        self.tables = {t["id"]: _Rows(t) for t in editions.tables(snapshot, Edition.EXTERNAL, places=[])}

    def var(self, *parts):
        return ":".join([self.name, *map(str, parts)])

    def show(self, table, label, column, variable, truth):
        value, where = self.tables[table].cell(label, column)
        self.problem.show(variable, value, (self.name, *where), truth=truth)

    def add(self):
        self._totals()
        self._breakdowns()
        self._quarters_and_trend()
        self._hotspots()
        self._referrals()
        self._alerts()
        self._late_additions()

    def total(self, unit):
        return self.var("totals", unit)

    def _totals(self):
        for unit in UNITS:
            self.problem.count(self.total(unit), self.snapshot["totals"][unit])
        self.problem.count(self.var("verified", "incidents"), self.snapshot["verified"]["incidents"])
        self.problem.at_most(self.var("verified", "incidents"), self.total("incidents"), "verified incidents")

    def _breakdown_var(self, key, row_key, unit):
        if key == "verification_status" and row_key == "VERIFIED" and unit == "incidents":
            # The headline's verified incidents are this cell.
            return self.var("verified", "incidents")
        return self.var("by", key, row_key or "", unit)

    def _breakdowns(self):
        for key, _title, _first, adding in editions.BREAKDOWNS:
            rows = self.snapshot["by"].get(key, [])
            table = self.tables[key]
            for unit, column in zip(UNITS, (1, 2), strict=True):
                cells = []
                for r in rows:
                    variable = self._breakdown_var(key, r["key"], unit)
                    self.show(key, editions._label(key, r, self.clean), column, variable, r[unit])
                    cells.append(variable)
                if unit in adding:
                    self.show(key, table.table["total"][0], column, self.total(unit), self.snapshot["totals"][unit])
                    self.problem.sums(cells, self.total(unit), f"{self.name} {key} {unit} add up to the total")
                else:
                    # An incident counts under each of its keys: each cell is at most the total.
                    for variable in cells:
                        self.problem.at_most(variable, self.total(unit), f"{self.name} {key} {unit}")

    def _quarter_var(self, row, index, last):
        """(incidents, victims, verified) variables of a headline row."""
        if index == last:
            return self.total("incidents"), self.total("victims"), self.var("verified", "incidents")
        if row.get("source") == "released":
            # The released version's own figures, frozen: the same counts as in its own tables.
            name = report_name(self.code, row["year"], row["quarter"], row["version"])
            return (f"{name}:totals:incidents", f"{name}:totals:victims", f"{name}:verified:incidents")
        live = self.var("live", f"{row['year']}Q{row['quarter']}")
        return f"{live}:incidents", f"{live}:victims", f"{live}:verified"

    def _quarters_and_trend(self):
        quarters = self.snapshot["quarters"]
        months = {}
        for row in self.snapshot["trend"]:
            for unit, column in zip(UNITS, (1, 2), strict=True):
                variable = self.var("month", row["month"], unit)
                self.show("trend", row["month"], column, variable, row[unit])
                months.setdefault((editions._quarter_of_month(row["month"]), unit), []).append(variable)
        for index, row in enumerate(quarters):
            label = editions._quarter_name(row)
            incidents, victims, verified = self._quarter_var(row, index, len(quarters) - 1)
            for variable, column, truth in ((incidents, 1, row["incidents"]), (victims, 2, row["victims"]),
                                            (verified, 3, row["verified_incidents"])):
                self.show("quarters", label, column, variable, truth)
            self.problem.at_most(verified, incidents, f"{self.name} {label} verified incidents")
            if row.get("source") == "released" and index != len(quarters) - 1:
                continue  # frozen at its release; the trend's months are counted now
            for unit, variable in (("incidents", incidents), ("victims", victims)):
                parts = months.get(((row["year"], row["quarter"]), unit))
                if parts and len(parts) == 3:
                    self.problem.sums(parts, variable, f"{self.name} the months of {label} add up to it ({unit})")
        self.months = months

    def _hotspots(self):
        hot = self.snapshot["hotspots"]["admin1"]
        listed = {r["key"]: r for r in hot["most_incidents"] + hot["sharpest_rise"]}
        if not listed:
            return
        previous = {key: self.var("previous", "admin1", key) for key in listed}
        for table, rows, change in (("hotspots", hot["most_incidents"], 4), ("rising", hot["sharpest_rise"], 4)):
            for r in rows:
                label = self.clean(r["label"])
                if label not in self.tables[table].by_label:
                    continue  # compared, but not among the provinces the table lists
                count = self._breakdown_var("admin1", r["key"], "incidents")
                self.show(table, label, 1, count, r["count"])
                self.show(table, label, 2, previous[r["key"]], r["previous"])
                rise, _where = self.tables[table].cell(label, change - 1)
                if isinstance(rise, int):
                    self.problem.relate({count: 1, previous[r["key"]]: -1}, rise, rise, f"{self.name} rise {label}")
        # The provinces of the previous quarter, listed or not, add up to its months in the trend.
        start = stats.parse_month(hot["previous_period"]["from"])
        months = self.months.get((quarterly.quarter_of(start), "incidents"))
        if months and len(months) == 3:
            listed_total = sum(r["previous"] for r in listed.values())
            month_total = sum(row["incidents"] for row in self.snapshot["trend"]
                              if editions._quarter_of_month(row["month"]) == quarterly.quarter_of(start))
            rest = self.problem.count(self.var("previous", "admin1", "*others*"), month_total - listed_total)
            terms = dict.fromkeys([*previous.values(), rest], 1)
            for month in months:
                terms[month] = terms.get(month, 0) - 1
            self.problem.relate(terms, 0, 0, f"{self.name} provinces of the previous quarter")

    def _referrals(self):
        ref = self.snapshot["referrals"]
        p, var = self.problem, lambda *parts: self.var("referrals", *parts)
        summary = self.tables["referrals"].table["rows"]
        for index, (figure, truth) in enumerate((("referrals", ref["referrals"]), ("sent", ref["sent"]),
                                                 ("waiting", ref["referrals"] - ref["sent"]),
                                                 ("survivors", ref["survivors_referred"]),
                                                 ("provided", ref["provided"]))):
            self.show("referrals", summary[index][0], 1, var(figure), truth)
        p.sums([var("sent"), var("waiting")], var("referrals"), "sent and not yet sent referrals")
        p.at_most(var("survivors"), var("referrals"), "survivors referred")
        p.at_most(var("provided"), var("sent"), "referrals with the service provided")
        rows = self.tables["referrals_by_service"]
        services = ref.get("by_service", [])
        for figure, column in (("referrals", 1), ("provided", 2)):
            cells = []
            for s in services:
                variable = var("service", s.get("key") or s["label"], figure)
                self.show("referrals_by_service", editions._coded(Service, s.get("key"), s["label"]), column,
                          variable, s[figure])
                cells.append(variable)
            self.show("referrals_by_service", rows.table["total"][0], column, var(figure), ref[figure])
            p.sums(cells, var(figure), f"referrals by service ({figure})")
        for s in services:
            key = s.get("key") or s["label"]
            p.at_most(var("service", key, "provided"), var("service", key, "referrals"), "provided per service")

    def _alerts(self):
        alerts = self.snapshot["alerts"]
        p, var = self.problem, lambda *parts: self.var("alerts", *parts)
        summary = self.tables["alerts"].table["rows"]
        for index, figure in ((0, "alerts"), (1, "acknowledged"), (2, "unacknowledged"), (4, "responded")):
            self.show("alerts", summary[index][0], 1, var(figure), alerts[figure])
        p.sums([var("acknowledged"), var("unacknowledged")], var("alerts"), "acknowledged and not alerts")
        p.at_most(var("responded"), var("alerts"), "alerts with a response")
        rows = self.tables["alerts_by_urgency"]
        urgencies = alerts.get("by_urgency", [])
        for figure, column in (("alerts", 1), ("responded", 2)):
            cells = []
            for u in urgencies:
                variable = var("urgency", u.get("key") or u["label"], figure)
                self.show("alerts_by_urgency", editions._coded(AlertUrgency, u.get("key"), u["label"]), column,
                          variable, u[figure])
                cells.append(variable)
            self.show("alerts_by_urgency", rows.table["total"][0], column, var(figure), alerts[figure])
            p.sums(cells, var(figure), f"alerts by urgency ({figure})")
        for u in urgencies:
            key = u.get("key") or u["label"]
            p.at_most(var("urgency", key, "responded"), var("urgency", key, "alerts"), "responded per urgency")

    def _late_additions(self):
        for row in self.snapshot.get("late_additions", []):
            label = editions._quarter_name(row)
            for figure, column in (("reported_after_release", 3), ("verified_after_release", 4)):
                self.show("late_additions", label, column, self.var("late", f"{row['year']}Q{row['quarter']}",
                                                                     figure), row[figure])
