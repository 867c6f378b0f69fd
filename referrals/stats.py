"""Referral figures per month and duty station, for the MARA room and the SWPA (layer C).

Conventions (see also incidents.stats, whose month helpers these reuse):

- `referrals` is a base queryset of Referral the caller has already scoped, normally
  `referrals_countable_by(user)`. These functions only add the period and group.
- A referral counts in the month it was recorded (`created_at`, UTC) and under its incident's
  duty station. Periods are whole months, first and last included.
- Survivors: distinct victims with at least one referral for which consent was given
  (`consent_given`; a consent withdrawn later still counted at the time of the referral).
- Share with service provided: referrals that went out (any status but PROPOSED) whose status is
  SERVICE_PROVIDED, or CLOSED with a service_provided_at; in percent, one decimal, None when no
  referral went out.
- Median hours from the incident to a MEDICAL referral: from 00:00 UTC of the incident date
  (the earliest possible moment, as in referrals.deadlines, so the figure errs long) to
  `referred_at`; only incidents dated to the day. Median hours from referral to service:
  `referred_at` to `service_provided_at`. Both None without values.
- Outside layer A (the MARA room reads no referral), a median or share computed over fewer values
  than the small-cell threshold is None: a median over one referral is that referral's own time, and
  with its month and duty station it pins the incident date (referral_figures_for).
- One SQL query fetches the period's referrals (a few columns each); grouping and the medians
  are computed in Python over those values: referrals are counted in hundreds per month, and a
  median is not portable SQL (SQLite has none).
- Rows are plain dicts of JSON types, sorted by month then duty station code.
"""

import datetime
import statistics
from collections import defaultdict

from crsv_mis import access, disclosure
from incidents.choices import DatePrecision
from incidents.stats import add_months, month_key, month_start

from .models import Referral, ReferralStatus, Service


def referrals_countable_by(user):
    """Referrals counted in figures shown to this person: those of the incidents they may count
    (access.incidents_countable_by: active records of the mission; ISP information for the SWPA
    only). Counts only, never a record: the MARA room reads no referral itself."""
    if not access.can_read_fine_aggregates(user):
        return Referral.objects.none()
    return Referral.objects.filter(incident__in=access.incidents_countable_by(user))


def _bounds(start, end):
    first = datetime.datetime.combine(month_start(start), datetime.time.min, tzinfo=datetime.UTC)
    after = datetime.datetime.combine(add_months(end, 1), datetime.time.min, tzinfo=datetime.UTC)
    return first, after


def _hours(later, earlier):
    return (later - earlier).total_seconds() / 3600


def _median(values, fewest=1):
    return round(statistics.median(values), 1) if values and len(values) >= fewest else None


def _percent(part, whole, fewest=1):
    return round(100 * part / whole, 1) if whole and whole >= fewest else None


def fewest_values_for(user):
    """How many values a median or share shown to this person stands on at least: any number in
    layer A, who reads the referrals themselves; the small-cell threshold for everyone else."""
    return 1 if access.sees_identifying_data(user) else disclosure.threshold()


def referral_figures_for(user, start, end):
    """referral_figures over what this person may count, as they may see it."""
    return referral_figures(referrals_countable_by(user), start, end, fewest=fewest_values_for(user))


def _provided(row):
    return row["status"] == ReferralStatus.SERVICE_PROVIDED or (
        row["status"] == ReferralStatus.CLOSED and row["service_provided_at"] is not None)


def _period_rows(referrals, start, end):
    first, after = _bounds(start, end)
    return list(
        referrals.filter(created_at__gte=first, created_at__lt=after)
        .values("created_at", "victim_id", "service", "status", "consent_given", "referred_at",
                "service_provided_at", "incident__incident_date", "incident__incident_date_precision",
                "incident__duty_station__code", "incident__duty_station__name")
        .order_by("created_at", "id")
    )


