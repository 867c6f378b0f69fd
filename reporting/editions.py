"""What a quarterly report shows in each edition: its tables, charts and fixed texts, read from the
frozen snapshot (`QuarterlyReport.figures`, shape in reporting/quarterly.py) and nothing else, so
that the page, the PDF, the XLSX and the CSV of a version show the same cells.

Two editions (models.Edition):

- MARA_ROOM: full counts, hotspots by territory (admin2). It must not leave the MARA room.
- EXTERNAL: everything that leaves the MARA room, through the rules of crsv_mis.disclosure
  (`Rules` for the OUTSIDE audience; leadership's dashboard reads these same cells, see
  `shown_figures`):

  - Every count passes primary suppression (crsv_mis.disclosure.suppress): from 1 to threshold - 1
    it reads "<5". The threshold is the one frozen in the snapshot.
  - A column whose cells add up to a total shown in the report passes secondary suppression
    against that total, so that no small cell can be worked out as the total minus the others:
    victims per victim group add up to the victims; provinces, verification statuses and types of
    site to the incidents and to the victims (each incident has exactly one of each); referrals per
    service, alerts per urgency, sent + not yet sent referrals, acknowledged + unacknowledged alerts
    to their totals; the three months of a quarter in the trend to the quarter's figure in the
    headline table. Forms, perpetrator types and parties count an incident under each key it has:
    they add up to nothing shown, show no total and pass primary suppression only.
  - A figure shown in two tables is withheld in both or in neither: the current quarter's verified
    incidents (headline and verification table), a province's incidents (province table and
    hotspots), the totals (headline and every total row).
  - Derived figures are withheld ("x") when a figure they come from is: a hotspot's rise, the share
    of referrals with service provided. A median resting on fewer than threshold values reads "—".
  - For a released quarter the trend's months add up to the released figure plus what changed
    since (late additions); when that difference is small and every month of the quarter is shown,
    one month is withheld too, so the difference cannot be worked out.
  - Places go no finer than the province: hotspots rank provinces (snapshot["hotspots"]["admin1"]),
    and names of territories and localities are replaced by "[place withheld]" in every text typed
    by people (recommendations, commitments, party names, the narrative; see `redact`).
  - Charts (see `charts`) draw a series only when none of its values is suppressed: a bar is an
    exact height. A chart left with no series is left out; its table still gives the figures.
  - Nothing depends on a withheld count: breakdown rows come in code order (victim groups in
    their own fixed order), hotspots rank provinces on shown figures, a withheld one after the
    others in code order (the snapshot lists every province compared; older snapshots only the
    five of each ranking, which a withheld count could have chosen).

Known limit: suppression is consistent within one version. Two versions (or two quarters' reports)
can be compared by a reader; a released quarter's frozen figures are reused rather than recounted,
which keeps most such differences at zero, and late additions pass primary suppression.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crsv_mis import charts as svg
from crsv_mis import disclosure
from crsv_mis.models import Location, LocationLevel, Mission
from incidents import stats
from incidents.models import AlertUrgency
from mara.models import CommitmentKind, CommitmentStatus, RecommendationStatus
from referrals.models import Service

from . import quarterly
from .models import Edition

NOT_SHOWN = disclosure.NOT_SHOWN
WITHHELD = disclosure.WITHHELD

# Table kinds: "figures" (first cell a label, then counts) and "list" (rows of text, e.g. commitments).
FIGURES, LIST = "figures", "list"


def edition_label(edition):
    """The words on every page header/footer of an edition."""
    return _("MARA room - full counts") if edition == Edition.MARA_ROOM else _("Small cells suppressed")


def _threshold(snapshot):
    return int(snapshot.get("threshold") or disclosure.threshold())


def _is_figure(value):
    return isinstance(value, int | float) or value in (WITHHELD, NOT_SHOWN) or (
        isinstance(value, str) and value.startswith("<") and value[1:].isdigit())


def _labelled(columns, row):
    return [{"column": column, "value": value, "header": index == 0, "figure": index > 0 and _is_figure(value)}
            for index, (column, value) in enumerate(zip(columns, row, strict=True))]


def _table(table_id, title, columns, rows, total=None, note="", kind=FIGURES):
    columns = [str(c) for c in columns]
    rows = [[str(row[0]), *row[1:]] for row in rows]
    total = [str(total[0]), *total[1:]] if total else None
    return {"id": table_id, "title": str(title), "columns": columns, "rows": rows, "total": total,
            "note": " ".join(str(n) for n in note if n) if isinstance(note, list) else str(note), "kind": kind,
            # The same cells with their column, for templates (a phone shows each cell with its column).
            "header": [{"column": column, "figure": index > 0 and any(_is_figure(r[index]) for r in rows)}
                       for index, column in enumerate(columns)],
            "cells": [_labelled(columns, row) for row in rows],
            "total_cells": _labelled(columns, total) if total else None}


def _rules(edition, snapshot):
    """The disclosure rules of an edition: the MARA room's, or those of every figure leaving it."""
    audience = disclosure.OUTSIDE if Edition(edition) == Edition.EXTERNAL else disclosure.MARA_ROOM
    return disclosure.Rules(audience, _threshold(snapshot))


