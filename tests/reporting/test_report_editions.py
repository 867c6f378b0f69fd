"""What each edition of a quarterly report shows (reporting.editions): full counts and territories
in the MARA room; outside it small cells suppressed, one more cell withheld where a total would give
a small one away (in every table that shows the same figure), provinces only, medians and charts
left out where they would reveal a small count, late additions to a released quarter shown as such.

`build_report` is the shared scenario of the report tests (PDF, XLSX, CSV): a fictional mission with
an earlier quarter released, one incident of it reported after the release, and a quarter in which
one province and the unverified incidents are small cells.
"""

import copy
import datetime

import pytest
from django.utils import timezone

from incidents import stats
from incidents.models import Incident, Party
from mara.models import Recommendation
from mara.services.commitments import create_commitment
from mara.services.recommendations import create_recommendation
from mara.services.verification import decide_verification
from reporting import editions, quarterly
from reporting.models import Edition, QuarterlyReport, ReportStatus
from tests.conftest import victim_data

YEAR, QUARTER = 2026, 3
FORMULA = '=HYPERLINK("http://example.org","x")'
TERRITORIES = ("Ashdale", "Birchford", "Quillby")  # the gazetteer fixture's admin2 areas and locality
WOMAN = victim_data(sex="FEMALE", age_years=30)
MAN = victim_data(sex="MALE", age_years=40)
GIRL = victim_data(sex="FEMALE", age_years=15)
BOY = victim_data(sex="MALE", age_years=10)


def build_report(make_incident, users, gazetteer, mission, *, status=ReportStatus.DRAFT, hostile_party=False):
    """2026 Q2 released with 2 incidents, then a third of Q2 reported late. 2026 Q3: 7 incidents in
    Northmark (6 of them verified), 3 in Southmark; 12 victims (8 women, 1 man, 2 girls, 1 boy)."""
    for day in (5, 6):
        make_incident(incident_date=datetime.date(2026, 5, day))
    q2 = quarterly.build(mission, 2026, 2)
    QuarterlyReport.objects.create(mission=mission, year=2026, quarter=2, version=1, figures=q2,
                                   status=ReportStatus.RELEASED, released_at=timezone.now())
    make_incident(incident_date=datetime.date(2026, 6, 20))  # after the release: a late addition

    for i in range(7):
        incident = make_incident(incident_date=datetime.date(2026, 7 + i % 3, 5), victims=[WOMAN])
        if i < 6:
            decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED",
                                rationale="Synthetic rationale: reasonable grounds.")
    hostile = None
    if hostile_party:  # a party name typed as a spreadsheet formula
        hostile = Party.objects.create(mission=mission, name=FORMULA, party_type="COMMUNITY_MILITIA")
    south = {"station": "south", "by": "HRO_SOUTH", "location": gazetteer["south_b"]}
    make_incident(**south, incident_date=datetime.date(2026, 8, 3), victims=[MAN], forms=("RAPE", "SEXUAL_SLAVERY"))
    make_incident(**south, incident_date=datetime.date(2026, 8, 9), victims=[GIRL, GIRL], forms=("ATTEMPTED_RAPE",))
    by_hostile = [{"party": hostile, "party_type": "COMMUNITY_MILITIA", "number": 1, "sex": "MALE"}] \
        if hostile else None
    make_incident(**south, incident_date=datetime.date(2026, 9, 1), victims=[WOMAN, BOY], perpetrators=by_hostile)

    chair = users["MARA_CHAIR"]
    recommendations = [
        create_recommendation(by=chair, fields={"text": FORMULA, "owner": "Force gender adviser",
                                                "forum": "MARA working group", "status": "OPEN"}),
        create_recommendation(by=chair, fields={"text": "Increase day patrols on the roads around Ashdale.",
                                                "owner": "Force", "status": "IN_PROGRESS"}),
    ]
    Recommendation.objects.filter(pk__in=[r.pk for r in recommendations]).update(
        created_at=datetime.datetime(2026, 9, 15, 9, 0, tzinfo=datetime.UTC))
    if hostile:
        create_commitment(by=chair, fields={"party": hostile, "kind": "UNILATERAL_COMMUNIQUE",
                                            "title": "+Command order on sexual violence",
                                            "date_signed": datetime.date(2026, 8, 1), "status": "ADOPTED"})
    figures = quarterly.build(mission, YEAR, QUARTER)
    return QuarterlyReport.objects.create(
        mission=mission, year=YEAR, quarter=QUARTER, version=2, figures=figures, status=status,
        key_messages="Reports from Birchford rose this quarter.\nResponse teams were sent.",
        analysis="Most incidents were in the north.", response="Patrols continue.")