def referral_figures(referrals, start, end, fewest=1):
    """Per month and duty station: survivors referred with consent, referrals by service and
    status, share with service provided and the two medians (see the module docstring); a share or
    median over fewer than `fewest` values is None."""
    groups = defaultdict(list)
    for row in _period_rows(referrals, start, end):
        created = row["created_at"].astimezone(datetime.UTC)
        groups[(month_key(created.date()), row["incident__duty_station__code"])].append(row)
    results = []
    for (month, station), rows in sorted(groups.items()):
        by_service_status = defaultdict(int)
        for row in rows:
            by_service_status[(row["service"], row["status"])] += 1
        sent = [row for row in rows if row["status"] != ReferralStatus.PROPOSED]
        to_medical = [
            _hours(row["referred_at"], datetime.datetime.combine(row["incident__incident_date"], datetime.time.min,
                                                                 tzinfo=datetime.UTC))
            for row in rows
            if row["service"] == Service.MEDICAL and row["referred_at"] is not None
            and row["incident__incident_date_precision"] == DatePrecision.DAY
        ]
        to_service = [_hours(row["service_provided_at"], row["referred_at"]) for row in rows
                      if row["referred_at"] is not None and row["service_provided_at"] is not None]
        results.append({
            "month": month,
            "duty_station": station,
            "duty_station_name": rows[0]["incident__duty_station__name"],
            "referrals": len(rows),
            "survivors_referred": len({row["victim_id"] for row in rows if row["consent_given"]}),
            "by_service_status": [{"service": service, "status": status, "count": count}
                                  for (service, status), count in sorted(by_service_status.items())],
            "service_provided_percent": _percent(sum(map(_provided, sent)), len(sent), fewest),
            "median_hours_incident_to_medical_referral": _median(to_medical, fewest),
            "median_hours_referral_to_service": _median(to_service, fewest),
        })
    return results


def period_summary(referrals, start, end, fewest=1):
    """The same figures as referral_figures for the whole period `start`..`end` at once (a quarter
    in the report): one median over all the period's referrals, never a median of medians.

    {"referrals", "survivors_referred", "sent", "provided", "service_provided_percent",
     "by_service": [{"key", "label", "referrals", "provided"}] (every service, zeros included),
     "median_hours_incident_to_medical_referral", "median_hours_referral_to_service",
     "count_incident_to_medical_referral", "count_referral_to_service" (the values behind each median)}

    A share or median over fewer than `fewest` values is None.
    """
    rows = _period_rows(referrals, start, end)
    sent = [row for row in rows if row["status"] != ReferralStatus.PROPOSED]
    provided = [row for row in sent if _provided(row)]
    to_medical = [
        _hours(row["referred_at"], datetime.datetime.combine(row["incident__incident_date"], datetime.time.min,
                                                             tzinfo=datetime.UTC))
        for row in rows
        if row["service"] == Service.MEDICAL and row["referred_at"] is not None
        and row["incident__incident_date_precision"] == DatePrecision.DAY
    ]
    to_service = [_hours(row["service_provided_at"], row["referred_at"]) for row in rows
                  if row["referred_at"] is not None and row["service_provided_at"] is not None]
    return {
        "referrals": len(rows),
        "survivors_referred": len({row["victim_id"] for row in rows if row["consent_given"]}),
        "sent": len(sent),
        "provided": len(provided),
        "service_provided_percent": _percent(len(provided), len(sent), fewest),
        "by_service": [{"key": str(service), "label": str(service.label),
                        "referrals": sum(1 for row in rows if row["service"] == service),
                        "provided": sum(1 for row in provided if row["service"] == service)}
                       for service in Service],
        "median_hours_incident_to_medical_referral": _median(to_medical, fewest),
        "median_hours_referral_to_service": _median(to_service, fewest),
        "count_incident_to_medical_referral": len(to_medical),
        "count_referral_to_service": len(to_service),
    }