def _cells(rows, total=None):
    found = [c for row in rows for c in row[1:]]
    return found + (list(total[1:]) if total else [])


# ---- places


def places_to_withhold(mission_code):
    """Names of territories and localities of the mission's country (longest first): they may not
    appear in an edition that leaves the MARA room. A name that is also a province's is left alone
    (provinces may be shown)."""
    mission = Mission.objects.filter(code=mission_code).first()
    places = Location.objects.filter(level__gte=LocationLevel.ADMIN2)
    provinces = Location.objects.filter(level=LocationLevel.ADMIN1)
    if mission is not None and mission.country_id:
        places = places.filter(admin1__parent_id=mission.country_id)
        provinces = provinces.filter(parent_id=mission.country_id)
    allowed = {name.casefold() for name in provinces.values_list("name", flat=True)}
    names = {name.strip() for name in places.values_list("name", flat=True)}
    return sorted((n for n in names if n and n.casefold() not in allowed), key=lambda n: (-len(n), n))


def _withheld_names(snapshot, places):
    names = set(places or ())
    for rows in (snapshot.get("hotspots", {}).get("admin2") or {}).values():
        if isinstance(rows, list):
            names.update(r.get("label") or "" for r in rows)
    allowed = {(r.get("label") or "").casefold() for r in snapshot.get("by", {}).get("admin1", [])}
    return sorted((n for n in names if n and n.casefold() not in allowed), key=lambda n: (-len(n), n))


def redact(text, names):
    """`text` with every whole-word occurrence of one of `names` (any case) replaced by
    "[place withheld]". Used on everything people type that reaches the EXTERNAL edition."""
    if not text or not names:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(_("[place withheld]"), str(text))


class _Texts:
    def __init__(self, names):
        self.names = names

    def __call__(self, text):
        return redact(text, self.names) if self.names else text


def _text_filter(snapshot, edition, places):
    if edition != Edition.EXTERNAL:
        return _Texts(())
    if places is None:
        places = places_to_withhold((snapshot.get("mission") or {}).get("code"))
    return _Texts(_withheld_names(snapshot, places))


def narratives(report, edition, places=None):
    """The three narrative sections of a report version, [(id, title, text)], with places below
    the province withheld in the EXTERNAL edition."""
    clean = _text_filter(report.figures, edition, places)
    return [("key_messages", _("Key messages"), clean(report.key_messages)),
            ("analysis", _("Analysis of trends and patterns"), clean(report.analysis)),
            ("response", _("Response and way forward"), clean(report.response))]


# ---- texts


def caveat():
    return _("CRSV is heavily under-reported: survivors often cannot or do not come forward, for fear of "
             "stigma or reprisals, or for lack of services and access. The figures in this report are "
             "minimums, not estimates of how much sexual violence took place.")


