"""The disclosure audit's engine (crsv_mis.disclosure_audit): integer programming finds what a reader
can work out of withheld cells, and `check` says which give too much away."""

import pytest

from crsv_mis import disclosure
from crsv_mis.disclosure_audit import InconsistentProblem, Problem, check, intervals


def column(problem, table, values, total, shown=None, shown_total=None, prefix="c"):
    """One additive column published as `shown` (default: as disclosure.suppress shows it)."""
    if shown is None:
        shown, shown_total = disclosure.suppress(values, total, threshold_value=problem.threshold)
    names = []
    for i, (value, cell) in enumerate(zip(values, shown, strict=True)):
        names.append(f"{prefix}{i}")
        problem.show(f"{prefix}{i}", cell, (table, i), truth=value)
    problem.show(f"{prefix}total", shown_total, (table, "Total"), truth=total)
    problem.sums(names, f"{prefix}total")
    return names


def test_it_pins_a_lone_small_cell_beside_a_total():
    problem = Problem(5)
    column(problem, "provinces", [3, 10, 7], 20, shown=["<5", 10, 7], shown_total=20)
    assert intervals(problem) == {"c0": (3, 3)}
    [failure] = check(problem)
    assert failure.name == "c0" and (failure.low, failure.high) == (3, 3)


def test_it_passes_two_small_cells_that_keep_their_whole_range():
    problem = Problem(5)
    column(problem, "provinces", [3, 2, 10, 7, 12], 34)
    found = intervals(problem)
    assert found == {"c0": (1, 4), "c1": (1, 4)}
    assert check(problem, found) == []


def test_it_passes_a_small_cell_hidden_among_two_withheld_ones():
    problem = Problem(5)
    column(problem, "provinces", [3, 6, 7, 20], 36, shown=["<5", "x", "x", 20], shown_total=36)
    found = intervals(problem)
    assert found == {"c0": (1, 4), "c1": (5, 10), "c2": (5, 10)}
    assert check(problem, found) == []


def test_it_fails_one_withheld_cell_beside_one_small_one():
    # As disclosure.suppress shows [3, 10, 7, 12] of 32: "<5", 10, "x", 12. The x is 10 minus the
    # "<5": four possible values, one short of five.
    problem = Problem(5)
    column(problem, "provinces", [3, 10, 7, 12], 32)
    found = intervals(problem)
    assert found == {"c0": (1, 4), "c2": (6, 9)}
    assert [f.name for f in check(problem, found)] == ["c2"]


def test_it_narrows_two_small_cells_whose_sum_is_known():
    # 2 and 4 out of 6 beside exact cells: each is 2..4, not 1..4.
    problem = Problem(5)
    column(problem, "groups", [2, 4, 10], 16, shown=["<5", "<5", 10], shown_total=16)
    assert intervals(problem) == {"c0": (2, 4), "c1": (2, 4)}
    assert {f.name for f in check(problem)} == {"c0", "c1"}


def test_it_fails_an_x_left_with_fewer_than_five_values():
    # [5, 1] of 6 withheld as x and <5: x is 5 (the total minus at least 1, at least 5).
    problem = Problem(5)
    column(problem, "sites", [5, 1], 6, shown=["x", "<5"], shown_total=6)
    found = intervals(problem)
    assert found == {"c0": (5, 5), "c1": (1, 1)}
    assert {f.name for f in check(problem, found)} == {"c0", "c1"}


def test_it_leaves_an_x_unbounded_when_nothing_bounds_it():
    problem = Problem(5)
    problem.show("a", "x", ("t", 0), truth=9)
    assert intervals(problem) == {"a": (5, None)}
    assert check(problem) == []


def test_it_catches_a_cell_shared_by_two_tables_suppressed_two_ways():
    # The same province count: "<5" in a table with no total, exact 2 beside nothing... and in a
    # second table whose total and other cells are shown, so the first table's mark is worked out.
    problem = Problem(5)
    problem.show("north", "<5", ("hotspots", "North"), truth=2)
    problem.show("south", 9, ("provinces", "South"), truth=9)
    problem.show("north", "<5", ("provinces", "North"), truth=2)
    problem.show("total", 11, ("headline", "incidents"), truth=11)
    problem.sums(["north", "south"], "total")
    [failure] = check(problem)
    assert failure.name == "north" and (failure.low, failure.high) == (2, 2)
    assert [s.where for s in failure.shown] == [("hotspots", "North"), ("provinces", "North")]


def test_it_keeps_a_cell_shared_by_two_tables_that_each_protect_it():
    problem = Problem(5)
    column(problem, "provinces", [3, 2, 10, 7, 12], 34, prefix="p")
    problem.show("p0", "<5", ("hotspots", "North"))
    assert check(problem) == []


def test_it_fails_a_small_count_shown_exactly():
    problem = Problem(5)
    problem.show("late", 2, ("late_additions", "2026 Q1"), truth=2)
    [failure] = check(problem)
    assert "exactly" in failure.reason


def test_it_refuses_a_relation_the_true_counts_break():
    problem = Problem(5)
    problem.count("a", 3)
    problem.count("b", 4)
    problem.count("total", 8)
    with pytest.raises(InconsistentProblem):
        problem.sums(["a", "b"], "total")
