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

    Primary suppression: a count above zero and below the threshold reads "<5". Zeros are shown: an
    empty cell discloses nobody. A total below the threshold reads "<5" itself.

    Secondary suppression, when the row shows a total its cells add up to: a reader knows the hidden
    cells add up to the total minus the shown ones, that each "<5" is from 1 to 4 and that each "x"
    is at least 5 (it is withheld, not small) and at most the smallest count still shown (they are
    withheld smallest first). From that alone no small cell may be worked out
    exactly: while one could (one "<5" beside shown cells; [5, 1] of 6 shown as x and <5; two <5
    adding up to 2), the smallest count still shown is withheld as WITHHELD ("x"); if none is left,
    the total is withheld.

    `values` is a list of ints (None for "not applicable", left alone); `total` an int or None when
    the row shows no total.
    """
    limit = threshold() if threshold_value is None else threshold_value
    mark = f"<{limit}"
    small = {i for i, v in enumerate(values) if v is not None and 0 < v < limit}
    shown = [mark if i in small else v for i, v in enumerate(values)]
    if total is None:
        return shown, None
    if 0 < total < limit:
        return shown, mark
    withheld = set()
    while small and not _none_pinned(values, small, withheld, total, limit):
        others = sorted((v, i) for i, v in enumerate(values)
                        if v is not None and v >= limit and i not in withheld)
        if not others:
            return shown, WITHHELD
        withheld.add(others[0][1])
        shown[others[0][1]] = WITHHELD
    return shown, total


def _none_pinned(values, small, withheld, total, limit):
    """Whether every small cell could still be at least two different counts, given the total, the
    shown cells, and the bounds a reader knows of the hidden ones (small: 1..limit-1, withheld: at
    least limit, with no upper bound)."""
    if len(small) + len(withheld) == 1:
        return False  # the total minus the shown cells
    if limit - 1 < 2:
        return True  # "<2" can only be 1: the mark itself says it, not the total
    hidden_sum = total - sum(v for i, v in enumerate(values) if v is not None and i not in small | withheld)
    lows = {i: 1 for i in small} | {i: limit for i in withheld}
    # Counts are withheld smallest first, and the rule is public: a withheld count is at most the
    # smallest count still shown (unbounded when none is).
    still_shown = [v for i, v in enumerate(values) if v is not None and v >= limit and i not in withheld]
    withheld_high = min(still_shown) if still_shown else None
    highs = {i: limit - 1 for i in small} | {i: withheld_high for i in withheld}
    for i in small:
        others = [j for j in lows if j != i]
        most = min(limit - 1, hidden_sum - sum(lows[j] for j in others))
        if any(highs[j] is None for j in others):
            least = 1
        else:
            least = max(1, hidden_sum - sum(highs[j] for j in others))
        if most <= least:
            return False
    return True


def withhold_exact(shown, threshold_value=None):
    """A column already suppressed, with every exact count from the threshold up withheld as well:
    for a column that adds up to a total withheld elsewhere (zeros stay: they add nothing)."""
    limit = threshold() if threshold_value is None else threshold_value
    return [WITHHELD if isinstance(v, int) and v >= limit else v for v in shown]