def methodology(snapshot, edition=Edition.EXTERNAL):
    """The methodology note, as a list of paragraphs."""
    limit = _threshold(snapshot)
    period = snapshot.get("period") or {}
    paragraphs = [
        _("Incidents are counted by the month of the incident date, not of the date reported, from %(first)s "
          "to %(last)s; an incident dated to a range counts in the month the range starts. Each quarter is "
          "compared with the four before it.") % {"first": period.get("from", ""), "last": period.get("to", "")},
        _("Information received from partners under an information-sharing protocol is excluded: it stays "
          "in the human rights compartment. Archived records are excluded."),
        _("Totals count distinct incidents and all their victims/survivors, whatever the verification status; "
          "the verification table shows how many the MARA review verified. An incident counts once under "
          "each form of CRSV, alleged perpetrator party, type of perpetrator and victim group it involves, so "
          "those tables add up to more than the total and show no total. Each incident has one province, one "
          "verification status and one type of site, so those tables add up to the totals. Girls and boys "
          "are under 18."),
        _("Referrals are counted in the quarter they were recorded. Time to medical care runs from the start "
          "of the incident day to the medical referral (only incidents dated to the day); times are medians "
          "in hours. Early-warning alerts are counted by when they reached the mission; times to acknowledge "
          "and to respond are medians in minutes."),
        _("Period cut-offs: the figures of a quarter whose report was released never change. An incident of "
          "such a quarter reported, or verified, after the release is counted in the next report as a late "
          "addition to that quarter (table “Late additions to released quarters”); the trend by "
          "month shows current counts."),
    ]
    if edition == Edition.EXTERNAL:
        paragraphs.append(
            _("Small-cell suppression: a count from 1 to %(top)d reads “<%(limit)d”. Where a total "
              "shown would let a reader work out such a count as the total minus the other cells, one more "
              "count is withheld and reads “x” (it is not itself small). A change or share computed "
              "from a withheld count is withheld too. A median resting on fewer than %(limit)d values reads "
              "“%(dash)s”. Places are shown no finer than the province. Zeros are shown.")
            % {"top": limit - 1, "limit": limit, "dash": NOT_SHOWN})
    else:
        paragraphs.append(
            _("This edition shows full counts and territories: it must not leave the MARA room. The edition "
              "for use outside it suppresses counts below %(limit)d and shows places no finer than the "
              "province.") % {"limit": limit})
    return paragraphs


# ---- tables

BREAKDOWNS = (
    # key, title, first column, units whose column adds up to the quarter's totals
    ("victim_group", gettext_lazy("Women, men, girls and boys"), gettext_lazy("Group"), ("victims",)),
    ("form", gettext_lazy("Forms of CRSV"), gettext_lazy("Form of CRSV"), ()),
    ("admin1", gettext_lazy("Incidents by province"), gettext_lazy("Province"), ("incidents", "victims")),
    ("party_type", gettext_lazy("Type of alleged perpetrator"), gettext_lazy("Type of perpetrator"), ()),
    ("party", gettext_lazy("Alleged perpetrator party"), gettext_lazy("Party"), ()),
    ("verification_status", gettext_lazy("Verified against reported"), gettext_lazy("Verification status"),
     ("incidents", "victims")),
    ("site_type", gettext_lazy("Type of site"), gettext_lazy("Type of site"), ("incidents", "victims")),
)
UNITS = ("incidents", "victims")


def _breakdown_note(key, external):
    notes = {
        "victim_group": _("Each victim/survivor is in one group, so victims add up to the total. An incident "
                          "with victims in two groups counts in both: the incidents column shows no total."),
        "form": _("An incident counts under each form of CRSV recorded in it, so the rows add up to more "
                  "than the total; no total is shown. Victims: all victims of the incidents with that form."),
        "admin1": _("Each incident has one province: the rows add up to the totals."),
        "party_type": _("An incident counts under each type of alleged perpetrator recorded in it, so no "
                        "total is shown."),
        "party": _("An incident counts under each alleged perpetrator party recorded in it, so no total is "
                   "shown. Incidents without a named party are in the last row."),
        "verification_status": _("Each incident has one verification status: the rows add up to the totals. "
                                 "Verified: established by the MARA review to the mission's standard."),
        "site_type": _("Each incident has one type of site: the rows add up to the totals."),
    }
    note = notes[key]
    if key == "admin1" and external:
        note += " " + _("Places are shown no finer than the province.")
    return note


def _label(group_by, row, clean):
    """A breakdown row's label in the language of the rendering: coded keys (forms, types, groups,
    statuses, sites) are labelled again from their code, since the snapshot was gathered in the
    worker's language; names (places, parties) are kept as they were, a party's cleaned."""
    dimension = stats.DIMENSIONS.get(group_by)
    if dimension is not None and dimension.choices is not None:
        return str(stats.label_for(dimension, row["key"], row["label"]))
    return clean(row["label"]) if group_by == "party" else row["label"]


def _coded(choices, code, label):
    """A coded value's label in the language of the rendering (the snapshot holds the label in the
    worker's language); the stored label when the code is missing or no longer known."""
    try:
        return str(choices(code).label) if code else label
    except ValueError:
        return label


def _rows(snapshot, key, rules):
    """A breakdown's rows in the order of the edition: largest first in the MARA room; outside it
    in code order (victim groups in their own fixed order), so that the order gives no withheld
    count away."""
    rows = snapshot["by"].get(key, [])
    return rows if key == "victim_group" else rules.order(rows)