def counted(mission):
    """The incidents a quarterly report counts, for direct counts (incidents.stats) to check against."""
    return Incident.objects.active().filter(mission=mission, shared_under_isp=False)


def direct(mission, group_by, unit="incidents", year=YEAR, quarter=QUARTER):
    """{label: count} of the quarter, counted from the incidents themselves."""
    start, end = quarterly.quarter_months(year, quarter)
    return {r["label"]: r["count"] for r in
            stats.period_counts(counted(mission), start=start, end=end, group_by=group_by, unit=unit)}


def direct_totals(mission, year=YEAR, quarter=QUARTER):
    start, end = quarterly.quarter_months(year, quarter)
    return stats.totals(counted(mission), start=start, end=end)


def table(tables, table_id):
    return next(t for t in tables if t["id"] == table_id)


def row(found, label):
    return next(r for r in found["rows"] if r[0] == label)


def every_text(tables):
    for t in tables:
        yield t["title"]
        yield t["note"]
        yield from t["columns"]
        for cells in t["rows"] + ([t["total"]] if t["total"] else []):
            yield from (str(c) for c in cells)


@pytest.fixture
def report(make_incident, users, gazetteer, mission):
    return build_report(make_incident, users, gazetteer, mission)


def test_it_lists_every_table_of_the_report_in_order(report):
    found = editions.tables(report.figures, Edition.EXTERNAL)
    assert [t["id"] for t in found] == [
        "quarters", "victim_group", "form", "admin1", "party_type", "party", "verification_status", "site_type",
        "hotspots", "rising", "trend", "referrals", "referrals_by_service", "alerts", "alerts_by_urgency",
        "late_additions", "commitments", "recommendations"]
    assert all(t["title"] and t["columns"] for t in found)


def test_it_shows_full_counts_and_territories_in_the_mara_room(report, mission):
    found = editions.tables(report.figures, Edition.MARA_ROOM)
    provinces, provinces_victims = direct(mission, "admin1"), direct(mission, "admin1", "victims")
    assert row(table(found, "admin1"), "Southmark") == ["Southmark", provinces["Southmark"],
                                                        provinces_victims["Southmark"]]
    assert provinces["Southmark"] == 3
    totals = direct_totals(mission)
    assert table(found, "admin1")["total"] == ["Total", totals["incidents"], totals["victims"]]
    assert [r[:2] for r in table(found, "hotspots")["rows"]] == [["Ashdale", "Northmark"], ["Birchford", "Southmark"]]


def test_it_suppresses_a_small_province_and_withholds_one_more_outside_the_room(report, mission):
    found = table(editions.tables(report.figures, Edition.EXTERNAL), "admin1")
    victims = direct(mission, "admin1", "victims")
    # 3 incidents in Southmark read "<5"; Northmark's 7 would give them away (10 - 7), so it reads "x".
    assert row(found, "Southmark")[1] == "<5"
    assert row(found, "Northmark")[1] == "x"
    assert found["total"][1] == direct_totals(mission)["incidents"] == 10
    # The victims column has no small cell: shown as counted.
    assert row(found, "Southmark")[2] == victims["Southmark"] == 5
    assert row(found, "Northmark")[2] == victims["Northmark"] == 7
    assert "<5" in found["note"] and "x" in found["note"]


