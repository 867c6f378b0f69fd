"""Time-critical medical care after rape (docs/domain.md, "Referrals"): post-exposure prophylaxis
(PEP) within 72 hours of the incident, emergency contraception within 120 hours.

An incident has only a date (no time), so a deadline is counted from the **start** of the
incident date, 00:00 UTC: the earliest moment the incident can have happened. This is
conservative on purpose: a deadline shown here may in fact be a few hours later, never earlier,
so nobody is told there is more time than there may be. Deadlines are computed only for an
incident dated to the exact day (precision DAY); a month, a year or a range says nothing useful
in hours.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import DatePrecision

from .models import Service

PEP = "PEP"
EC = "EC"
# (kind, label, hours after the start of the incident date)
MEDICAL_WINDOWS = (
    (PEP, _("Post-exposure prophylaxis (PEP)"), 72),
    (EC, _("Emergency contraception"), 120),
)
# An incident whose date started longer ago than this is not "recent": both windows closed days
# ago, and the detail page no longer shows them.
RECENT_DAYS = 14


def incident_start(incident):
    """00:00 UTC of the incident date, or None when the date is not known to the day."""
    if incident.incident_date_precision != DatePrecision.DAY or incident.incident_date is None:
        return None
    return datetime.datetime.combine(incident.incident_date, datetime.time.min, tzinfo=datetime.UTC)


def medical_deadlines(referral, now=None):
    """The PEP and emergency-contraception deadlines of a MEDICAL referral whose incident is
    recent and dated to the day, each with the hours left (negative once passed):

        [{"kind": "PEP", "label": ..., "deadline": datetime, "hours_left": float, "passed": bool},
         {"kind": "EC", ...}]

    None for any other service, an incident dated to the month/year/range, or an incident that
    started more than RECENT_DAYS days ago. Deadlines count from 00:00 UTC of the incident date,
    the earliest possible moment (conservative: see the module docstring).
    """
    if referral.service != Service.MEDICAL:
        return None
    start = incident_start(referral.incident)
    if start is None:
        return None
    now = now or timezone.now()
    if now - start > datetime.timedelta(days=RECENT_DAYS):
        return None
    result = []
    for kind, label, hours in MEDICAL_WINDOWS:
        deadline = start + datetime.timedelta(hours=hours)
        hours_left = round((deadline - now).total_seconds() / 3600, 2)
        result.append({"kind": kind, "label": str(label), "deadline": deadline, "hours_left": hours_left,
                       "passed": deadline <= now})
    return result