def _breakdowns(snapshot, rules, clean):
    """The breakdown tables, plus what other tables must agree with: the shown cells by key of the
    province and verification tables."""
    totals = snapshot["totals"]
    result, shown_by_key, shown = {}, {}, {}
    for key, _title, _first, adding in BREAKDOWNS:
        rows = _rows(snapshot, key, rules)
        columns_shown, total_shown = {}, {}
        for unit in UNITS:
            values = [r[unit] for r in rows]
            if unit in adding:
                columns_shown[unit], total_shown[unit] = rules.column(values, totals[unit], unit)
            else:
                columns_shown[unit], total_shown[unit] = rules.primary(values), None
        shown[key] = columns_shown, total_shown
    for key, _title, _first, adding in BREAKDOWNS:
        for unit in set(adding) & rules.withheld_totals:
            # One table had to withhold this total: every other table that adds up to it withholds
            # its exact counts too, or their sum would give the total back.
            columns_shown, total_shown = shown[key]
            columns_shown[unit] = rules.withhold_exact(columns_shown[unit])
            total_shown[unit] = WITHHELD
    for key, title, first, adding in BREAKDOWNS:
        rows = _rows(snapshot, key, rules)
        columns_shown, total_shown = shown[key]
        labels = [_label(key, r, clean) for r in rows]
        table_rows = [[labels[i], columns_shown["incidents"][i], columns_shown["victims"][i]]
                      for i in range(len(rows))]
        total = [_("Total"), total_shown["incidents"], total_shown["victims"]] if adding else None
        note = [_breakdown_note(key, rules.external), rules.note(*_cells(table_rows, total))]
        result[key] = _table(key, title, [first, _("Incidents"), _("Victims/survivors")], table_rows, total, note)
        shown_by_key[key] = {r["key"]: {u: columns_shown[u][i] for u in UNITS} for i, r in enumerate(rows)}
    return result, shown_by_key


def _shown_totals(snapshot, rules):
    return {unit: WITHHELD if unit in rules.withheld_totals else rules.one(snapshot["totals"][unit])
            for unit in UNITS}


def _quarters(snapshot, rules, shown_totals, by_key):
    rows = []
    quarters = snapshot["quarters"]
    verified = by_key.get("verification_status", {}).get("VERIFIED")
    for index, q in enumerate(quarters):
        if index == len(quarters) - 1:
            incidents, victims = shown_totals["incidents"], shown_totals["victims"]
            checked = verified["incidents"] if verified is not None else rules.one(q["verified_incidents"])
        else:
            incidents, victims, checked = rules.primary([q["incidents"], q["victims"], q["verified_incidents"]])
        if q.get("source") == "released":
            source = _("as released (version %(version)s)") % {"version": q.get("version")}
        else:
            source = _("current count")
        rows.append([_quarter_name(q), incidents, victims, checked, source])
    note = [_("The quarter of this report (last row) against the four before it. A quarter whose report was "
              "released keeps the figures it was released with; what came in later is in “Late additions "
              "to released quarters”."), rules.note(*_cells(rows))]
    return _table("quarters", _("Headline figures: this quarter and the four before"),
                  [_("Quarter"), _("Incidents"), _("Victims/survivors"), _("Verified incidents"), _("Figures")],
                  rows, None, note)


def _quarter_of_month(month):
    year, number = int(month[:4]), int(month[5:7])
    return year, (number - 1) // 3 + 1


def _quarter_name(row):
    """A quarter row's label in the language of the rendering. Snapshots made before the rows kept
    their year and quarter only have the label in the language they were built in."""
    if "year" in row and "quarter" in row:
        return quarterly.quarter_label(row["year"], row["quarter"])
    return row["label"]


def _trend_shown(snapshot, rules):
    """{unit: shown values per month} of the trend (see the module docstring for the rules)."""
    trend = snapshot["trend"]
    quarters = {(q["year"], q["quarter"]): q for q in snapshot["quarters"]}
    groups = {}
    for index, row in enumerate(trend):
        groups.setdefault(_quarter_of_month(row["month"]), []).append(index)
    shown = {}
    for unit in UNITS:
        values = [row[unit] for row in trend]
        if not rules.external:
            shown[unit] = values
            continue
        out = list(values)
        for label, indexes in groups.items():
            months = [values[i] for i in indexes]
            cells, _total = rules.column(months, sum(months))
            quarter = quarters.get(label)
            hidden = abs(sum(months) - quarter[unit]) if quarter and quarter.get("source") == "released" else 0
            if 0 < hidden < rules.limit and all(isinstance(c, int) for c in cells):
                smallest = sorted((v, i) for i, v in enumerate(months) if v > 0)
                if smallest:
                    cells[smallest[0][1]] = WITHHELD
            for i, cell in zip(indexes, cells, strict=True):
                out[i] = cell
        shown[unit] = out
    return shown


