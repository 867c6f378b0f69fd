"""k-anonymity of the de-identified data set: no row may be told apart from fewer than k - 1 others
by what a reader could know from outside (a neighbour, a patrol report, a news item).

The quasi-identifiers are what such a reader may know of an incident: when it happened (and was
reported), where (province, territory), the kind of site, the forms of violence, who the victims
were (their groups: women, men, girls, boys, unknown) and who the perpetrators were (types and named
parties). Verification status, conflict nexus and source are what the file teaches, not what picks a
row, so they are left as they are.

Generalisation is global: each quasi-identifier has its own published hierarchy (dates: month,
quarter, year, withheld; places: territory, province, withheld; ...), and the one with the most
distinct values goes one step coarser at a time until at most `SUPPRESSION_BUDGET` of the rows sit in
a group smaller than k; the rows still in such groups are left out of the file (local suppression).
The steps taken, k, the smallest group and the rows left out are stated in the file's notes.

Rows go out sorted by their shown values: the order of the file says nothing the cells do not (an
order by date would let a reader who knows the day pick the row by its position).
"""

import dataclasses
from collections import Counter

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# At most this share of the rows may be left out; past it, the next, coarser step is taken.
SUPPRESSION_BUDGET = 0.05
WITHHELD = "*"


def k():
    """The smallest group size of the file, set per deployment (DEIDENTIFIED_K, default 5)."""
    return settings.DEIDENTIFIED_K


@dataclasses.dataclass(frozen=True)
class Record:
    """One incident's quasi-identifiers as they go into the file (strings and tuples of strings)."""

    month: str
    reported: str
    province: tuple  # (code, name)
    territory: tuple  # (code, name), or ("", "") when none
    site: str
    forms: tuple
    victims: str
    groups: tuple  # count per victim group, in the report's order
    perpetrator_types: tuple
    parties: tuple


def _quarter(month):
    if month == WITHHELD or len(month) != 7:
        return month
    return f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"


def _band(count):
    count = int(count)
    return "0" if count == 0 else "1" if count == 1 else "2-4" if count < 5 else "5+"


def _territory_withheld(r):
    return dataclasses.replace(r, territory=(WITHHELD, WITHHELD))


def _to_the_quarter(r):
    return dataclasses.replace(r, month=_quarter(r.month), reported=_quarter(r.reported))


def _victims_banded(r):
    return dataclasses.replace(r, victims=_band(r.victims), groups=tuple(_band(g) for g in r.groups))


def _parties_withheld(r):
    return dataclasses.replace(r, parties=(WITHHELD,) if r.parties else ())


def _site_withheld(r):
    return dataclasses.replace(r, site=WITHHELD)


def _forms_grouped(r):
    # Rape (the form most reported) apart, every other form as one.
    grouped = {"RAPE" if code == "RAPE" else "OTHER_FORMS" for code in r.forms}
    return dataclasses.replace(r, forms=tuple(sorted(grouped)))


def _to_the_year(r):
    return dataclasses.replace(r, month=r.month[:4], reported=r.reported[:4])


def _victim_groups_withheld(r):
    return dataclasses.replace(r, groups=tuple(WITHHELD for _ in r.groups))


def _forms_withheld(r):
    return dataclasses.replace(r, forms=(WITHHELD,))


def _victims_withheld(r):
    return dataclasses.replace(r, victims=WITHHELD)


def _province_withheld(r):
    return dataclasses.replace(r, province=(WITHHELD, WITHHELD))


def _dates_withheld(r):
    return dataclasses.replace(r, month=WITHHELD, reported=WITHHELD)


def _perpetrators_withheld(r):
    return dataclasses.replace(r, perpetrator_types=(WITHHELD,))


# Each quasi-identifier's own steps, finest first: (what the step does, the step).
HIERARCHIES = {
    "dates": ((_("dates to the quarter"), _to_the_quarter), (_("dates to the year"), _to_the_year),
              (_("dates withheld"), _dates_withheld)),
    "place": ((_("places to the province (territory withheld)"), _territory_withheld),
              (_("province withheld"), _province_withheld)),
    "site": ((_("type of site withheld"), _site_withheld),),
    "forms": ((_("forms of violence grouped as rape and other forms"), _forms_grouped),
              (_("forms of violence withheld"), _forms_withheld)),
    "victims": ((_("victims counted in bands (1, 2-4, 5+)"), _victims_banded),
                (_("number of victims withheld"), _victims_withheld),
                (_("victim groups withheld"), _victim_groups_withheld)),
    "parties": ((_("named parties withheld (types of perpetrator kept)"), _parties_withheld),
                (_("types of perpetrator withheld"), _perpetrators_withheld)),
}
# What each quasi-identifier reads of a record, to count its distinct values.
VALUES = {
    "dates": lambda r: (r.month, r.reported), "place": lambda r: (r.province, r.territory),
    "site": lambda r: r.site, "forms": lambda r: r.forms, "victims": lambda r: (r.victims, r.groups),
    "parties": lambda r: (r.perpetrator_types, r.parties),
}


@dataclasses.dataclass
class Result:
    rows: list  # (generalised Record, the row's other values), sorted by the shown values
    k: int
    steps: list  # labels of the steps taken
    smallest_group: int  # of the rows kept; 0 when none is kept
    left_out: int


def group_sizes(records):
    return Counter(records)


def anonymise(pairs, k_value=None):
    """`pairs`: [(Record, other values)]. The rows generalised and suppressed until every combination
    of quasi-identifiers is held by at least k rows.

    At each step the quasi-identifier with the most distinct values still shown goes one step coarser
    along its own hierarchy (the Datafly heuristic: it spares the attributes that split the rows
    least), until at most SUPPRESSION_BUDGET of the rows sit in groups under k; those are left out."""
    k_value = k() if k_value is None else k_value
    records = [record for record, _rest in pairs]
    level = dict.fromkeys(HIERARCHIES, 0)
    steps = []
    while True:
        sizes = group_sizes(records)
        small = sum(1 for r in records if sizes[r] < k_value)
        open_ = [name for name in HIERARCHIES if level[name] < len(HIERARCHIES[name])]
        if small <= SUPPRESSION_BUDGET * len(records) or not open_:
            break
        name = max(open_, key=lambda n: (len({VALUES[n](r) for r in records}), -list(HIERARCHIES).index(n)))
        label, step = HIERARCHIES[name][level[name]]
        level[name] += 1
        records = [step(r) for r in records]
        steps.append(str(label))
    kept = [(r, rest) for r, (_old, rest) in zip(records, pairs, strict=True) if sizes[r] >= k_value]
    kept.sort(key=lambda row: _sort_key(row))
    kept_sizes = group_sizes([r for r, _rest in kept])
    return Result(rows=kept, k=k_value, steps=steps, smallest_group=min(kept_sizes.values(), default=0),
                  left_out=len(records) - len(kept))


def _sort_key(row):
    record, rest = row
    return (repr(dataclasses.astuple(record)), repr(rest))
