"""Each intake mistake gets a clear message on its field, keeps what was typed, and stores nothing."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from incidents import validators
from incidents.choices import AGE_GROUP_BOUNDS, AgeGroup, ConsentGivenBy, DatePrecision, age_group_for
from incidents.models import Consent, Incident, Perpetrator, Victim

NEW_URL = "/incidents/new/"
SUMMARY = "One woman reported an attack by armed men in Ashdale territory."
NARRATIVE = "Synthetic narrative Zephyrine: stopped on the road at dusk by three armed men."
NAME = "Testname Alpha"

MSG_FUTURE_INCIDENT = "The incident date cannot be in the future."
MSG_FUTURE_REPORTED = "The date reported cannot be in the future."
MSG_AFTER_REPORTED = "The incident cannot have happened after it was reported."
MSG_RANGE_NO_END = "Give the end of the range (or choose another precision)."
MSG_RANGE_BACKWARDS = "The end of the range is before its start."
MSG_NO_FORM = "Choose at least one form of sexual violence."
MSG_NO_SEX = "Give the victim's sex (Unknown is allowed)."
MSG_CHILD_CONSENT = ("A child's consent follows the best interest of the child: record the caregiver's consent or a "
                     "best-interest decision.")
MSG_DECIDED_BY = "Say who gave or decided the consent, and in what capacity."
MSG_CONSENT_DATE = "Give the date the consent was taken."
MSG_NAME_IN_SUMMARY = "The summary contains a victim's name. Remove it: the MARA reads this."
MSG_LOCALITY_IN_SUMMARY = ("The summary names the locality. Say no more than the territory (admin2): "
                           "the MARA reads this.")
MSG_NO_PARTY = "Choose a party or a party type (Unknown is allowed)."


def iso(day):
    return day.isoformat()


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def victim_row(**overrides):
    row = {
        "id": "", "sex": "FEMALE", "age_years": "30", "age_group": "25-39", "displacement": "IDP",
        "disability": "NO", "name": NAME, "contact": "+000 555 0100", "previously_interviewed_by": "",
        "consent_kinds": ["RECORD", "SHARE_MARA", "REFER", "FOLLOW_UP"], "consent_date": iso(days_ago(2)),
        "consent_given_by": "SURVIVOR", "consent_decided_by": "",
    }
    row.update(overrides)
    return row


def formset(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "1", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value != []:
                data[f"{prefix}-{i}-{key}"] = value
    return data


def intake_post(station, location, party, victim=None, perpetrator=None, **overrides):
    data = {
        "duty_station": str(station.pk), "incident_date_precision": "DAY", "incident_date": iso(days_ago(10)),
        "incident_date_end": "", "reported_date": iso(days_ago(3)), "location": str(location.pk),
        "site_type": "FIELD_OR_FARM", "coordinates": "1.2345,2.3456", "forms": ["RAPE"],
        "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE",
        "source_reliability": "B", "source_credibility": "2", "summary": SUMMARY, "narrative": NARRATIVE,
    }
    data.update(overrides)
    data.update(formset("victims", [victim or victim_row()]))
    data.update(formset("perpetrators", [perpetrator or {"party": str(party.pk), "party_type": "", "number": "2",
                                                         "sex": "MALE"}]))
    return data


@pytest.fixture
def post_intake(client, users, login, stations, gazetteer, party):
    login(users["WPA"])

    def _post(victim=None, perpetrator=None, **overrides):
        return client.post(NEW_URL, intake_post(stations["north"], gazetteer["hamlet"], party, victim=victim,
                                                perpetrator=perpetrator, **overrides))
    return _post


def field_errors(response, part, field):
    intake = response.context["intake"]
    form = {"incident": intake.incident, "victim": intake.victims.forms[0],
            "perpetrator": intake.perpetrators.forms[0]}[part]
    return form.errors.get(field, [])


def assert_refused(response, part, field, message, *, summary=SUMMARY):
    """400, the message on the field and in the page, the user's typing still there, nothing stored."""
    assert response.status_code == 400
    assert message in field_errors(response, part, field)
    html = response.content.decode()
    field_id = {"incident": f"id_{field}", "victim": f"id_victims-0-{field}",
                "perpetrator": f"id_perpetrators-0-{field}"}[part]
    # The message is shown inside the field's own block, right after the field.
    block = html[html.index(f'id="{field_id}"'):]
    block = block[:block.index('<div class="field')] if '<div class="field' in block else block
    assert escape(message) in block
    assert escape(summary) in html
    assert NARRATIVE in html
    assert f'value="{NAME}"' in html
    assert (Incident.objects.count(), Victim.objects.count(), Consent.objects.count(),
            Perpetrator.objects.count()) == (0, 0, 0, 0)