def _trend(snapshot, rules):
    shown = _trend_shown(snapshot, rules)
    rows = [[row["month"], shown["incidents"][i], shown["victims"][i]] for i, row in enumerate(snapshot["trend"])]
    note = [_("Current counts by month of the incident date, including late additions to released quarters."),
            rules.note(*_cells(rows))]
    return _table("trend", _("Incidents and victims/survivors by month (15 months)"),
                  [_("Month"), _("Incidents"), _("Victims/survivors"), ], rows, None, note)


HOTSPOTS = 5


def _provinces_compared(snapshot, rules, by_key):
    """Every province of the snapshot's comparison with the quarter before, as it leaves the room:
    [{"key", "label", "count", "previous", "rise", "rise_pct"}]. The count is the one the province
    table shows; the previous quarter's counts pass secondary suppression against its total."""
    quarters = snapshot["quarters"]
    hot = snapshot["hotspots"]["admin1"]
    provinces = by_key.get("admin1", {})
    # Snapshots list every province compared (older ones only the five of each ranking).
    rows = {r["key"]: r for r in hot["most_incidents"] + hot["sharpest_rise"]}
    keys = sorted(rows)
    previous_values = [rows[k]["previous"] for k in keys]
    # The previous quarter's provinces add up to its incidents (headline table); those not listed
    # here are one more (unseen) cell, so that a listed one cannot be worked out from the rest.
    previous_total = quarters[-2]["incidents"] if len(quarters) > 1 else sum(previous_values)
    rest = max(previous_total - sum(previous_values), 0)
    shown_previous = dict(zip(keys, rules.column(previous_values + [rest], previous_total)[0], strict=False))
    areas = []
    for key in keys:
        r = rows[key]
        count = provinces[key]["incidents"] if key in provinces else rules.one(r["count"])
        previous = shown_previous[key]
        areas.append({"key": key, "label": r["label"], "count": count, "previous": previous,
                      "rise": rules.derived(r["rise"], count, previous),
                      "rise_pct": rules.derived(r["rise_pct"], count, previous)})
    return areas


def _ranked_provinces(snapshot, rules, by_key):
    """(most incidents, sharpest rise) outside the room: provinces ranked on shown figures only
    (disclosure.ranked), a province whose count or rise is withheld after the others in code
    order, whatever its hidden value; a province is listed by what its shown figures say."""
    areas = _provinces_compared(snapshot, rules, by_key)
    most = disclosure.ranked([a for a in areas if a["count"] != 0], lambda a: a["count"], limit=HOTSPOTS)
    rising = disclosure.ranked([a for a in areas if not disclosure.is_exact(a["rise"]) or a["rise"] > 0],
                               lambda a: a["rise"], limit=HOTSPOTS)
    return most, rising


def _hotspots(snapshot, rules, by_key, clean):
    quarters = snapshot["quarters"]
    previous_label = quarters[-2]["label"] if len(quarters) > 1 else ""
    if not rules.external:
        hot = snapshot["hotspots"]["admin2"]
        columns = [_("Territory"), _("Province")]
        most = [[r["label"], r.get("admin1") or "", r["count"], r["previous"], r["rise"]]
                for r in hot["most_incidents"]]
        rising = [[r["label"], r.get("admin1") or "", r["count"], r["previous"], r["rise"], r["rise_pct"]]
                  for r in hot["sharpest_rise"]]
    else:
        columns = [_("Province")]
        most_areas, rising_areas = _ranked_provinces(snapshot, rules, by_key)
        most = [[clean(a["label"]), a["count"], a["previous"], a["rise"]] for a in most_areas]
        rising = [[clean(a["label"]), a["count"], a["previous"], a["rise"], a["rise_pct"]] for a in rising_areas]
    where = _("provinces") if rules.external else _("territories")
    compared = _("Compared with %(previous)s.") % {"previous": previous_label} if previous_label else ""
    most_table = _table(
        "hotspots", _("Hotspots: %(where)s with the most incidents") % {"where": where},
        [*columns, _("This quarter"), _("Previous quarter"), _("Change")], most, None,
        [compared, _("Incidents recorded without a place are left out."), rules.note(*_cells(most))])
    rising_table = _table(
        "rising", _("Hotspots: %(where)s with the sharpest rise") % {"where": where},
        [*columns, _("This quarter"), _("Previous quarter"), _("Rise"), _("Rise (%)")], rising, None,
        [compared, _("Ranked by the rise in incidents; the percentage is blank when there was none before."),
         _("Provinces whose rise is withheld follow the others, in a fixed order.") if rules.external else "",
         rules.note(*_cells(rising))])
    return most_table, rising_table


