"""Scheduling the measures plan (Maßnahmenplan): pure functions, no database.

The plan period is the run of consecutive years given by the year limits; time moves in quarters,
written ``(year, quarter)`` with quarter 1..4. A measure placed at a start quarter runs for its
``duration_quarters`` quarters; a measure that requires another may start only in the quarter
after the required one has ended.

Cost model (stated on the plan page as well):

- The investment and the effort (person-days) are spread evenly over the measure's running
  quarters.
- The running costs (per year) count pro rata, a quarter of them, for every plan quarter *after*
  the measure has ended.
- A year uses the sum over its four quarters; that sum must not exceed the year's budget nor its
  staff capacity.

All sums are exact (``fractions.Fraction`` built from the ``Decimal`` inputs), so they never drift
and a limit is never missed or exceeded by a rounding error. Rounding happens in one place only,
``_shown``, when a number is written into a sentence or shown on a page: euros to the cent and
person-days to a tenth, half up; a shortfall or an excess is rounded *up*, so that it never reads
as zero.

``suggest_schedule`` places the mandatory measures (legal obligations) first, with everything they
require, then the others in priority order; ``check_schedule`` states what breaks a rule after
changes by hand. Sentences come out in the active language (German on German pages) as
``notes.Note``: each also keeps its message id and parameters, so a stored sentence is written
again in the language of whoever reads it later.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from .graph import find_cycle, topological_order
from .notes import Number, join, ngettext, to_data
from .notes import gettext as _

__all__ = [
    "Exclusion",
    "MeasureSpec",
    "Problem",
    "ProblemKind",
    "Quarter",
    "Reason",
    "Schedule",
    "YearLimit",
    "YearUse",
    "check_schedule",
    "earliest_placements",
    "end_quarter",
    "quarter_label",
    "running_quarters",
    "suggest_schedule",
    "year_usage",
]

Quarter = tuple[int, int]  # (year, quarter 1..4)
Key = Hashable


@dataclass(frozen=True)
class MeasureSpec:
    """What the scheduler needs to know about one measure.

    ``requires`` names the keys of the measures that must have ended before this one starts.
    ``evaluated`` False: the measure has no score yet, so it is planned only when a mandatory
    measure needs it (or when it is fixed); otherwise it is left out as not evaluated.
    """

    key: Key
    investment: Decimal
    running_cost: Decimal
    effort_person_days: int
    duration_quarters: int
    requires: tuple[Key, ...] = ()
    mandatory: bool = False
    label: str = ""
    evaluated: bool = True

    def __post_init__(self):
        if self.duration_quarters < 1:
            raise ValueError(f"{self.key}: the duration must be at least one quarter")
        if self.investment < 0 or self.running_cost < 0 or self.effort_person_days < 0:
            raise ValueError(f"{self.key}: costs and effort cannot be negative")
        if self.key in self.requires:
            raise ValueError(f"{self.key} cannot require itself")

    @property
    def name(self) -> str:
        return self.label or str(self.key)


@dataclass(frozen=True)
class YearLimit:
    year: int
    budget: Decimal
    capacity_person_days: int


class Reason(StrEnum):
    """Why a measure was left out; the values are those of ``constants.ExclusionReason``."""

    BUDGET = "budget"
    CAPACITY = "capacity"
    DEPENDENCY = "dependency"
    HORIZON = "horizon"
    NOT_EVALUATED = "not_evaluated"
    MANUAL = "manual"


class ProblemKind(StrEnum):
    DEPENDENCY = "dependency"
    BUDGET = "budget"
    CAPACITY = "capacity"
    HORIZON = "horizon"
    MANDATORY = "mandatory"


@dataclass(frozen=True)
class Exclusion:
    key: Key
    reason: Reason
    explanation: str


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``keys`` names the measures involved (for a dependency: the dependent
    first, then the required one); ``year`` the year of a budget or capacity problem; ``excess``
    by how much the limit is exceeded (exact), so a change can be judged better or worse."""

    kind: ProblemKind
    message: str
    keys: tuple[Key, ...] = ()
    year: int | None = None
    excess: Fraction = Fraction(0)
    used: Fraction = Fraction(0)
    limit: Fraction = Fraction(0)

    @property
    def identity(self) -> tuple:
        return (self.kind, self.keys, self.year)

    def as_dict(self) -> dict:
        """For storing in ``Plan.problems`` (JSON)."""
        return {
            "kind": str(self.kind),
            "message": str(self.message),
            "note": to_data(self.message),
            "keys": [str(k) for k in self.keys],
            "year": self.year,
        }


