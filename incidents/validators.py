"""Intake rules shared by the page form and the API. Each returns {field: [message]}."""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AgeGroup, ConsentGivenBy, DatePrecision, age_group_for

SEA_PARTY_TYPE = "UN_PERSONNEL"


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def check_incident_dates(*, incident_date, precision, end, reported_date, today=None):
    today = today or timezone.localdate()
    errors = {}
    if incident_date and incident_date > today:
        _add(errors, "incident_date", _("The incident date cannot be in the future."))
    if reported_date and reported_date > today:
        _add(errors, "reported_date", _("The date reported cannot be in the future."))
    if incident_date and reported_date and incident_date > reported_date:
        _add(errors, "incident_date", _("The incident cannot have happened after it was reported."))
    if precision == DatePrecision.RANGE:
        if not end:
            _add(errors, "incident_date_end", _("Give the end of the range (or choose another precision)."))
        elif incident_date and end < incident_date:
            _add(errors, "incident_date_end", _("The end of the range is before its start."))
        elif end > today:
            _add(errors, "incident_date_end", _("The end of the range cannot be in the future."))
        elif reported_date and end > reported_date:
            _add(errors, "incident_date_end", _("The end of the range is after the date reported."))
    elif end:
        _add(errors, "incident_date_end", _("An end date is only for a date range."))
    return errors


def check_victim(*, age_years, age_group, consent_kinds, consent_given_by, consent_decided_by, consent_date):
    errors = {}
    if age_years is not None and age_group and age_group != AgeGroup.UNKNOWN:
        if age_group_for(age_years) != age_group:
            _add(errors, "age_group", _("An age of %(age)s years is not in the age group %(group)s.")
                 % {"age": age_years, "group": age_group})
    if age_years is not None and age_years > 120:
        _add(errors, "age_years", _("Enter an age in years between 0 and 120."))
    group = age_group_for(age_years) if age_years is not None else age_group
    child = group in {"0-4", "5-11", "12-17"}
    if consent_kinds:
        if not consent_date:
            _add(errors, "consent_date", _("Give the date the consent was taken."))
        elif consent_date > timezone.localdate():
            _add(errors, "consent_date", _("The consent date cannot be in the future."))
        if child and consent_given_by == ConsentGivenBy.SURVIVOR:
            _add(errors, "consent_given_by", _(
                "A child's consent follows the best interest of the child: record the caregiver's "
                "consent or a best-interest decision."))
        if consent_given_by in (ConsentGivenBy.CAREGIVER, ConsentGivenBy.BEST_INTEREST) and not consent_decided_by:
            _add(errors, "consent_decided_by", _("Say who gave or decided the consent, and in what capacity."))
    return errors


def check_summary(summary, *, names, locality_name):
    """The summary is read by the MARA: no names, nothing finer than admin2."""
    errors = {}
    lowered = (summary or "").lower()
    words = set(re.findall(r"\w+", lowered))
    for name in names:
        if any(len(part) >= 3 and part in words for part in re.findall(r"\w+", (name or "").lower())):
            _add(errors, "summary", _("The summary contains a victim's name. Remove it: the MARA reads this."))
            return errors
    if locality_name and locality_name.lower() in lowered:
        _add(errors, "summary", _(
            "The summary names the locality. Say no more than the territory (admin2): the MARA reads this."))
    return errors