def _referrals(snapshot, rules):
    ref = snapshot["referrals"]
    services = ref.get("by_service", [])
    per_service, recorded = rules.column([s["referrals"] for s in services], ref["referrals"], "referrals")
    provided_per_service, provided_total = rules.column([s["provided"] for s in services], ref["provided"],
                                                        "provided")
    by_rows = [[_coded(Service, s.get("key"), s["label"]), per_service[i], provided_per_service[i]]
               for i, s in enumerate(services)]
    by_total = [_("Total"), recorded, provided_total]
    # Sent and not yet sent add up to the referrals recorded.
    (sent, waiting), _recorded = rules.column([ref["sent"], ref["referrals"] - ref["sent"]], ref["referrals"])
    share = ref["service_provided_percent"]
    if rules.external and share is not None and not (isinstance(sent, int) and isinstance(provided_total, int)):
        share = WITHHELD
    to_service_count = ref.get("count_referral_to_service", ref["provided"])
    rows = [
        [_("Referrals recorded"), recorded],
        [_("Sent to a provider"), sent],
        [_("Proposed, not yet sent"), waiting],
        [_("Survivors referred with their consent"), rules.one(ref["survivors_referred"])],
        [_("Service provided"), provided_total],
        [_("Share of sent referrals with the service provided (%)"), share],
        [_("Median hours from the incident to the medical referral"),
         rules.median(ref["median_hours_incident_to_medical_referral"],
                      ref.get("count_incident_to_medical_referral"))],
        [_("Median hours from the referral to the service"),
         rules.median(ref["median_hours_referral_to_service"], to_service_count)],
    ]
    summary = _table("referrals", _("Referrals and time to medical care"), [_("Figure"), _("Value")], rows, None,
                     [_("A blank median: no referral to time."), rules.note(*_cells(rows))])
    by_service = _table("referrals_by_service", _("Referrals by service"),
                        [_("Service"), _("Referrals"), _("Service provided")], by_rows, by_total,
                        [_("Each referral is for one service: the rows add up to the totals."),
                         rules.note(*_cells(by_rows, by_total))])
    return summary, by_service


def _alerts(snapshot, rules):
    alerts = snapshot["alerts"]
    urgencies = alerts.get("by_urgency", [])
    received = rules.column([u["alerts"] for u in urgencies], alerts["alerts"], "alerts")
    responded = rules.column([u["responded"] for u in urgencies], alerts["responded"], "responded")
    by_rows = [[_coded(AlertUrgency, u.get("key"), u["label"]), received[0][i], responded[0][i]]
               for i, u in enumerate(urgencies)]
    by_total = [_("Total"), received[1], responded[1]]
    (acknowledged, waiting), total = rules.column([alerts["acknowledged"], alerts["unacknowledged"]],
                                                  alerts["alerts"])
    rows = [
        [_("Early-warning alerts received"), total],
        [_("Acknowledged"), acknowledged],
        [_("Not acknowledged"), waiting],
        [_("Median minutes to acknowledge"), rules.median(alerts["median_minutes_to_acknowledge"],
                                                          alerts["acknowledged"])],
        [_("With a response"), responded[1]],
        [_("Median minutes to the first response"), rules.median(alerts["median_minutes_to_respond"],
                                                                 alerts["responded"])],
    ]
    summary = _table("alerts", _("Early-warning alerts and response"), [_("Figure"), _("Value")], rows, None,
                     [_("Alerts are unverified signals of risk, counted apart from incidents. A blank median: "
                        "no alert to time."), rules.note(*_cells(rows))])
    by_urgency = _table("alerts_by_urgency", _("Early-warning alerts by urgency"),
                        [_("Urgency"), _("Alerts"), _("With a response")], by_rows, by_total,
                        [_("Each alert has one urgency: the rows add up to the totals."),
                         rules.note(*_cells(by_rows, by_total))])
    return summary, by_urgency


