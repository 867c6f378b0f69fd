"""Small-cell suppression for figures that leave the MARA room (DOMAIN.md, "Survivor safety rules")."""

from django.conf import settings

from . import access


def threshold():
    return settings.SMALL_CELL_THRESHOLD


def shown(count, user):
    """The count as this person may see it: below the threshold (and above zero) it reads "<5"
    outside the MARA room."""
    if access.can_read_fine_aggregates(user) or not count or count >= threshold():
        return count
    return f"<{threshold()}"


# Secondary suppression's mark: a count withheld so that a small one cannot be worked out.
WITHHELD = "x"


def suppress(values, total=None, threshold_value=None):
    """A row (or column) of counts as it may leave the MARA room: (shown values, shown total).

    Primary suppression: a count above zero and below the threshold reads "<5". Secondary
    suppression: when the row has a total that is shown and exactly one cell is suppressed, anyone
    could recompute that cell as the total minus the others; so the smallest other count above zero
    is withheld too and reads WITHHELD ("x", never "<5": it is not small), and if there is none, the
    total is withheld. A total below the threshold reads "<5" itself. Zeros are shown: an empty
    cell discloses nobody.

    `values` is a list of ints (None for "not applicable", left alone); `total` an int or None when
    the row shows no total.
    """
    limit = threshold() if threshold_value is None else threshold_value
    mark = f"<{limit}"
    small = [i for i, v in enumerate(values) if v is not None and 0 < v < limit]
    shown = [mark if i in small else v for i, v in enumerate(values)]
    if total is None:
        return shown, None
    shown_total = mark if 0 < total < limit else total
    if len(small) == 1 and shown_total != mark:
        others = sorted((v, i) for i, v in enumerate(values) if v is not None and v >= limit)
        if others:
            shown[others[0][1]] = WITHHELD
        else:
            shown_total = WITHHELD
    return shown, shown_total