def test_valid_post_is_accepted(post_intake):
    """The baseline every refusal below departs from by one change."""
    response = post_intake()

    assert response.status_code == 302
    assert Incident.objects.count() == 1


def test_incident_date_in_the_future(post_intake):
    response = post_intake(incident_date=iso(days_ago(-1)), reported_date=iso(days_ago(0)))

    assert_refused(response, "incident", "incident_date", MSG_FUTURE_INCIDENT)


def test_incident_date_after_reported_date(post_intake):
    response = post_intake(incident_date=iso(days_ago(2)), reported_date=iso(days_ago(5)))

    assert_refused(response, "incident", "incident_date", MSG_AFTER_REPORTED)


def test_reported_date_in_the_future(post_intake):
    response = post_intake(reported_date=iso(days_ago(-1)))

    assert_refused(response, "incident", "reported_date", MSG_FUTURE_REPORTED)


def test_range_without_end(post_intake):
    response = post_intake(incident_date_precision="RANGE", incident_date=iso(days_ago(60)))

    assert_refused(response, "incident", "incident_date_end", MSG_RANGE_NO_END)


def test_range_ending_before_it_starts(post_intake):
    response = post_intake(incident_date_precision="RANGE", incident_date=iso(days_ago(30)),
                           incident_date_end=iso(days_ago(60)))

    assert_refused(response, "incident", "incident_date_end", MSG_RANGE_BACKWARDS)


def test_no_form_of_violence(post_intake):
    response = post_intake(forms=[])

    assert_refused(response, "incident", "forms", MSG_NO_FORM)


def test_victim_without_sex(post_intake):
    response = post_intake(victim=victim_row(sex=""))

    assert_refused(response, "victim", "sex", MSG_NO_SEX)


def test_age_contradicting_age_group(post_intake):
    response = post_intake(victim=victim_row(age_years="30", age_group="12-17"))

    assert_refused(response, "victim", "age_group", "An age of 30 years is not in the age group 12-17.")


def test_child_cannot_consent_alone(post_intake):
    response = post_intake(victim=victim_row(age_years="15", age_group="12-17", consent_given_by="SURVIVOR"))

    assert_refused(response, "victim", "consent_given_by", MSG_CHILD_CONSENT)


@pytest.mark.parametrize("given_by", ["CAREGIVER", "BEST_INTEREST"])
def test_child_consent_needs_who_decided(post_intake, given_by):
    response = post_intake(victim=victim_row(age_years="15", age_group="12-17", consent_given_by=given_by))

    assert_refused(response, "victim", "consent_decided_by", MSG_DECIDED_BY)


def test_child_consent_by_caregiver_with_who_decided_is_accepted(post_intake):
    response = post_intake(victim=victim_row(age_years="15", age_group="12-17", consent_given_by="CAREGIVER",
                                             consent_decided_by="Mother"))

    assert response.status_code == 302
    consent = Victim.objects.get().consents.get(kind="RECORD")
    assert (consent.given_by, consent.decided_by) == ("CAREGIVER", "Mother")


def test_consents_ticked_without_date(post_intake):
    response = post_intake(victim=victim_row(consent_date=""))

    assert_refused(response, "victim", "consent_date", MSG_CONSENT_DATE)