def _late_additions(snapshot, rules):
    rows = []
    for row in snapshot.get("late_additions", []):
        reported, verified = rules.primary([row["reported_after_release"], row["verified_after_release"]])
        rows.append([_quarter_name(row), row["version"], (row.get("released_at") or "")[:10], reported, verified])
    note = [_("Incidents of an earlier quarter reported, or verified, after its report was released. The "
              "released figures stand; these are counted here, as additions to that quarter.")
            if rows else _("No earlier quarter in this report has a released report, or nothing came in late."),
            rules.note(*_cells(rows))]
    return _table("late_additions", _("Late additions to released quarters"),
                  [_("Quarter"), _("Version released"), _("Released on"), _("Incidents reported after release"),
                   _("Incidents verified after release")], rows, None, note)


def _commitments(snapshot, clean):
    rows = [[clean(c["party"]), _coded(CommitmentKind, c.get("kind_code"), c["kind"]), clean(c["title"]),
             c.get("date_signed") or "", _coded(CommitmentStatus, c.get("status_code"), c["status"]),
             c.get("last_review") or ""] for c in snapshot.get("commitments", [])]
    return _table("commitments", _("Commitments by parties"),
                  [_("Party"), _("Type"), _("Commitment"), _("Date signed"), _("Status"), _("Last review")], rows,
                  None, "" if rows else _("No commitment by a party is recorded."), kind=LIST)


# Open recommendations first, then those in progress, then closed ones (then as the snapshot lists them).
RECOMMENDATION_ORDER = {"OPEN": 0, "IN_PROGRESS": 1, "CLOSED": 2}


def _recommendations(snapshot, clean):
    listed = sorted(snapshot.get("recommendations", []),
                    key=lambda r: RECOMMENDATION_ORDER.get(r.get("status_code"), len(RECOMMENDATION_ORDER)))
    rows = [[clean(r["text"]), clean(r["owner"]), clean(r.get("forum") or ""), r.get("due_date") or "",
             _coded(RecommendationStatus, r.get("status_code"), r["status"]), r.get("closed_at") or ""]
            for r in listed]
    return _table("recommendations", _("MARA recommendations and their status"),
                  [_("Recommendation"), _("Owner"), _("Forum"), _("Due date"), _("Status"), _("Closed on")], rows,
                  None, _("Recommendations made up to the end of the quarter, open ones first.") if rows
                  else _("No recommendation was made."), kind=LIST)


def tables(snapshot, edition, *, places=None):
    """Every table of the report, in order: [{"id", "title", "columns", "rows", "total", "note", "kind",
    "header", "cells", "total_cells"}].

    rows: [[label, value, ...], ...]; values are ints, floats, strings ("<5", "x", "—", text), or None
    (nothing to show: a median with no value). total: [label, value...] or None (the rows add up to
    nothing shown). kind: "figures" or "list" (rows of text: commitments, recommendations). header,
    cells and total_cells: the same columns and rows as dicts ({"column", "figure"}; {"column", "value",
    "header", "figure"}) for templates/reporting/_tables.html; "figure" marks a count to align right.
    `places`: names to withhold from text in the EXTERNAL edition (default: the mission's
    territories and localities, see places_to_withhold).
    """
    edition = Edition(edition)
    rules = _rules(edition, snapshot)
    clean = _text_filter(snapshot, edition, places)
    breakdowns, by_key = _breakdowns(snapshot, rules, clean)
    shown_totals = _shown_totals(snapshot, rules)
    quarters = _quarters(snapshot, rules, shown_totals, by_key)
    hotspots, rising = _hotspots(snapshot, rules, by_key, clean)
    referrals, by_service = _referrals(snapshot, rules)
    alerts, by_urgency = _alerts(snapshot, rules)
    return [
        quarters,
        breakdowns["victim_group"],
        breakdowns["form"],
        breakdowns["admin1"],
        breakdowns["party_type"],
        breakdowns["party"],
        breakdowns["verification_status"],
        breakdowns["site_type"],
        hotspots,
        rising,
        _trend(snapshot, rules),
        referrals,
        by_service,
        alerts,
        by_urgency,
        _late_additions(snapshot, rules),
        _commitments(snapshot, clean),
        _recommendations(snapshot, clean),
    ]


