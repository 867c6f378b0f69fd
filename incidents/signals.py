"""What other apps may listen to without the incidents app knowing them.

`incidents_changed` is sent inside the transaction that changes incidents, so a receiver's writes
commit or roll back with the change. Arguments: `mission_id`, and `months`: the first days of the
months of the incident date whose figures the change may alter (the old and the new month when a
date moves), or None for "any month" (a bulk load).
"""

from django.dispatch import Signal

incidents_changed = Signal()


def months_of(*days):
    """The distinct first days of the months of `days` (None values ignored)."""
    return sorted({day.replace(day=1) for day in days if day is not None})


def send_changed(mission_id, *days, all_months=False):
    incidents_changed.send(sender="incidents", mission_id=mission_id,
                           months=None if all_months else months_of(*days))