@pytest.mark.parametrize("summary", [
    "Testname reported an attack by armed men in Ashdale territory.",
    "A woman (ALPHA) reported an attack by armed men in Ashdale territory.",
    "An attack by armed men in Ashdale territory was reported by Alpha.",
    "The survivor, Testname, reported an attack by armed men in Ashdale territory.",
])
def test_summary_with_a_victims_name(post_intake, summary):
    response = post_intake(summary=summary)

    assert_refused(response, "incident", "summary", MSG_NAME_IN_SUMMARY, summary=summary)


def test_summary_naming_the_locality(post_intake):
    summary = "One woman reported an attack by armed men near quillby market."

    response = post_intake(summary=summary)

    assert_refused(response, "incident", "summary", MSG_LOCALITY_IN_SUMMARY, summary=summary)


def test_perpetrator_without_party_or_type(post_intake):
    response = post_intake(perpetrator={"party": "", "party_type": "", "number": "3", "sex": "MALE"})

    assert_refused(response, "perpetrator", "party_type", MSG_NO_PARTY)


def test_perpetrator_type_without_a_named_party_is_accepted(post_intake):
    response = post_intake(perpetrator={"party": "", "party_type": "UNIDENTIFIED_ARMED", "number": "",
                                        "sex": "UNKNOWN"})

    assert response.status_code == 302
    assert Perpetrator.objects.get().party_type == "UNIDENTIFIED_ARMED"


# --- validators.py, directly -------------------------------------------------------------------------------

TODAY = datetime.date(2025, 6, 15)


def dates(incident, reported, precision=DatePrecision.DAY, end=None):
    return validators.check_incident_dates(incident_date=incident, precision=precision, end=end,
                                           reported_date=reported, today=TODAY)


def test_check_incident_dates_accepts_plain_and_range_dates():
    assert dates(datetime.date(2025, 6, 1), datetime.date(2025, 6, 10)) == {}
    assert dates(TODAY, TODAY) == {}
    assert dates(datetime.date(2024, 1, 1), TODAY, DatePrecision.RANGE, datetime.date(2024, 12, 31)) == {}


def test_check_incident_dates_refusals():
    assert dates(datetime.date(2025, 6, 16), datetime.date(2025, 6, 16))["incident_date"][0] == MSG_FUTURE_INCIDENT
    assert MSG_FUTURE_REPORTED in dates(datetime.date(2025, 6, 1), datetime.date(2025, 6, 16))["reported_date"]
    assert dates(datetime.date(2025, 6, 5), datetime.date(2025, 6, 4))["incident_date"] == [MSG_AFTER_REPORTED]
    assert dates(datetime.date(2025, 1, 1), TODAY, DatePrecision.RANGE) == {"incident_date_end": [MSG_RANGE_NO_END]}
    assert dates(datetime.date(2025, 2, 1), TODAY, DatePrecision.RANGE, datetime.date(2025, 1, 1)) == {
        "incident_date_end": [MSG_RANGE_BACKWARDS]}
    assert "incident_date_end" in dates(datetime.date(2025, 1, 1), datetime.date(2025, 3, 1), DatePrecision.RANGE,
                                        datetime.date(2025, 4, 1))
    assert "incident_date_end" in dates(datetime.date(2025, 1, 1), TODAY, DatePrecision.DAY, datetime.date(2025, 2, 1))


def victim(**overrides):
    kwargs = {"age_years": 30, "age_group": "25-39", "consent_kinds": ["RECORD"], "consent_given_by": "SURVIVOR",
              "consent_decided_by": "", "consent_date": timezone.localdate()}
    kwargs.update(overrides)
    return validators.check_victim(**kwargs)