def shown_figures(snapshot, *, places=None):
    """The figures of a snapshot as they leave the MARA room (the EXTERNAL edition's cells), for a
    page that lays them out its own way (leadership's dashboard):

    {"totals": {"incidents", "victims"},
     "by": {breakdown: [{"key", "label", "incidents", "victims"}] in the edition's order},
     "quarters": [{"year", "quarter", "incidents", "victims"}] (the headline table, oldest first),
     "hotspots": {"most_incidents", "sharpest_rise": [{"key", "label", "count", "previous", "rise",
                  "rise_pct"}]}}
    """
    rules = _rules(Edition.EXTERNAL, snapshot)
    clean = _text_filter(snapshot, Edition.EXTERNAL, places)
    by_key = _breakdowns(snapshot, rules, clean)[1]
    totals = _shown_totals(snapshot, rules)
    headline = _quarters(snapshot, rules, totals, by_key)["rows"]
    most, rising = _ranked_provinces(snapshot, rules, by_key)
    return {
        "totals": totals,
        "by": {key: [{"key": r["key"], "label": _label(key, r, clean), **by_key[key][r["key"]]}
                     for r in _rows(snapshot, key, rules)] for key, *_rest in BREAKDOWNS},
        "quarters": [{"year": q.get("year"), "quarter": q.get("quarter"), "incidents": row[1], "victims": row[2]}
                     for q, row in zip(snapshot["quarters"], headline, strict=True)],
        "hotspots": {"most_incidents": [{**a, "label": clean(a["label"])} for a in most],
                     "sharpest_rise": [{**a, "label": clean(a["label"])} for a in rising]},
    }


# ---- charts


def charts(snapshot, edition=Edition.MARA_ROOM):
    """The report's charts, [{"id", "title", "svg"}], drawn by crsv_mis.charts (the dashboard's code).

    In the EXTERNAL edition a series is drawn only when every value of it is shown as it is (zero or
    at least the threshold, nothing withheld): a bar or a point has an exact height. A chart left
    with no series is left out; its table gives the figures, suppressed.
    """
    edition = Edition(edition)
    rules = _rules(edition, snapshot)
    # Labels in the language of the rendering, not the one the snapshot was gathered in.
    label = quarterly.quarter_label(snapshot["year"], snapshot["quarter"])
    period = _("%(label)s (incident dates %(first)s to %(last)s)") % {
        "label": label, "first": snapshot["period"]["from"], "last": snapshot["period"]["to"]}
    result = []
    by_key = _breakdowns(snapshot, rules, _Texts(()))[1]
    shown_totals = _shown_totals(snapshot, rules)
    quarter_cells = _quarters(snapshot, rules, shown_totals, by_key)["rows"]
    quarters = snapshot["quarters"]
    series = []
    for column, key, name in ((1, "incidents", _("Incidents")), (3, "verified_incidents", _("Verified incidents"))):
        values = [q[key] for q in quarters]
        if rules.drawable(values, [row[column] for row in quarter_cells]):
            series.append((name, values))
    if series:
        title = _("Incidents per quarter")
        result.append({"id": "quarters", "title": title, "svg": svg.month_chart(
            [_quarter_name(q) for q in quarters], series, kind="bar", title=title,
            description=_("Incidents and verified incidents in %(label)s and the four quarters before.")
            % {"label": label})})
    trend = snapshot["trend"]
    shown = _trend_shown(snapshot, rules)
    series = [(name, [row[unit] for row in trend]) for unit, name in
              (("incidents", _("Incidents")), ("victims", _("Victims/survivors")))
              if rules.drawable([row[unit] for row in trend], shown[unit])]
    if series and trend:
        title = _("Incidents and victims/survivors by month")
        result.append({"id": "trend", "title": title, "svg": svg.month_chart(
            [row["month"] for row in trend], series, title=title,
            description=_("By month of the incident date, %(first)s to %(last)s.")
            % {"first": trend[0]["month"], "last": trend[-1]["month"]})})
    for key, title, unit in (("victim_group", _("Victims/survivors: women, men, girls and boys"), "victims"),
                             ("form", _("Incidents by form of CRSV"), "incidents")):
        rows = _rows(snapshot, key, rules)
        values = [r[unit] for r in rows]
        if rows and any(values) and rules.drawable(values, [by_key[key][r["key"]][unit] for r in rows]):
            result.append({"id": key, "title": title, "svg": svg.bar_chart(
                [(_label(key, r, _Texts(())), r[unit]) for r in rows], title=title, description=period)})
    return result
