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