def test_it_withholds_the_verified_count_wherever_the_verification_table_withholds_it(report, mission):
    statuses = direct(mission, "verification_status")
    assert statuses == {"Verified": 6, "Reported": 4}
    found = editions.tables(report.figures, Edition.EXTERNAL)
    verification = table(found, "verification_status")
    assert row(verification, "Reported")[1] == "<5"
    assert row(verification, "Verified")[1] == "x"
    this_quarter = table(found, "quarters")["rows"][-1]
    assert this_quarter[:4] == ["2026 Q3", 10, 12, "x"]  # not 6: 10 - 6 would give the 4 away
    inside = table(editions.tables(report.figures, Edition.MARA_ROOM), "quarters")["rows"][-1]
    assert inside[:4] == ["2026 Q3", 10, 12, 6]


def test_it_leaves_columns_that_do_not_add_up_without_a_total(report, mission):
    found = editions.tables(report.figures, Edition.EXTERNAL)
    for table_id in ("form", "party_type", "party"):
        assert table(found, table_id)["total"] is None
        assert "no total" in table(found, table_id)["note"]
    forms = table(found, "form")
    assert row(forms, "Rape (including gang rape)")[1] == direct(mission, "form")["Rape (including gang rape)"] == 9
    assert row(forms, "Sexual slavery")[1] == "<5"
    groups = table(found, "victim_group")
    assert groups["total"] == ["Total", None, 12]
    assert [r[2] for r in groups["rows"]] == [8, "<5", "<5", "<5", 0]  # three small cells: nothing more withheld


def test_it_shows_provinces_and_no_territory_outside_the_room(report):
    found = editions.tables(report.figures, Edition.EXTERNAL)
    assert [r[0] for r in table(found, "hotspots")["rows"]] == ["Northmark", "Southmark"]
    texts = " ".join(every_text(found))
    for name in TERRITORIES:
        assert name not in texts
    narratives = " ".join(text for _id, _title, text in editions.narratives(report, Edition.EXTERNAL))
    assert "Birchford" not in narratives and "[place withheld]" in narratives
    recommendation = table(found, "recommendations")
    assert "Increase day patrols on the roads around [place withheld]." in [r[0] for r in recommendation["rows"]]


def test_it_keeps_territories_typed_in_text_inside_the_room(report):
    found = editions.tables(report.figures, Edition.MARA_ROOM)
    recommendations = table(found, "recommendations")["rows"]
    assert [r[0] for r in recommendations] == [FORMULA, "Increase day patrols on the roads around Ashdale."]
    assert [r[4] for r in recommendations] == ["Open", "In progress"]  # open ones first
    assert "Birchford" in editions.narratives(report, Edition.MARA_ROOM)[0][2]


def test_it_counts_an_incident_reported_after_its_quarter_was_released_as_a_late_addition(report, mission):
    assert direct_totals(mission, 2026, 2)["incidents"] == 3
    inside = editions.tables(report.figures, Edition.MARA_ROOM)
    late = table(inside, "late_additions")
    assert late["rows"] == [["2026 Q2", 1, late["rows"][0][2], 1, 0]]
    # The released quarter keeps its released figure; the trend by month has the current count.
    assert table(inside, "quarters")["rows"][3][:2] == ["2026 Q2", 2]
    assert "as released" in table(inside, "quarters")["rows"][3][4]
    months = {r[0]: r[1] for r in table(inside, "trend")["rows"]}
    assert months["2026-05"] + months["2026-06"] == 3
    outside = editions.tables(report.figures, Edition.EXTERNAL)
    assert table(outside, "late_additions")["rows"][0][3] == "<5"
    assert table(outside, "quarters")["rows"][3][:2] == ["2026 Q2", "<5"]


def test_it_withholds_a_month_when_a_small_late_addition_could_be_worked_out_from_the_trend():
    snapshot = synthetic_snapshot()
    # 2026 Q2 was released with 20 incidents; its months now count 22 (2 late additions, "<5").
    snapshot["quarters"][3].update(incidents=20, victims=20, source="released", version=1)
    for month, value in (("2026-04", 6), ("2026-05", 7), ("2026-06", 9)):
        next(m for m in snapshot["trend"] if m["month"] == month).update(incidents=value, victims=value)
    snapshot["late_additions"] = [{"label": "2026 Q2", "version": 1, "released_at": "2026-07-10T09:00:00+00:00",
                                   "reported_after_release": 2, "verified_after_release": 0}]
    months = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.EXTERNAL, places=()), "trend")["rows"]}
    assert [months["2026-04"], months["2026-05"], months["2026-06"]] == ["x", 7, 9]
    inside = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.MARA_ROOM), "trend")["rows"]}
    assert [inside["2026-04"], inside["2026-05"], inside["2026-06"]] == [6, 7, 9]