@dataclass(frozen=True)
class YearUse:
    """A year's use of budget and capacity against its limits (exact values)."""

    year: int
    budget: Decimal
    budget_used: Fraction
    capacity: int
    capacity_used: Fraction

    @property
    def budget_used_display(self) -> Decimal:
        return _rounded(self.budget_used, 2)

    @property
    def capacity_used_display(self) -> Decimal:
        return _rounded(self.capacity_used, 1)

    @property
    def budget_over(self) -> bool:
        return self.budget_used > Fraction(self.budget)

    @property
    def capacity_over(self) -> bool:
        return self.capacity_used > self.capacity

    @property
    def budget_percent(self) -> int:
        return _percent(self.budget_used, Fraction(self.budget))

    @property
    def capacity_percent(self) -> int:
        return _percent(self.capacity_used, Fraction(self.capacity))


@dataclass
class Schedule:
    """The outcome of ``suggest_schedule``.

    ``placements`` maps each placed measure to its start quarter (fixed ones included);
    ``explanations`` says for each placed measure why it starts where it does; ``feasible`` is
    False when some mandatory measure (or a measure it requires) could not be placed, and
    ``message`` then says why in plain words. ``problems`` is ``check_schedule`` of the result
    (empty unless fixed placements break a rule or the mandatory measures do not fit).
    """

    placements: dict[Key, Quarter] = field(default_factory=dict)
    explanations: dict[Key, str] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)
    feasible: bool = True
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    usage: list[YearUse] = field(default_factory=list)


# --- numbers and quarters in sentences ---------------------------------------------------------


def _rounded(value: Fraction, places: int, *, up: bool = False) -> Decimal:
    """The one place where exact values are rounded: half up, or up (ceiling) for a shortfall."""
    with localcontext() as ctx:
        ctx.prec = 40
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING if up else ROUND_HALF_UP)


def _shown(value: Fraction, places: int, *, up: bool = False) -> Number:
    """A number for a sentence in the reader's language: grouped, decimals only when not whole."""
    return Number(_rounded(value, places, up=up), places)


def _euro(value: Fraction, *, up: bool = False) -> Number:
    return _shown(value, 2, up=up)


def _days(value: Fraction, *, up: bool = False) -> Number:
    return _shown(value, 1, up=up)


def _percent(used: Fraction, limit: Fraction) -> int:
    if limit <= 0:
        return 100 if used > 0 else 0
    return int(_rounded(used * 100 / limit, 0))


def quarter_label(quarter: Quarter) -> str:
    year, q = quarter
    return _("Q%(quarter)s %(year)s") % {"quarter": q, "year": year}


def end_quarter(start: Quarter, duration_quarters: int) -> Quarter:
    """The last quarter a measure starting at ``start`` runs in."""
    index = start[0] * 4 + start[1] - 1 + duration_quarters - 1
    return index // 4, index % 4 + 1


