"""Disclosure control: what figures may say once they leave the MARA room.

Every figure drawn from survivors' records that anyone reads is counted for an audience:

- MARA_ROOM (the SWPA, the chair and members of the MARA working group) reads full counts, places
  down to the territory, for any period.
- OUTSIDE is everyone else who reads a figure (leadership, the external edition of the quarterly
  report as a page, PDF, XLSX or CSV, the service gaps, the alert response times). Every such
  output declares this audience and passes through `Rules`; no page applies suppression of its own.

The rules outside the room:

1. Primary suppression: a count from 1 to threshold - 1 reads "<5" (the threshold is a setting,
   frozen in a report's snapshot). Zeros are shown: an empty cell discloses nobody.
2. Secondary suppression: where cells add up to a total the reader sees, one more count is
   withheld ("x", never itself small) until no small cell can be worked out from the total, the
   shown cells and the public rules (see `suppress`). A total withheld in one table is withheld in
   every table that adds up to it.
3. A figure derived from a withheld count (a change, a rise, a share) is withheld too; a median
   resting on fewer than threshold values reads NOT_SHOWN.
4. Nothing shown may depend on a withheld value: rows come in a fixed order (code order, see
   `in_fixed_order`), or ranked by shown values with every suppressed row after them in code order
   (`ranked`); a row is present whatever its hidden count (breakdowns list a category when it has
   any incident, which "<5" says anyway); a chart is drawn only when no value on it is suppressed,
   so a bar's length or a chart's scale never encodes a hidden count.
5. Figures outside the room do not move one incident at a time: they are frozen figures of a
   released quarterly report (leadership reads released quarters only), or windows of whole,
   complete periods that do not slide day by day, so two readings a day apart cannot be
   differenced down to one survivor.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from . import access

MARA_ROOM, OUTSIDE = "MARA_ROOM", "OUTSIDE"

# A median (or other figure) not shown because too few values stand behind it.
NOT_SHOWN = "\u2014"


def audience_of(user):
    """MARA_ROOM for the roles that read full counts, OUTSIDE for every other reader."""
    return MARA_ROOM if access.can_read_fine_aggregates(user) else OUTSIDE


def threshold():
    return settings.SMALL_CELL_THRESHOLD


def shown(count, user):
    """One count, alone on its page, as this person may see it: below the threshold (and above
    zero) it reads "<5" outside the MARA room. A count that adds up with others to a total the
    reader sees goes through `Rules.column` instead."""
    return Rules(audience_of(user)).one(count)


def key_order(key):
    """Code order, rows without a key (nothing recorded) last: an order no count can move."""
    return (key is None or key == "", "" if key is None else str(key))


def in_fixed_order(rows, key=lambda row: row["key"]):
    """`rows` in code order, whatever their counts: the order of a table leaving the room."""
    return sorted(rows, key=lambda row: key_order(key(row)))


def is_exact(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def ranked(rows, shown, key=lambda row: row["key"], limit=None):
    """`rows` ranked by their shown value (largest first, ties in code order), every row whose value
    is suppressed after them in code order; the first `limit`. `shown(row)` is the value as it
    leaves the room: the rank (and the cut) depends on shown values only."""
    exact = sorted((r for r in rows if is_exact(shown(r))), key=lambda r: (-shown(r), key_order(key(r))))
    hidden = in_fixed_order((r for r in rows if not is_exact(shown(r))), key)
    return (exact + hidden)[:limit] if limit is not None else exact + hidden


class Rules:
    """The rules of one audience for one output: full counts in the MARA room, suppression outside.

    One instance per output (a page, a report edition), so that a total withheld by one of its
    tables is withheld by the others (`withheld_totals`)."""

    def __init__(self, audience, limit=None):
        self.external = audience != MARA_ROOM
        self.limit = int(limit or threshold())
        self.withheld_totals = set()

    @property
    def mark(self):
        return f"<{self.limit}"

    def primary(self, values):
        if not self.external:
            return list(values)
        return suppress(list(values), threshold_value=self.limit)[0]

    def one(self, value):
        return self.primary([value])[0]

    def column(self, values, total, name=None):
        """(shown values, shown total) of a column whose cells add up to `total`."""
        if not self.external:
            return list(values), total
        shown_values, shown_total = suppress(list(values), total, threshold_value=self.limit)
        if shown_total == WITHHELD and name:
            self.withheld_totals.add(name)
        return shown_values, shown_total

    def withhold_exact(self, shown_values):
        return withhold_exact(shown_values, self.limit) if self.external else list(shown_values)

    def median(self, value, count):
        """A median, or NOT_SHOWN outside the room when fewer than threshold values (or an unknown
        number of them) stand behind it. None (no value at all) stays None."""
        if value is None or not self.external:
            return value
        if count is None or count < self.limit:
            return NOT_SHOWN
        return value

    def derived(self, value, *sources):
        """A figure computed from `sources` (a change, a rise, a share): withheld outside the room
        unless every source is shown exactly."""
        if not self.external or all(is_exact(s) for s in sources):
            return value
        return WITHHELD

    def order(self, rows, key=lambda row: row["key"]):
        """Rows as the audience reads them: in the room as given, outside in code order."""
        return list(rows) if not self.external else in_fixed_order(rows, key)

    def drawable(self, values, shown_values):
        """Whether a chart may draw these values: outside the room only when every one is shown
        as it is (a bar is an exact height, and its scale follows the largest)."""
        return not self.external or list(values) == list(shown_values)

    def note(self, *cells):
        """The suppression sentence, when a suppressed mark is among `cells` (outside the room)."""
        if not self.external:
            return ""
        marks = {c for c in cells if isinstance(c, str)}
        parts = []
        if self.mark in marks:
            parts.append(_("“%(mark)s”: a count from 1 to %(top)d.") % {"mark": self.mark,
                                                                                  "top": self.limit - 1})
        if WITHHELD in marks:
            parts.append(_("“x”: a count withheld so that a small one cannot be worked out "
                           "(it is not itself small)."))
        if NOT_SHOWN in marks:
            parts.append(_("“%(dash)s”: a median resting on fewer than %(n)d values, not shown.")
                         % {"dash": NOT_SHOWN, "n": self.limit})
        return " ".join(parts)


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
