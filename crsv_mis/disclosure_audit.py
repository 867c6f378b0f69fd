"""The disclosure audit: attacks published tables as a statistician would, to prove that small-cell
suppression (crsv_mis.disclosure) holds over everything one audience receives.

A `Problem` holds one integer variable per true count (shared when the same count is published in
two tables, two editions or two releases), what each publication shows of it, and the linear
relations a reader knows (a column adds up to its total, three months to their quarter, a count is
at most the total it is part of). `intervals` then asks integer programming (scipy.optimize.milp, on
HiGHS) for the smallest and the largest value each withheld count can take given everything shown;
`check` lists the counts that give too much away.

What a reader knows of a shown cell (the notes under every table say it):

- an int: the count itself;
- "<k" (k the threshold): a count from 1 to k - 1;
- "x": a count withheld so that a small one cannot be worked out; it is not itself small: at least k;
- anything else ("—", None, text): nothing.

The rules (`check`): a "<k" count must keep its whole range 1..k-1, an "x" count at least
`X_MIN_VALUES` possible values, and no count from 1 to k - 1 may be shown exactly.

Pure Python and SciPy: no Django model is read here (reporting/audience_audit.py builds problems
from what is published).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .disclosure import WITHHELD

# An "x" must leave the reader at least this many possible values.
X_MIN_VALUES = 5
# Counts are bounded by this, far above any real count, so that every solve has an optimum (HiGHS
# cannot always tell an unbounded integer problem from an infeasible one): a count whose largest
# value reaches it has no upper bound a reader can work out.
UNBOUNDED = 10**9


class InconsistentProblem(ValueError):
    """The relations do not hold for the true counts: the problem misstates what a reader knows."""


@dataclass
class Shown:
    """One publication of a count: where (table, row, column, ...) and what it showed."""

    where: tuple
    value: object


@dataclass
class Variable:
    name: str
    truth: int | None = None
    shown: list = field(default_factory=list)


@dataclass
class Failure:
    name: str
    shown: list
    low: int | None
    high: int | None
    reason: str


class Problem:
    """Published counts as integer variables, with what is shown of them and what a reader knows.

    Every variable is a count (at least zero). `truth` is the true count when known: `relate`
    refuses a relation the true counts break, so a problem never claims more than is true.
    """

    def __init__(self, threshold):
        self.threshold = threshold
        self.variables = {}
        self.relations = []  # ({name: coefficient}, low or None, high or None, why)

    @property
    def mark(self):
        return f"<{self.threshold}"

    def count(self, name, truth=None):
        """The variable `name` (created the first time), with its true value when given."""
        variable = self.variables.get(name)
        if variable is None:
            variable = self.variables[name] = Variable(name)
        if truth is not None:
            if variable.truth is not None and variable.truth != truth:
                raise InconsistentProblem(f"{name} is {variable.truth} and {truth}")
            variable.truth = truth
        return name

    def show(self, name, value, where, truth=None):
        """Record that `value` was published for the count `name` at `where`."""
        self.count(name, truth)
        self.variables[name].shown.append(Shown(tuple(where), value))

    def relate(self, terms, low=None, high=None, why=""):
        """low <= sum(coefficient * count) <= high, a relation every reader knows."""
        terms = {self.count(name): coefficient for name, coefficient in terms.items() if coefficient}
        if not terms:
            return
        truths = [self.variables[n].truth for n in terms]
        if all(t is not None for t in truths):
            value = sum(c * t for c, t in zip(terms.values(), truths, strict=True))
            if (low is not None and value < low) or (high is not None and value > high):
                raise InconsistentProblem(f"{why or terms}: the true counts give {value}, not {low}..{high}")
        self.relations.append((terms, low, high, why))

    def sums(self, parts, total, why=""):
        """The counts `parts` add up to the count `total`."""
        terms = {}
        for name in parts:
            terms[name] = terms.get(name, 0) + 1
        terms[total] = terms.get(total, 0) - 1
        self.relate(terms, 0, 0, why)

    def at_most(self, part, whole, why=""):
        """The count `part` is at most the count `whole` (it counts some of the same things)."""
        if part != whole:
            self.relate({part: 1, whole: -1}, None, 0, why)

    def withheld(self):
        """Names of the counts published withheld ("<k" or "x") somewhere."""
        return [n for n, v in self.variables.items() if any(_is_withheld(s.value) for s in v.shown)]


def _is_withheld(value):
    return isinstance(value, str) and (value == WITHHELD or _small_limit(value) is not None)


def _small_limit(value):
    """k for a "<k" mark, else None."""
    if isinstance(value, str) and value.startswith("<") and value[1:].isdigit():
        return int(value[1:])
    return None


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool)


class _Model:
    """The matrices of a Problem, built once for all its solves."""

    def __init__(self, problem):
        self.index = {name: i for i, name in enumerate(problem.variables)}
        n = len(self.index)
        low, high = np.zeros(n), np.full(n, float(UNBOUNDED))
        for name, variable in problem.variables.items():
            i = self.index[name]
            for shown in variable.shown:
                value = shown.value
                limit = _small_limit(value)
                if _is_count(value):
                    low[i], high[i] = max(low[i], value), min(high[i], value)
                elif limit is not None:
                    low[i], high[i] = max(low[i], 1), min(high[i], limit - 1)
                elif value == WITHHELD:
                    low[i] = max(low[i], problem.threshold)
        rows, cols, data, lows, highs = [], [], [], [], []
        for r, (terms, lo, hi, _why) in enumerate(problem.relations):
            for name, coefficient in terms.items():
                rows.append(r)
                cols.append(self.index[name])
                data.append(coefficient)
            lows.append(-np.inf if lo is None else lo)
            highs.append(np.inf if hi is None else hi)
        self.bounds = Bounds(low, high)
        self.constraints = []
        if problem.relations:
            matrix = sparse.csr_array((data, (rows, cols)), shape=(len(problem.relations), n))
            self.constraints = [LinearConstraint(matrix, lows, highs)]
        self.integrality = np.ones(n)
        self.size = n

    def extreme(self, name, sense):
        """The smallest (sense 1) or largest (sense -1) value of a count; None when unbounded."""
        c = np.zeros(self.size)
        c[self.index[name]] = sense
        result = milp(c, integrality=self.integrality, bounds=self.bounds, constraints=self.constraints)
        if result.status != 0:
            raise InconsistentProblem(f"no count fits what is shown ({result.message})")
        value = int(round(result.x[self.index[name]]))
        return None if value >= UNBOUNDED else value


def intervals(problem, names=None):
    """{name: (smallest, largest)} for each withheld count (or each of `names`): the values a
    reader can narrow it to. largest is None when nothing bounds it."""
    model = _Model(problem)
    result = {}
    for name in problem.withheld() if names is None else names:
        result[name] = (model.extreme(name, 1), model.extreme(name, -1))
    return result


def check(problem, found=None):
    """The counts that give too much away, as Failures (empty: the publications pass the audit).
    `found`: intervals already computed for this problem."""
    found = intervals(problem) if found is None else found
    failures = []
    for name, variable in problem.variables.items():
        marks = [s.value for s in variable.shown]
        exact_small = [v for v in marks if _is_count(v) and 0 < v < problem.threshold]
        if exact_small:
            failures.append(Failure(name, variable.shown, exact_small[0], exact_small[0],
                                    f"a count below {problem.threshold} is shown exactly"))
            continue
        if name not in found:
            continue
        low, high = found[name]
        limits = [_small_limit(v) for v in marks if _small_limit(v) is not None]
        if limits:
            top = min(limits) - 1
            if low > 1 or high is None or high < top:
                failures.append(Failure(name, variable.shown, low, high,
                                        f"a reader narrows a \u201c<{top + 1}\u201d count to {_span(low, high)}"))
        elif high is not None and high - low + 1 < X_MIN_VALUES:
            failures.append(Failure(name, variable.shown, low, high,
                                    f"a reader narrows an \u201c{WITHHELD}\u201d count to {_span(low, high)}"))
    return failures


def _span(low, high):
    if high is None:
        return f"{low} or more"
    return str(low) if low == high else f"{low} to {high}"


def describe(low, high):
    """An interval as the command prints it: "1..4", "5..inf"."""
    return f"{low}..{'inf' if high is None else high}"

