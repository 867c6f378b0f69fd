"""More Hypothesis properties of small-cell suppression (crsv_mis/disclosure.py and the EXTERNAL
edition built on it), beside those of test_small_cell_suppression.py: what docs/domain.md promises
("counts below a configurable threshold at fine granularity are shown as <5" outside the MARA
room) and what disclosure.suppress and reporting/editions.py say they do.

- A count is shown as it is in the MARA room, and never from 1 to threshold - 1 to anyone else.
- Suppressing is idempotent: a row already suppressed passes through unchanged, and so does a
  column already withheld (withhold_exact).
- It is a function of the counts, not of their order or of the caller's list: the same counts in
  another order hide the same counts, and the caller's list is left as it was.
- A total is shown exactly, as "<5", or withheld; never another number.
- A figure shown in two tables of the EXTERNAL edition is withheld in both or in neither (the
  quarter's incidents and victims in the headline table and in every total row).
"""

import collections
import copy

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crsv_mis import disclosure
from crsv_mis.models import Role, User
from reporting import editions
from reporting.models import Edition
from tests.reporting.test_small_cell_suppression import _snapshot

counts = st.lists(st.integers(min_value=0, max_value=80), min_size=1, max_size=12)
limits = st.integers(min_value=2, max_value=11)
MARA_ROOM = {Role.MARA_CHAIR, Role.MARA_MEMBER, Role.SWPA}


def suppress(values, total=None, limit=5):
    return disclosure.suppress(values, total, threshold_value=limit)


@given(count=st.integers(min_value=0, max_value=500), role=st.sampled_from(Role.values), limit=limits)
def test_a_count_reads_as_it_is_in_the_mara_room_and_never_small_outside_it(count, role, limit):
    with override_settings(SMALL_CELL_THRESHOLD=limit):
        shown = disclosure.shown(count, User(username="u", role=role))
    if role in MARA_ROOM or count == 0 or count >= limit:
        assert shown == count
    else:
        assert shown == f"<{limit}"


@given(counts, limits, st.booleans())
def test_suppressing_a_row_already_suppressed_changes_nothing(values, limit, with_total):
    shown, total = suppress(values, sum(values) if with_total else None, limit)
    # What a reader has: the counts still shown (marks and withheld cells are no counts).
    again = [v if isinstance(v, int) else None for v in shown]
    assert suppress(again, None, limit)[0] == again


@given(counts, limits)
def test_withholding_every_exact_count_is_idempotent_and_keeps_marks_and_zeros(values, limit):
    shown, _total = suppress(values, None, limit)
    withheld = disclosure.withhold_exact(shown, threshold_value=limit)
    assert disclosure.withhold_exact(withheld, threshold_value=limit) == withheld
    for before, after in zip(shown, withheld, strict=True):
        assert after == (disclosure.WITHHELD if isinstance(before, int) and before >= limit else before)


@given(counts, limits, st.randoms(use_true_random=False))
def test_the_order_of_the_counts_changes_nothing_but_the_order(values, limit, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    kept = list(values)

    shown, total = suppress(values, sum(values), limit)
    shown_shuffled, total_shuffled = suppress(shuffled, sum(shuffled), limit)

    assert values == kept  # the caller's list is left alone
    assert total == total_shuffled
    # Which counts stay visible (ties may swap places, not values).
    assert collections.Counter(map(str, shown)) == collections.Counter(map(str, shown_shuffled))
    visible = collections.Counter(v for v in shown if isinstance(v, int))
    assert visible == collections.Counter(v for v in shown_shuffled if isinstance(v, int))


@given(counts, limits, st.integers(min_value=0, max_value=40))
def test_a_total_is_shown_exactly_as_small_or_withheld(values, limit, extra):
    # A total may exceed its cells (an incident under several keys): extra.
    real = sum(values) + extra
    _shown, total = suppress(values, real, limit)
    if 0 < real < limit:
        assert total == f"<{limit}"
    else:
        assert total in (real, disclosure.WITHHELD)


FIGURE_TABLES = ("admin1", "verification_status", "site_type", "victim_group")


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=4),
       st.lists(st.integers(min_value=0, max_value=30), min_size=5, max_size=5))
def test_a_figure_in_two_tables_is_withheld_in_both_or_in_neither(provinces, statuses, groups):
    snapshot = _snapshot(provinces, statuses, groups)
    original = copy.deepcopy(snapshot)
    tables = {t["id"]: t for t in editions.tables(snapshot, Edition.EXTERNAL, places=())}
    assert snapshot == original  # the frozen figures are only read

    headline = tables["quarters"]["rows"][-1]
    seen = {"incidents": {("quarters", headline[1])}, "victims": {("quarters", headline[2])}}
    for name in FIGURE_TABLES:
        total = tables[name]["total"]
        if total is None:
            continue
        if total[1] is not None:
            seen["incidents"].add((name, total[1]))
        if total[2] is not None:
            seen["victims"].add((name, total[2]))
    for figure, shown in seen.items():
        assert len({value for _table, value in shown}) == 1, (figure, sorted(shown, key=str))
        assert not any(isinstance(v, int) and 0 < v < 5 for _t, v in shown)
