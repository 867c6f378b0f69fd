"""Properties of the intake rules (incidents/validators.py) and of the ways in built on them (the
intake page's forms, the API's serializers, the months of the statistics): every valid value is
accepted, every invalid one is refused with a message on its field, and nothing typed makes them
fail otherwise than with a validation error (arbitrary text, odd Unicode, wrong types)."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from incidents import stats, validators
from incidents.api import MonthField, VictimWriteSerializer
from incidents.choices import AGE_GROUP_BOUNDS, AgeGroup, ConsentGivenBy, ConsentKind, DatePrecision, age_group_for
from incidents.forms import VictimForm

TODAY = datetime.date(2026, 6, 15)
days = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 12, 31))
past_days = st.dates(min_value=datetime.date(1990, 1, 1), max_value=TODAY)
children = [g for g in AGE_GROUP_BOUNDS if AGE_GROUP_BOUNDS[g][1] < 18]
# Anything a person or a client may type: any text, numbers, lists, nothing.
anything = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text() | st.lists(st.text())


def well_formed(errors):
    """{field: [message, ...]} with at least one message per field."""
    return isinstance(errors, dict) and all(
        isinstance(field, str) and messages and all(isinstance(m, str) and m for m in messages)
        for field, messages in errors.items())


# ---- dates


@given(st.data())
def test_every_consistent_set_of_dates_is_accepted(data):
    reported = data.draw(past_days)
    start = data.draw(st.dates(min_value=datetime.date(1990, 1, 1), max_value=reported))
    precision = data.draw(st.sampled_from(DatePrecision.values))
    end = data.draw(st.dates(min_value=start, max_value=reported)) if precision == DatePrecision.RANGE else None

    assert validators.check_incident_dates(incident_date=start, precision=precision, end=end,
                                           reported_date=reported, today=TODAY) == {}


@given(incident=days, reported=days, precision=st.sampled_from(DatePrecision.values), end=st.none() | days)
def test_dates_are_accepted_exactly_when_they_are_consistent(incident, reported, precision, end):
    errors = validators.check_incident_dates(incident_date=incident, precision=precision, end=end,
                                             reported_date=reported, today=TODAY)
    if precision == DatePrecision.RANGE:
        consistent_end = end is not None and incident <= end <= min(reported, TODAY)
    else:
        consistent_end = end is None
    assert well_formed(errors)
    assert (errors == {}) == (incident <= reported <= TODAY and consistent_end)
    if not consistent_end:
        assert "incident_date_end" in errors


# ---- victims and consent


ages = st.none() | st.integers(min_value=0, max_value=120)


@given(age=ages, unknown_group=st.booleans(), kinds=st.lists(st.sampled_from(ConsentKind.values), unique=True),
       consent_date=past_days, decided_by=st.text(min_size=1).filter(str.strip))
def test_every_victim_with_a_matching_group_and_a_proper_consent_is_accepted(age, unknown_group, kinds,
                                                                             consent_date, decided_by):
    group = AgeGroup.UNKNOWN if unknown_group or age is None else age_group_for(age)
    child = (age_group_for(age) if age is not None else group) in children
    given_by = ConsentGivenBy.CAREGIVER if child else ConsentGivenBy.SURVIVOR

    errors = validators.check_victim(age_years=age, age_group=group, consent_kinds=kinds, consent_given_by=given_by,
                                     consent_decided_by=decided_by if child else "", consent_date=consent_date)
    assert errors == {}


@given(age=ages, group=st.sampled_from(AgeGroup.values), kinds=st.lists(st.sampled_from(ConsentKind.values)),
       given_by=st.sampled_from(ConsentGivenBy.values), decided_by=st.text(), consent_date=st.none() | days)
def test_a_victim_is_refused_exactly_for_the_rules_it_breaks(age, group, kinds, given_by, decided_by, consent_date):
    errors = validators.check_victim(age_years=age, age_group=group, consent_kinds=kinds, consent_given_by=given_by,
                                     consent_decided_by=decided_by, consent_date=consent_date)
    assert well_formed(errors)
    mismatched = age is not None and group != AgeGroup.UNKNOWN and age_group_for(age) != group
    assert ("age_group" in errors) == mismatched
    child = (age_group_for(age) if age is not None else group) in children
    if kinds:
        assert ("consent_date" in errors) == (consent_date is None or consent_date > timezone.localdate())
        assert ("consent_given_by" in errors) == (child and given_by == ConsentGivenBy.SURVIVOR)
        assert ("consent_decided_by" in errors) == (given_by != ConsentGivenBy.SURVIVOR and not decided_by)
    else:
        assert not {"consent_date", "consent_given_by", "consent_decided_by"} & set(errors)


# ---- the summary the MARA reads


words = st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=3, max_size=12)


@given(name=words, before=st.text(max_size=40), after=st.text(max_size=40))
def test_a_summary_holding_a_victims_name_is_always_refused(name, before, after):
    summary = f"{before} {name} {after}"
    errors = validators.check_summary(summary, names=[f"{name} Other"], locality_name=None)
    assert list(errors) == ["summary"] and well_formed(errors)


@given(summary=st.text(alphabet="abcdefghij .,;-", max_size=200), names=st.lists(st.text(alphabet="klmnopqrst ")))
def test_a_summary_sharing_no_word_with_the_names_or_the_locality_is_accepted(summary, names):
    assert validators.check_summary(summary, names=names, locality_name="Quillby") == {}


@given(summary=st.text(), names=st.lists(st.none() | st.text()), locality=st.none() | st.text())
def test_any_summary_is_checked_without_failing(summary, names, locality):
    assert well_formed(validators.check_summary(summary, names=names, locality_name=locality))


# ---- the ways in: months, the API's victim, the page's victim


@given(year=st.integers(min_value=stats.FIRST_YEAR, max_value=stats.LAST_YEAR), month=st.integers(1, 12))
def test_every_month_in_range_is_read(year, month):
    assert stats.parse_month(f"{year:04d}-{month:02d}") == datetime.date(year, month, 1)
    assert MonthField().run_validation(f"{year:04d}-{month:02d}") == datetime.date(year, month, 1)


@given(text=st.text(max_size=12) | st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z") | st.from_regex(r"\A\d{4}-\d{2}\Z"))
def test_any_other_text_is_refused_as_a_month_with_a_validation_error_only(text):
    try:
        parsed = stats.parse_month(text)
    except ValueError:
        with pytest.raises(ValidationError):
            MonthField().run_validation(text)
        return
    assert parsed == datetime.date(int(text.strip()[:4]), int(text.strip()[5:]), 1)


victim_fields = ["sex", "age_years", "age_group", "displacement", "disability", "name", "contact",
                 "previously_interviewed_by", "consent_kinds", "consent_date", "consent_given_by",
                 "consent_decided_by"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(victim_fields), anything))
def test_the_apis_victim_refuses_anything_with_field_errors_only(data):
    serializer = VictimWriteSerializer(data=data)
    if not serializer.is_valid():
        assert well_formed({k: [str(m) for m in (v if isinstance(v, list) else [v])]
                            for k, v in serializer.errors.items()})
        return
    clean = serializer.validated_data
    assert validators.check_victim(
        age_years=clean.get("age_years"), age_group=clean.get("age_group"), consent_kinds=clean.get("consent_kinds"),
        consent_given_by=clean.get("consent_given_by"), consent_decided_by=clean.get("consent_decided_by"),
        consent_date=clean.get("consent_date")) == {}


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.dictionaries(st.sampled_from(victim_fields), st.lists(st.text(), min_size=1, max_size=3)))
def test_the_intake_pages_victim_refuses_anything_with_field_errors_only(data):
    # As a browser posts it: every field a list of texts (checkboxes repeat their name).
    posted = QueryDict(mutable=True)
    for key, values in data.items():
        posted.setlist(f"v-{key}", values)
    form = VictimForm(data=posted, prefix="v")
    assert form.is_valid() or well_formed({k: list(v) for k, v in form.errors.items()})