def test_it_hides_a_median_resting_on_fewer_values_than_the_threshold():
    snapshot = synthetic_snapshot()
    snapshot["alerts"].update(alerts=9, acknowledged=3, unacknowledged=6, median_minutes_to_acknowledge=42.0,
                              responded=7, median_minutes_to_respond=180.5)
    snapshot["alerts"]["by_urgency"][0].update(alerts=9, responded=7)
    outside = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.EXTERNAL, places=()), "alerts")["rows"]}
    assert outside["Median minutes to acknowledge"] == editions.NOT_SHOWN
    assert outside["Median minutes to the first response"] == 180.5
    inside = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.MARA_ROOM), "alerts")["rows"]}
    assert inside["Median minutes to acknowledge"] == 42.0


def test_it_withholds_the_share_of_referrals_with_service_provided_when_its_count_is_suppressed():
    snapshot = synthetic_snapshot()
    snapshot["referrals"].update(referrals=12, sent=12, provided=3, service_provided_percent=25.0,
                                 median_hours_incident_to_medical_referral=30.0, median_hours_referral_to_service=8.0)
    snapshot["referrals"]["by_service"][0].update(referrals=12, provided=3)
    outside = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.EXTERNAL, places=()), "referrals")["rows"]}
    assert outside["Service provided"] == "<5"
    assert outside["Share of sent referrals with the service provided (%)"] == "x"
    # How many medical referrals stand behind that median is not in the snapshot: not shown outside.
    assert outside["Median hours from the incident to the medical referral"] == editions.NOT_SHOWN
    inside = {r[0]: r[1] for r in table(editions.tables(snapshot, Edition.MARA_ROOM), "referrals")["rows"]}
    assert inside["Share of sent referrals with the service provided (%)"] == 25.0
    assert inside["Median hours from the incident to the medical referral"] == 30.0


def test_it_draws_no_chart_that_would_show_a_suppressed_count_outside_the_room(report):
    inside = {c["id"] for c in editions.charts(report.figures, Edition.MARA_ROOM)}
    assert inside == {"quarters", "trend", "victim_group", "form"}
    # Every chart of this quarter holds a small count (Q2 "<5", one man, one case of sexual slavery...).
    assert editions.charts(report.figures, Edition.EXTERNAL) == []


def test_it_draws_charts_outside_the_room_when_no_count_is_small():
    snapshot = synthetic_snapshot()
    charts = editions.charts(snapshot, Edition.EXTERNAL)
    assert {c["id"] for c in charts} == {"quarters", "trend", "victim_group", "form"}
    assert all(c["svg"].startswith("<svg") for c in charts)


def test_it_gives_the_caveat_and_a_methodology_note_with_the_threshold(report):
    assert "under-reported" in editions.caveat() and "minimums" in editions.caveat()
    note = " ".join(editions.methodology(report.figures, Edition.EXTERNAL))
    for words in ("month of the incident date", "information-sharing protocol", "Archived records are excluded",
                  "counts once under each form", "\u201c<5\u201d", "\u201cx\u201d", "late addition"):
        assert words in note


# ---- a synthetic snapshot (the shape of reporting.quarterly.build), for rules no small database shows