def running_quarters(start: Quarter, duration_quarters: int) -> list[Quarter]:
    base = start[0] * 4 + start[1] - 1
    return [((base + i) // 4, (base + i) % 4 + 1) for i in range(duration_quarters)]


def _quoted(name: str) -> str:
    return _("“%(measure)s”") % {"measure": name}


def _quarters(n: int) -> str:
    return ngettext("%(count)d quarter", "%(count)d quarters", n) % {"count": n}


# --- the plan period and the load of its years -------------------------------------------------


class _Period:
    def __init__(self, limits: Sequence[YearLimit]):
        limits = sorted(limits, key=lambda limit: limit.year)
        if not limits:
            raise ValueError("a plan needs at least one year")
        years = [limit.year for limit in limits]
        if years != list(range(years[0], years[0] + len(years))):
            raise ValueError(f"the plan years must follow each other without a gap: {years}")
        for limit in limits:
            if limit.budget < 0 or limit.capacity_person_days < 0:
                raise ValueError(f"{limit.year}: a limit cannot be negative")
        self.limits = limits
        self.first_year = years[0]
        self.last_year = years[-1]
        self.size = 4 * len(years)  # quarters

    def index(self, quarter: Quarter) -> int:
        year, q = quarter
        if not 1 <= q <= 4:
            raise ValueError(f"a quarter is 1 to 4, not {q}")
        return (year - self.first_year) * 4 + q - 1

    def quarter(self, index: int) -> Quarter:
        return self.first_year + index // 4, index % 4 + 1

    @property
    def label(self) -> str:
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"


def _overlap(a: int, b: int, c: int, d: int) -> int:
    """Number of integers in [a, b] ∩ [c, d]."""
    return max(0, min(b, d) - max(a, c) + 1)


def _contribution(spec: MeasureSpec, start: int, period: _Period) -> list[tuple[Fraction, Fraction]]:
    """(budget, person-days) the measure uses in each plan year when it starts at ``start``."""
    d = spec.duration_quarters
    end = start + d - 1
    per_quarter_money = Fraction(spec.investment) / d
    per_quarter_effort = Fraction(spec.effort_person_days) / d
    running_per_quarter = Fraction(spec.running_cost) / 4
    result = []
    for y in range(len(period.limits)):
        first, last = 4 * y, 4 * y + 3
        running = _overlap(start, end, first, last)
        after = _overlap(end + 1, period.size - 1, first, last)
        result.append(
            (per_quarter_money * running + running_per_quarter * after, per_quarter_effort * running)
        )
    return result


@dataclass(frozen=True)
class _Overrun:
    year: int
    kind: ProblemKind  # BUDGET or CAPACITY
    limit: Fraction
    used: Fraction  # before this measure
    need: Fraction  # this measure's share of the year

    @property
    def missing(self) -> Fraction:
        return self.used + self.need - self.limit

    def sentence(self) -> str:
        values = {
            "year": self.year,
            "limit": _euro(self.limit) if self.kind == ProblemKind.BUDGET else _days(self.limit),
            "missing": _euro(self.missing, up=True)
            if self.kind == ProblemKind.BUDGET
            else _days(self.missing, up=True),
            "used": _euro(self.used) if self.kind == ProblemKind.BUDGET else _days(self.used),
            "need": _euro(self.need) if self.kind == ProblemKind.BUDGET else _days(self.need),
        }
        if self.kind == ProblemKind.BUDGET:
            return (
                _(
                    "%(year)s: budget %(limit)s € is not enough; %(missing)s € missing "
                    "(already planned %(used)s €, this measure needs %(need)s €)"
                )
                % values
            )
        return (
            _(
                "%(year)s: staff capacity %(limit)s person-days is not enough; %(missing)s person-days "
                "missing (already planned %(used)s, this measure needs %(need)s)"
            )
            % values
        )

    def short(self) -> str:
        if self.kind == ProblemKind.BUDGET:
            return _("budget %(year)s short by %(missing)s €") % {
                "year": self.year,
                "missing": _euro(self.missing, up=True),
            }
        return _("staff capacity %(year)s short by %(missing)s person-days") % {
            "year": self.year,
            "missing": _days(self.missing, up=True),
        }


class _Load:
    """What the placed measures use in each year, exactly."""

    def __init__(self, period: _Period):
        self.period = period
        self.money = [Fraction(0)] * len(period.limits)
        self.effort = [Fraction(0)] * len(period.limits)

    def add(self, spec: MeasureSpec, start: int) -> None:
        for y, (money, effort) in enumerate(_contribution(spec, start, self.period)):
            self.money[y] += money
            self.effort[y] += effort

    def overruns(self, spec: MeasureSpec, start: int) -> list[_Overrun]:
        """The limits this measure would break at ``start``: budget before capacity, by year."""
        found = []
        for y, (money, effort) in enumerate(_contribution(spec, start, self.period)):
            limit = self.period.limits[y]
            if self.money[y] + money > Fraction(limit.budget):
                found.append(
                    _Overrun(limit.year, ProblemKind.BUDGET, Fraction(limit.budget), self.money[y], money)
                )
            if self.effort[y] + effort > limit.capacity_person_days:
                found.append(
                    _Overrun(
                        limit.year,
                        ProblemKind.CAPACITY,
                        Fraction(limit.capacity_person_days),
                        self.effort[y],
                        effort,
                    )
                )
        found.sort(key=lambda o: (o.kind != ProblemKind.BUDGET, o.year))
        return found

    def usage(self) -> list[YearUse]:
        return [
            YearUse(limit.year, limit.budget, self.money[y], limit.capacity_person_days, self.effort[y])
            for y, limit in enumerate(self.period.limits)
        ]


# --- input checks --------------------------------------------------------------------------------


def _specs(measures: Iterable[MeasureSpec]) -> dict[Key, MeasureSpec]:
    specs: dict[Key, MeasureSpec] = {}
    for spec in measures:
        if spec.key in specs:
            raise ValueError(f"measure {spec.key} is listed twice")
        specs[spec.key] = spec
    return specs


def _name(specs: Mapping[Key, MeasureSpec], key: Key) -> str:
    spec = specs.get(key)
    return spec.name if spec else str(key)


def _refuse_cycles(specs: Mapping[Key, MeasureSpec]) -> None:
    cycle = find_cycle({key: [r for r in spec.requires if r in specs] for key, spec in specs.items()})
    if cycle is not None:
        raise ValueError(
            _("Dependency cycle: %(cycle)s") % {"cycle": join(" → ", (_name(specs, key) for key in cycle))}
        )


def _necessary(specs: Mapping[Key, MeasureSpec]) -> list[Key]:
    """The mandatory measures and everything they require, each after what it requires; ties keep
    the given (priority) order."""
    needed: set[Key] = set()
    stack = [key for key, spec in specs.items() if spec.mandatory]
    while stack:
        key = stack.pop()
        if key in needed:
            continue
        needed.add(key)
        stack.extend(r for r in specs[key].requires if r in specs)
    edges = {key: [r for r in spec.requires if r in needed] for key, spec in specs.items() if key in needed}
    return list(topological_order(edges))


def _latest_starts(specs: Mapping[Key, MeasureSpec], fixed: Mapping[Key, int], size: int) -> dict[Key, int]:
    """The latest start of each measure: it must end within the period and before any measure
    placed by hand that needs it (directly or through others) starts. Measures not yet placed
    impose no deadline: a measure is never held back for the sake of one that may not fit."""
    dependents: dict[Key, list[Key]] = {key: [] for key in specs}
    for key, spec in specs.items():
        for r in spec.requires:
            if r in dependents:
                dependents[r].append(key)
    order = list(topological_order({key: [r for r in s.requires if r in specs] for key, s in specs.items()}))
    deadline: dict[Key, int | None] = {}  # latest start forced by measures placed by hand
    latest: dict[Key, int] = {}
    for key in reversed(order):  # dependents before what they require
        d = specs[key].duration_quarters
        if key in fixed:
            deadline[key] = latest[key] = fixed[key]
            continue
        bounds = [deadline[m] - d for m in dependents[key] if deadline[m] is not None]
        deadline[key] = min(bounds) if bounds else None
        latest[key] = min([size - d, *bounds])
    return latest


# --- the suggestion ------------------------------------------------------------------------------


class _Planner:
    def __init__(self, measures, limits, fixed):
        self.period = _Period(limits)
        self.specs = _specs(measures)
        _refuse_cycles(self.specs)
        self.fixed: dict[Key, int] = {}
        for key, quarter in (fixed or {}).items():
            if key not in self.specs:
                raise ValueError(f"fixed measure {key} is not among the measures")
            self.fixed[key] = self.period.index(quarter)
        self.latest = _latest_starts(self.specs, self.fixed, self.period.size)
        self.load = _Load(self.period)
        self.placed: dict[Key, int] = {}
        self.explanations: dict[Key, str] = {}
        self.exclusions: dict[Key, Exclusion] = {}
        for key, start in self.fixed.items():
            self.placed[key] = start
            self.load.add(self.specs[key], start)
            self.explanations[key] = _("Placed by hand.")

    def q(self, index: int) -> str:
        return quarter_label(self.period.quarter(index))

    def exclude(self, key: Key, reason: Reason, explanation: str) -> None:
        self.exclusions[key] = Exclusion(key, reason, explanation)

    def place(self, key: Key) -> None:
        if key in self.placed or key in self.exclusions:
            return
        spec = self.specs[key]
        missing = [r for r in spec.requires if r not in self.placed]
        if missing:
            names = join(", ", (_quoted(_name(self.specs, r)) for r in missing))
            self.exclude(
                key,
                Reason.DEPENDENCY,
                _("Requires %(required)s, which is not in the plan.") % {"required": names},
            )
            return
        earliest, blocker = 0, None
        for r in spec.requires:
            after = self.placed[r] + self.specs[r].duration_quarters
            if after > earliest:
                earliest, blocker = after, r
        latest = self.latest[key]
        if earliest > latest:
            self.exclude(key, *self._no_room(spec, earliest, blocker, latest))
            return
        first_overruns = None
        for start in range(earliest, latest + 1):
            overruns = self.load.overruns(spec, start)
            if not overruns:
                self.placed[key] = start
                self.load.add(spec, start)
                self.explanations[key] = self._why_here(start, earliest, blocker, first_overruns)
                return
            first_overruns = first_overruns or overruns
        reason = Reason.BUDGET if first_overruns[0].kind == ProblemKind.BUDGET else Reason.CAPACITY
        text = _("Earliest start %(start)s: %(reasons)s.") % {
            "start": self.q(earliest),
            "reasons": join("; ", (o.sentence() for o in first_overruns)),
        }
        if latest > earliest:
            text = join(
                " ", [text, _("No later start up to %(latest)s fits either.") % {"latest": self.q(latest)}]
            )
        self.exclude(key, reason, text)

    def _no_room(self, spec, earliest, blocker, latest) -> tuple[Reason, str]:
        d = spec.duration_quarters
        if d > self.period.size:
            return Reason.HORIZON, _(
                "It takes %(duration)s; the plan period %(period)s has only %(size)s."
            ) % {"duration": _quarters(d), "period": self.period.label, "size": _quarters(self.period.size)}
        if blocker is not None and earliest + d > self.period.size:
            return Reason.DEPENDENCY, _(
                "%(required)s ends only in %(end)s; after that its %(duration)s no longer fit "
                "into the plan period (until %(last)s)."
            ) % {
                "required": _quoted(_name(self.specs, blocker)),
                "end": self.q(earliest - 1),
                "duration": _quarters(d),
                "last": self.q(self.period.size - 1),
            }
        # a measure placed by hand needs this one to have ended before it starts
        dependents = [m for m in self.fixed if key_requires(self.specs, m, spec.key)]
        names = join(", ", (_quoted(_name(self.specs, m)) for m in dependents)) or "–"
        return Reason.DEPENDENCY, _(
            "It would have to end before %(dependents)s (placed by hand) starts, and there is no room "
            "for its %(duration)s before that."
        ) % {"dependents": names, "duration": _quarters(d)}

    def _why_here(self, start, earliest, blocker, overruns) -> str:
        if start == earliest:
            if blocker is None:
                return _("Starts at the earliest possible quarter.")
            return _("Starts as soon as %(required)s has ended.") % {
                "required": _quoted(_name(self.specs, blocker))
            }
        return _("Starts in %(start)s; an earlier start did not fit (%(reasons)s).") % {
            "start": self.q(start),
            "reasons": join(", ", (o.short() for o in overruns)),
        }


def key_requires(specs: Mapping[Key, MeasureSpec], dependent: Key, required: Key) -> bool:
    """Whether ``dependent`` requires ``required``, directly or through other measures."""
    seen, stack = set(), [dependent]
    while stack:
        key = stack.pop()
        for r in specs[key].requires if key in specs else ():
            if r == required:
                return True
            if r not in seen:
                seen.add(r)
                stack.append(r)
    return False


def suggest_schedule(
    measures_in_priority_order: Sequence[MeasureSpec],
    limits: Sequence[YearLimit],
    *,
    fixed: Mapping[Key, Quarter] | None = None,
    removed: Mapping[Key, str] | None = None,
) -> Schedule:
    """Suggest start quarters for the measures within the years of ``limits``.

    ``removed`` names measures taken out of the plan by hand, with the explanation to keep: they
    stay out (reason ``MANUAL``), and so does whatever requires them.

    Order: ``fixed`` placements (set by hand) stay as they are; then the mandatory measures in
    their given order, each after what it requires (what a mandatory measure requires is
    necessary too); then the others in priority order, each preceded by the measures it requires
    (so a high-ranked measure pulls in what it needs). Each is placed at the earliest quarter
    after the measures it requires have ended where the budget and the capacity of every year
    still hold and it ends within the plan period (and before any measure placed by hand that
    needs it). A measure that fits nowhere is left out with the reason and the numbers.

    Raises ValueError naming the cycle when the dependencies form one.
    """
    planner = _Planner(measures_in_priority_order, limits, fixed)
    specs = planner.specs
    for key, explanation in (removed or {}).items():
        if key in specs and key not in planner.placed:
            planner.exclude(key, Reason.MANUAL, explanation)
    necessary = _necessary(specs)
    for key in necessary:
        planner.place(key)
    needed = set(necessary)
    others = {
        key: [r for r in spec.requires if r in specs and r not in needed] for key, spec in specs.items()
    }
    others = {key: reqs for key, reqs in others.items() if key not in needed}
    for key in topological_order(others):
        if key in planner.placed or key in planner.exclusions:
            continue
        if not specs[key].evaluated:
            planner.exclude(
                key,
                Reason.NOT_EVALUATED,
                _(
                    "Not evaluated yet: it is planned once it has a score (or when a mandatory measure needs it)."
                ),
            )
            continue
        planner.place(key)

    placements = {key: planner.period.quarter(start) for key, start in planner.placed.items()}
    schedule = Schedule(
        placements=placements,
        explanations=planner.explanations,
        exclusions=[planner.exclusions[k] for k in specs if k in planner.exclusions],
        usage=planner.load.usage(),
    )
    missing = [key for key in necessary if key not in planner.placed]
    if missing:
        schedule.feasible = False
        schedule.message = _infeasible_message(specs, limits, fixed or {}, missing)
    schedule.problems = check_schedule(list(specs.values()), limits, placements)
    return schedule


def earliest_placements(
    measures: Sequence[MeasureSpec],
    limits: Sequence[YearLimit],
    keys: Iterable[Key],
    *,
    fixed: Mapping[Key, Quarter] | None = None,
) -> dict[Key, Quarter]:
    """``keys`` (with what they require) each as early as its dependencies allow, ignoring budget,
    capacity and the end of the period; ``fixed`` placements as they are. A measure whose
    requirement is unknown is left out, and so is everything after it."""
    period = _Period(limits)
    specs = _specs(measures)
    wanted: set[Key] = set()
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key in wanted or key not in specs:
            continue
        wanted.add(key)
        stack.extend(specs[key].requires)
    starts = {key: period.index(q) for key, q in (fixed or {}).items()}
    edges = {key: [r for r in specs[key].requires if r in wanted] for key in specs if key in wanted}
    for key in topological_order(edges):
        if key in starts:
            continue
        requires = specs[key].requires
        if any(r not in starts for r in requires):
            continue
        starts[key] = max([starts[r] + specs[r].duration_quarters for r in requires], default=0)
    return {key: period.quarter(start) for key, start in starts.items()}


def _infeasible_message(specs, limits, fixed, missing) -> str:
    """Why the mandatory measures cannot all be placed, in plain words with the numbers."""
    names = join(", ", (_quoted(_name(specs, k)) for k in missing))
    parts = [_("The mandatory measures cannot all be placed (left out: %(measures)s).") % {"measures": names}]
    necessary = _necessary(specs)
    asap = earliest_placements(list(specs.values()), limits, necessary, fixed=fixed)
    for problem in check_schedule(list(specs.values()), limits, asap):
        if problem.kind in (ProblemKind.BUDGET, ProblemKind.CAPACITY):
            values = {
                "year": problem.year,
                "used": _euro(problem.used) if problem.kind == ProblemKind.BUDGET else _days(problem.used),
                "limit": _euro(problem.limit) if problem.kind == ProblemKind.BUDGET else _days(problem.limit),
                "missing": _euro(problem.excess, up=True)
                if problem.kind == ProblemKind.BUDGET
                else _days(problem.excess, up=True),
            }
            if problem.kind == ProblemKind.BUDGET:
                text = _(
                    "The budget %(year)s cannot carry the mandatory measures: starting as early as "
                    "possible they need %(used)s €, the budget is %(limit)s € (%(missing)s € missing)."
                )
            else:
                text = _(
                    "The staff capacity %(year)s cannot carry the mandatory measures: starting as early "
                    "as possible they need %(used)s person-days, the capacity is %(limit)s "
                    "(%(missing)s missing)."
                )
            parts.append(text % values)
        elif problem.kind in (ProblemKind.HORIZON, ProblemKind.DEPENDENCY):
            parts.append(problem.message)
    period = _Period(limits)
    investment = sum((Fraction(specs[k].investment) for k in necessary), Fraction(0))
    budget = sum((Fraction(limit.budget) for limit in period.limits), Fraction(0))
    if investment > budget:
        parts.append(
            _(
                "Together the mandatory measures cost at least %(cost)s € in investment; "
                "all years of the plan together have %(budget)s €."
            )
            % {"cost": _euro(investment), "budget": _euro(budget)}
        )
    effort = sum((Fraction(specs[k].effort_person_days) for k in necessary), Fraction(0))
    capacity = sum((Fraction(limit.capacity_person_days) for limit in period.limits), Fraction(0))
    if effort > capacity:
        parts.append(
            _(
                "Together the mandatory measures need %(effort)s person-days; all years of the plan "
                "together have %(capacity)s."
            )
            % {"effort": _days(effort), "capacity": _days(capacity)}
        )
    return join(" ", parts)


# --- checking a schedule -------------------------------------------------------------------------


def year_usage(
    measures: Sequence[MeasureSpec], limits: Sequence[YearLimit], placements: Mapping[Key, Quarter]
) -> list[YearUse]:
    """Each plan year's use of budget and capacity by the placed measures (exact)."""
    period = _Period(limits)
    specs = _specs(measures)
    load = _Load(period)
    for key, quarter in placements.items():
        if key not in specs:
            raise ValueError(f"placed measure {key} is not among the measures")
        load.add(specs[key], period.index(quarter))
    return load.usage()


def check_schedule(
    measures: Sequence[MeasureSpec], limits: Sequence[YearLimit], placements: Mapping[Key, Quarter]
) -> list[Problem]:
    """Every rule the placements break: a mandatory measure missing, a measure outside the plan
    period, a dependency broken (both measures named), a year over its budget or capacity (with
    the numbers). Empty when the schedule holds."""
    period = _Period(limits)
    specs = _specs(measures)
    problems: list[Problem] = []
    for key, spec in specs.items():
        if spec.mandatory and key not in placements:
            problems.append(
                Problem(
                    ProblemKind.MANDATORY,
                    _("%(measure)s is a legal obligation and must be in the plan.")
                    % {"measure": _quoted(spec.name)},
                    (key,),
                )
            )
    starts: dict[Key, int] = {}
    for key, quarter in placements.items():
        if key not in specs:
            raise ValueError(f"placed measure {key} is not among the measures")
        starts[key] = period.index(quarter)
    for key, start in starts.items():
        spec = specs[key]
        end = start + spec.duration_quarters - 1
        if start < 0 or end >= period.size:
            problems.append(
                Problem(
                    ProblemKind.HORIZON,
                    _("%(measure)s runs from %(start)s to %(end)s, outside the plan period %(period)s.")
                    % {
                        "measure": _quoted(spec.name),
                        "start": quarter_label(period.quarter(start)),
                        "end": quarter_label(period.quarter(end)),
                        "period": period.label,
                    },
                    (key,),
                )
            )
    for key, start in starts.items():
        for r in specs[key].requires:
            problem = _dependency_problem(specs, period, key, start, r, starts.get(r))
            if problem:
                problems.append(problem)
    problems.extend(_limit_problems(year_usage(measures, limits, placements)))
    return problems


def _dependency_problem(specs, period, key, start, required, required_start) -> Problem | None:
    names = {"measure": _quoted(_name(specs, key)), "required": _quoted(_name(specs, required))}
    if required_start is None:
        return Problem(
            ProblemKind.DEPENDENCY,
            _("%(measure)s requires %(required)s, which is not in the plan.") % names,
            (key, required),
        )
    required_end = required_start + specs[required].duration_quarters - 1
    if start > required_end:
        return None
    return Problem(
        ProblemKind.DEPENDENCY,
        _("%(measure)s starts in %(start)s, before %(required)s has ended (%(end)s).")
        % {
            **names,
            "start": quarter_label(period.quarter(start)),
            "end": quarter_label(period.quarter(required_end)),
        },
        (key, required),
    )


def _limit_problems(usage: list[YearUse]) -> list[Problem]:
    problems = []
    for use in usage:
        budget = Fraction(use.budget)
        if use.budget_used > budget:
            excess = use.budget_used - budget
            problems.append(
                Problem(
                    ProblemKind.BUDGET,
                    _(
                        "%(year)s: budget exceeded: %(used)s € planned, budget %(limit)s € (%(excess)s € over)."
                    )
                    % {
                        "year": use.year,
                        "used": _euro(use.budget_used),
                        "limit": _euro(budget),
                        "excess": _euro(excess, up=True),
                    },
                    year=use.year,
                    excess=excess,
                    used=use.budget_used,
                    limit=budget,
                )
            )
        if use.capacity_used > use.capacity:
            excess = use.capacity_used - use.capacity
            problems.append(
                Problem(
                    ProblemKind.CAPACITY,
                    _(
                        "%(year)s: staff capacity exceeded: %(used)s person-days planned, capacity "
                        "%(limit)s (%(excess)s over)."
                    )
                    % {
                        "year": use.year,
                        "used": _days(use.capacity_used),
                        "limit": _days(Fraction(use.capacity)),
                        "excess": _days(excess, up=True),
                    },
                    year=use.year,
                    excess=excess,
                    used=use.capacity_used,
                    limit=Fraction(use.capacity),
                )
            )
    return problems
