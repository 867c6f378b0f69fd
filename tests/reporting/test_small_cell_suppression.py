"""Small-cell suppression (crsv_mis.disclosure.suppress, and the EXTERNAL edition built on it): no
count from 1 to threshold - 1 is shown, zeros stay zeros, a count at or above the threshold is shown
or withheld ("x") but never reads "<5", and no suppressed cell can be worked out as a shown total
minus the shown cells. Unit examples first, then Hypothesis properties."""

import copy
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crsv_mis import disclosure
from reporting import editions
from reporting.models import Edition
from tests.reporting.test_report_editions import synthetic_snapshot

LIMIT = 5
SMALL = f"<{LIMIT}"


def suppress(values, total=None, limit=LIMIT):
    return disclosure.suppress(values, total, threshold_value=limit)


# ---- examples


def test_it_shows_counts_below_the_threshold_as_less_than_the_threshold():
    assert suppress([0, 1, 4, 5, 12]) == ([0, SMALL, SMALL, 5, 12], None)


def test_it_withholds_the_smallest_other_count_when_one_small_cell_could_be_recomputed_from_the_total():
    assert suppress([7, 3], 10) == (["x", SMALL], 10)
    assert suppress([20, 3, 8, 0], 31) == ([20, SMALL, "x", 0], 31)


def test_it_withholds_nothing_more_when_two_small_cells_could_each_be_two_counts_or_more():
    # Shown 8 of 11: the two small cells add up to 3: 1 and 2, or 2 and 1.
    assert suppress([8, 1, 2, 0], 11) == ([8, SMALL, SMALL, 0], 11)
    assert suppress([50, 40, 3, 2], 95) == ([50, 40, SMALL, SMALL], 95)


def test_it_withholds_one_more_when_two_small_cells_would_add_up_to_what_pins_them():
    # Shown 10 of 12: the two small cells add up to 2, so both would be 1.
    assert suppress([10, 1, 1], 12) == (["x", SMALL, SMALL], 12)


def test_it_withholds_the_total_when_an_x_of_at_least_the_threshold_would_pin_the_small_cell():
    # x is at least 5 and "<5" at least 1: of 6, that leaves exactly 5 and 1.
    assert suppress([5, 1], 6) == (["x", SMALL], "x")
    assert suppress([5, 5, 1], 11) == (["x", "x", SMALL], "x")


def test_it_withholds_a_second_count_when_the_first_would_be_known_from_the_smallest_shown_one():
    # x of [x, 5, <5] of 14 would be at most 5 (the smallest shown) and at least 5: the <5 is 4.
    assert suppress([5, 5, 4], 14) == (["x", "x", SMALL], 14)


def test_it_withholds_the_total_when_small_cells_alone_would_add_up_to_it():
    # Two cells of at most 4 adding up to 8: both are 4.
    assert suppress([4, 4], 8) == ([SMALL, SMALL], "x")


def test_it_suppresses_a_small_total():
    assert suppress([3, 0], 3) == ([SMALL, 0], SMALL)


def test_it_withholds_the_total_when_no_other_cell_can_be():
    # Not additive (an incident under two keys): the total cannot be worked out from the cells either.
    assert suppress([3, 0], 9) == ([SMALL, 0], "x")


def test_it_follows_the_configured_threshold():
    assert suppress([9, 10, 12], 31, limit=10) == (["<10", "x", 12], 31)


def test_it_leaves_not_applicable_cells_alone():
    assert suppress([None, 3, 6], 9) == ([None, SMALL, "x"], 9)


# ---- properties of disclosure.suppress

counts = st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12)
limits = st.integers(min_value=2, max_value=11)


def _unknown(shown):
    return [i for i, v in enumerate(shown) if not isinstance(v, int)]


@given(counts, limits, st.booleans())
def test_no_count_from_one_to_threshold_minus_one_is_shown(values, limit, with_total):
    shown, total = suppress(values, sum(values) if with_total else None, limit)
    for value in shown + ([total] if with_total else []):
        assert not (isinstance(value, int) and 0 < value < limit)


@given(counts, limits, st.booleans())
def test_zeros_stay_zeros_and_large_counts_never_read_as_small(values, limit, with_total):
    shown, _total = suppress(values, sum(values) if with_total else None, limit)
    for value, cell in zip(values, shown, strict=True):
        if value == 0:
            assert cell == 0
        elif value >= limit:
            assert cell in (value, disclosure.WITHHELD)
        else:
            assert cell == f"<{limit}"


@given(counts, limits)
def test_no_suppressed_cell_can_be_recomputed_from_a_shown_total(values, limit):
    shown, total = suppress(values, sum(values), limit)
    if isinstance(total, int):
        # With one unknown cell, total minus the shown cells would give it exactly.
        assert len(_unknown(shown)) != 1