def test_check_victim():
    assert victim() == {}
    assert victim(age_years=None, age_group=AgeGroup.UNKNOWN) == {}
    assert "age_group" in victim(age_years=30, age_group="12-17")
    assert victim(age_years=30, age_group=AgeGroup.UNKNOWN) == {}
    assert victim(age_years=15, age_group="12-17")["consent_given_by"] == [MSG_CHILD_CONSENT]
    # Age group alone is enough to know it is a child.
    assert "consent_given_by" in victim(age_years=None, age_group="5-11")
    assert victim(age_years=15, age_group="12-17", consent_given_by="CAREGIVER") == {
        "consent_decided_by": [MSG_DECIDED_BY]}
    assert victim(age_years=15, age_group="12-17", consent_given_by="BEST_INTEREST",
                  consent_decided_by="Child protection officer") == {}
    assert victim(consent_date=None) == {"consent_date": [MSG_CONSENT_DATE]}
    assert "consent_date" in victim(consent_date=timezone.localdate() + datetime.timedelta(days=1))
    # No consent ticked: no consent date or consent-giver is needed, even for a child.
    assert victim(age_years=15, age_group="12-17", consent_kinds=[], consent_date=None) == {}


def test_check_summary():
    check = validators.check_summary
    assert check(SUMMARY, names=[NAME], locality_name="Quillby") == {}
    assert check("testname ALPHA was attacked", names=[NAME], locality_name=None) == {"summary": [MSG_NAME_IN_SUMMARY]}
    assert check("attack in Quillby", names=[], locality_name="Quillby") == {"summary": [MSG_LOCALITY_IN_SUMMARY]}
    # Short name parts ("Al") would refuse ordinary words, so they are not checked.
    assert check("Al Shabaab-style attack", names=["Al Bo"], locality_name=None) == {}
    assert check("", names=[NAME, None, ""], locality_name=None) == {}


@pytest.mark.parametrize("summary", ["Reported by Alpha.", "A woman, Testname, was attacked", "Survivor (Alpha)",
                                     'She said "Testname" twice'])
def test_check_summary_finds_a_name_next_to_punctuation(summary):
    assert validators.check_summary(summary, names=[NAME], locality_name=None) == {"summary": [MSG_NAME_IN_SUMMARY]}


# --- properties --------------------------------------------------------------------------------------------

any_day = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2035, 12, 31))


@given(incident=any_day, reported=any_day, today=any_day,
       precision=st.sampled_from(DatePrecision.values), end=st.none() | any_day)
def test_check_incident_dates_never_accepts_incident_after_reported_or_in_future(
        incident, reported, today, precision, end):
    errors = validators.check_incident_dates(incident_date=incident, precision=precision, end=end,
                                             reported_date=reported, today=today)
    if incident > reported or incident > today:
        assert errors.get("incident_date")
    if reported > today:
        assert errors.get("reported_date")
    if not errors:
        assert incident <= reported <= today


@given(age=st.integers(min_value=0, max_value=120), consent=st.booleans())
def test_check_victim_accepts_any_age_with_its_own_group(age, consent):
    group = age_group_for(age)
    child = group in {"0-4", "5-11", "12-17"}
    errors = validators.check_victim(
        age_years=age, age_group=group,
        consent_kinds=["RECORD", "SHARE_MARA"] if consent else [],
        consent_given_by=ConsentGivenBy.CAREGIVER if child else ConsentGivenBy.SURVIVOR,
        consent_decided_by="Mother" if child else "", consent_date=datetime.date(2020, 1, 1),
    )
    assert group in AGE_GROUP_BOUNDS
    assert errors == {}


@given(age=st.integers(min_value=0, max_value=120), group=st.sampled_from(list(AGE_GROUP_BOUNDS)))
def test_check_victim_refuses_an_age_outside_the_group(age, group):
    low, high = AGE_GROUP_BOUNDS[group]
    errors = validators.check_victim(age_years=age, age_group=group, consent_kinds=[], consent_given_by="SURVIVOR",
                                     consent_decided_by="", consent_date=None)
    assert ("age_group" in errors) == (not low <= age <= high)