def synthetic_snapshot():
    """Every count 10 or more: nothing to suppress until a test makes a cell small."""
    months = [f"{2025 + (6 + i) // 12}-{(6 + i) % 12 + 1:02d}" for i in range(15)]
    quarters = [{"label": label, "year": int(label[:4]), "quarter": int(label[-1]), "incidents": 30,
                 "victims": 30, "verified_incidents": 20, "source": "live", "version": None}
                for label in ("2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3")]

    def rows(*pairs):
        return [{"key": key, "label": label, "incidents": n, "victims": n} for key, label, n in pairs]

    snapshot = {
        "mission": {"code": "SYN", "name": "Synthetic mission"}, "year": 2026, "quarter": 3, "label": "2026 Q3",
        "period": {"from": "2026-07", "to": "2026-09"}, "generated_at": "2026-10-02T08:00:00+00:00",
        "threshold": 5, "totals": {"incidents": 30, "victims": 30}, "verified": {"incidents": 20, "victims": 20},
        "quarters": quarters,
        "by": {
            "form": rows(("RAPE", "Rape", 20), ("SEXUAL_SLAVERY", "Sexual slavery", 10)),
            "admin1": rows(("P1", "Province One", 18), ("P2", "Province Two", 12)),
            "party_type": rows(("NON_STATE_ARMED_GROUP", "Non-state armed group", 30)),
            "party": rows(("1", "Synthetic Front", 30)),
            "victim_group": rows(("WOMEN", "Women", 15), ("MEN", "Men", 0), ("GIRLS", "Girls", 15),
                                 ("BOYS", "Boys", 0), ("UNKNOWN", "Unknown", 0)),
            "verification_status": rows(("VERIFIED", "Verified", 20), ("REPORTED", "Reported", 10)),
            "site_type": rows(("HOME", "Home", 30)),
        },
        "trend": [{"month": m, "incidents": 10, "victims": 10} for m in months],
        "hotspots": {side: {"period": {"from": "2026-07", "to": "2026-09"},
                            "previous_period": {"from": "2026-04", "to": "2026-06"},
                            "most_incidents": [{"key": "P1", "label": "Province One", "admin1": "Province One",
                                                "count": 18, "previous": 15, "rise": 3, "rise_pct": 20.0}],
                            "sharpest_rise": []} for side in ("admin1", "admin2")},
        "referrals": {"referrals": 0, "survivors_referred": 0, "sent": 0, "provided": 0,
                      "service_provided_percent": None,
                      "by_service": [{"key": "MEDICAL", "label": "Medical", "referrals": 0, "provided": 0},
                                     {"key": "LEGAL", "label": "Legal", "referrals": 0, "provided": 0}],
                      "median_hours_incident_to_medical_referral": None, "median_hours_referral_to_service": None},
        "alerts": {"alerts": 0, "acknowledged": 0, "unacknowledged": 0, "median_minutes_to_acknowledge": None,
                   "responded": 0, "median_minutes_to_respond": None,
                   "by_urgency": [{"key": "URGENT", "label": "Urgent", "alerts": 0, "responded": 0},
                                  {"key": "ROUTINE", "label": "Routine", "alerts": 0, "responded": 0}]},
        "commitments": [], "recommendations": [], "late_additions": [],
    }
    return copy.deepcopy(snapshot)


def test_a_total_one_table_withholds_is_withheld_by_every_table_that_adds_up_to_it():
    # Five at home and one at a market, all in one province and all reported: the sites table
    # withholds the total ("x" and "<5" of 6 would give 5 and 1), so no other table may show 6.
    snapshot = synthetic_snapshot()
    snapshot["totals"] = {"incidents": 6, "victims": 6}
    snapshot["quarters"][-1].update(incidents=6, victims=6, verified_incidents=0)
    snapshot["verified"] = {"incidents": 0, "victims": 0}
    snapshot["by"].update({
        "site_type": [{"key": "HOME", "label": "Home", "incidents": 5, "victims": 5},
                      {"key": "MARKET", "label": "Market", "incidents": 1, "victims": 1}],
        "admin1": [{"key": "P1", "label": "Province One", "incidents": 6, "victims": 6}],
        "verification_status": [{"key": "REPORTED", "label": "Reported", "incidents": 6, "victims": 6}],
        "victim_group": [{"key": "WOMEN", "label": "Women", "incidents": 6, "victims": 6}],
    })
    found = editions.tables(snapshot, Edition.EXTERNAL, places=())
    assert [r[1] for r in table(found, "site_type")["rows"]] == ["x", "<5"]
    for table_id in ("site_type", "admin1", "verification_status"):
        assert table(found, table_id)["total"][1] == "x", table_id
        assert 6 not in [r[1] for r in table(found, table_id)["rows"]], table_id
    inside = editions.tables(snapshot, Edition.MARA_ROOM, places=())
    assert table(inside, "admin1")["rows"][0][1] == 6