def _readings(shown, total, limit):
    """Every set of values a reader could put behind the hidden cells, knowing the total, that
    "<limit" is 1..limit-1 and that "x" is at least limit and at most the smallest count still shown
    (brute force, for small rows)."""
    hidden = [i for i, v in enumerate(shown) if isinstance(v, str)]
    rest = total - sum(v for v in shown if isinstance(v, int))
    # Counts are withheld smallest first: an "x" is at most the smallest count still shown.
    big = [v for v in shown if isinstance(v, int) and v >= limit]
    top = min(big) if big else rest
    ranges = [range(1, limit) if shown[i] == f"<{limit}" else range(limit, min(top, rest) + 1) for i in hidden]
    return hidden, [combo for combo in itertools.product(*ranges) if sum(combo) == rest]


# No deadline: an example enumerates every combination of the hidden cells, which takes longer than
# Hypothesis's 200 ms on a busy machine; what is tested is the result, not the time.
@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5), st.integers(min_value=3, max_value=6))
def test_no_small_cell_can_be_worked_out_exactly_from_the_total_and_the_marks(values, limit):
    shown, total = suppress(values, sum(values), limit)
    if not isinstance(total, int):
        return
    hidden, readings = _readings(shown, total, limit)
    for position, i in enumerate(hidden):
        if shown[i] == f"<{limit}":
            assert len({reading[position] for reading in readings}) >= 2, (values, shown, total)


@given(counts, limits)
def test_it_withholds_the_total_only_when_no_shown_count_is_left_to_withhold(values, limit):
    shown, total = suppress(values, sum(values), limit)
    if total == disclosure.WITHHELD:
        assert not [v for v in shown if isinstance(v, int) and v >= limit]


# ---- properties of the EXTERNAL edition's tables

province_counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6)


def _snapshot(provinces, statuses, groups):
    snapshot = synthetic_snapshot()
    incidents = sum(provinces)
    snapshot["by"]["admin1"] = [{"key": f"P{i}", "label": f"Province {i}", "incidents": n, "victims": n}
                                for i, n in enumerate(provinces) if n]
    # Verification statuses add up to the same incidents: the last status takes the rest.
    split = [min(n, incidents) for n in statuses[:-1]]
    split = [n if sum(split[:i + 1]) <= incidents else 0 for i, n in enumerate(split)]
    split.append(incidents - sum(split))
    snapshot["by"]["verification_status"] = [{"key": f"S{i}", "label": f"Status {i}", "incidents": n, "victims": n}
                                             for i, n in enumerate(split) if n]
    victims = sum(groups)
    keys = ("WOMEN", "MEN", "GIRLS", "BOYS", "UNKNOWN")
    snapshot["by"]["victim_group"] = [{"key": k, "label": k.title(), "incidents": n, "victims": n}
                                      for k, n in zip(keys, groups, strict=True)]
    snapshot["totals"] = {"incidents": incidents, "victims": victims}
    snapshot["verified"] = {"incidents": 0, "victims": 0}
    snapshot["quarters"][-1].update(incidents=incidents, victims=victims, verified_incidents=0)
    snapshot["hotspots"]["admin1"]["most_incidents"] = []
    return copy.deepcopy(snapshot)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(province_counts, st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=4),
       st.lists(st.integers(min_value=0, max_value=30), min_size=5, max_size=5))
def test_no_table_of_the_external_edition_lets_a_small_cell_be_recomputed(provinces, statuses, groups):
    snapshot = _snapshot(provinces, statuses, groups)
    for found in editions.tables(snapshot, Edition.EXTERNAL, places=()):
        if found["kind"] != editions.FIGURES:
            continue
        cells = [c for r in found["rows"] for c in r[1:]] + (found["total"][1:] if found["total"] else [])
        assert not any(isinstance(c, int) and 0 < c < LIMIT for c in cells), found["id"]
        if not found["total"]:
            continue
        for column in range(1, len(found["columns"])):
            total = found["total"][column]
            if isinstance(total, int):
                unknown = [r[column] for r in found["rows"] if not isinstance(r[column], int | float | None)]
                assert len(unknown) != 1, (found["id"], column, found["rows"], total)


@settings(max_examples=100)
@given(province_counts)
def test_the_mara_room_edition_shows_every_count_as_it_is(provinces):
    snapshot = _snapshot(provinces, [0, 0], [1, 2, 3, 4, 0])
    found = next(t for t in editions.tables(snapshot, Edition.MARA_ROOM) if t["id"] == "admin1")
    assert [r[1] for r in found["rows"]] == [n for n in provinces if n]
    assert found["total"][1] == sum(provinces)
