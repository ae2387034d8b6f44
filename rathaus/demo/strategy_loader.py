"""Load the strategy cockpit's Regensburg demo (data in ``strategy_data``).

Idempotent like the rest of the demo: every row is found by its stable key (number, code, key,
title) and created only when missing; a second run writes nothing. Rows the loader did not create
in this run are never changed, so edits made in the running demo survive a restart.

The order tells the strategy's history: the fields of action and measures of 2021 are created in
their 2021 state, version 1 is frozen, then the review of 2026 is applied (new field of action and
measures, changed dates, statuses and costs) and version 2 is frozen after everything else.

Three services come from other parts of the cockpit and are imported guarded, so that the demo
loads while they are being written: ``strategy_snapshot`` (versions), ``plan_suggest`` (the
suggested schedule) and ``kpi_snapshot_all`` (history of the computed key figures).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from rathaus.accounts.models import Department, User
from rathaus.catalog.models import Service
from rathaus.strategy.constants import KpiSource, MeasureStatus, ProjectPhase
from rathaus.strategy.graph import find_cycle
from rathaus.strategy.models import (
    Area,
    Criterion,
    FieldOfAction,
    Guideline,
    Kpi,
    KpiTarget,
    KpiValue,
    Measure,
    MeasureDependency,
    MeasureProposal,
    Milestone,
    Plan,
    PlanYear,
    Project,
    ProjectLogEntry,
    Score,
    Strategy,
    StrategyVersion,
)

from . import strategy_data as data

BERLIN = ZoneInfo("Europe/Berlin")
PROJECT_STATUSES = (MeasureStatus.IN_PROGRESS, MeasureStatus.COMPLETED)
EVALUATED_STATUSES = (MeasureStatus.CANDIDATE, MeasureStatus.PLANNED)
SUBJECTIVE_CRITERIA = ("nutzen", "effizienz", "umsetzbarkeit", "risiko")

__all__ = ["load_strategy_demo"]


_loading_city = False


@transaction.atomic
def load_strategy_demo() -> dict[str, int]:
    """Create what is missing of the strategy demo; returns how many rows of each kind were new.

    The strategy demo builds on the city demo (departments, staff, catalogue). Called on its own
    in a database without them (a test fixture, say), it loads the whole demo, which calls back
    here once the city is there.
    """
    global _loading_city
    if not _loading_city and not _city_present():
        from .loader import load_demo

        _loading_city = True
        try:
            created = load_demo()
        finally:
            _loading_city = False
        return {key: count for key, count in created.items() if key.startswith("strategy_")}
    _check_dependencies()
    loader = _Loader()
    loader.run()
    return loader.created


def _city_present() -> bool:
    codes = {spec["department"] for spec in data.MEASURES}
    emails = _staff_emails()
    departments = Department.objects.filter(code__in=codes).count()
    return departments == len(codes) and User.objects.filter(email__in=emails).count() == len(emails)


def _staff_emails() -> set[str]:
    emails = {data.STRATEGY_OFFICE, data.CONTROLLING, data.DEPARTMENT_HEAD}
    emails |= {project["lead"] for project in data.PROJECTS.values()}
    emails |= {entry[5] for project in data.PROJECTS.values() for entry in project.get("log", ())}
    emails |= {p["proposed_by"] for p in data.PROPOSALS if p.get("proposed_by")}
    return emails


class _Loader:
    def __init__(self) -> None:
        self.created = {
            key: 0
            for key in (
                "strategy_guidelines",
                "strategy_fields_of_action",
                "strategy_measures",
                "strategy_proposals",
                "strategy_scores",
                "strategy_projects",
                "strategy_kpis",
                "strategy_plans",
                "strategy_versions",
            )
        }
        emails = _staff_emails()
        self.users = {u.email: u for u in User.objects.filter(email__in=emails)}
        missing = emails - set(self.users)
        if missing:
            raise ImproperlyConfigured(f"demo staff missing for the strategy demo: {sorted(missing)}")
        self.departments = {d.code: d for d in Department.objects.all()}
        self.guidelines: dict[int, Guideline] = {}
        self.fields: dict[str, FieldOfAction] = {}
        self.measures: dict[str, Measure] = {}

    def run(self) -> None:
        self._strategy()
        areas = self._areas()
        self._guidelines(areas)
        # the strategy as adopted in 2021 ...
        fresh_fields = self._fields(areas, since=2021)
        fresh_measures = self._measures(since=2021)
        self._dependencies(fresh_measures, v1=True)
        self._version(1)
        # ... and its review in 2026
        self._fields(areas, since=2026)
        for spec, field in fresh_fields:
            _update(field, **self._field_values(spec, areas, v1=False))
        self._review(fresh_measures)
        fresh_measures += self._measures(since=2026)
        self._dependencies(fresh_measures, v1=False)
        self._proposals()
        self._criteria_and_scores()
        self._projects()
        self._kpis()
        self._plan()
        self._version(2)

    # --- strategy, areas, guidelines ------------------------------------------------------------

    def _strategy(self) -> None:
        strategy, created = Strategy.objects.get_or_create(pk=1, defaults=data.STRATEGY)
        if not created and not strategy.mission_statement:
            # Strategy.load() may have made the empty row before the demo was loaded.
            _update(strategy, **data.STRATEGY)

    def _areas(self) -> dict[int, Area]:
        areas = {}
        for number, name, name_en, summary, summary_en in data.AREAS:
            areas[number], _ = Area.objects.get_or_create(
                number=number,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "summary": "\n\n".join(summary),
                    "summary_en": "\n\n".join(summary_en),
                },
            )
        return areas

    def _guidelines(self, areas: dict[int, Area]) -> None:
        for spec in data.GUIDELINES:
            guideline, created = Guideline.objects.get_or_create(
                number=spec["number"],
                defaults={
                    "area": areas[spec["area"]],
                    "title": spec["title"],
                    "title_en": spec["title_en"],
                    "motto": spec["motto"],
                    "motto_en": spec["motto_en"],
                    "text": "\n\n".join(spec["text"]),
                    "text_en": "\n\n".join(spec["text_en"]),
                },
            )
            self.guidelines[spec["number"]] = guideline
            self.created["strategy_guidelines"] += created

    # --- fields of action and measures ------------------------------------------------------------

    def _field_values(self, spec: dict, areas: dict[int, Area], *, v1: bool) -> dict:
        values = {**spec, **spec.get("v1", {})} if v1 else spec
        return {
            "title": values["title"],
            "title_en": values["title_en"],
            "description": values["description"],
            "description_en": values["description_en"],
            "area": areas[spec["area"]],
            "order": int(spec["code"].split("-")[1]) * 10,
        }

    def _fields(self, areas: dict[int, Area], *, since: int) -> list[tuple[dict, FieldOfAction]]:
        fresh = []
        for spec in data.FIELDS_OF_ACTION:
            if spec.get("since", 2021) != since:
                continue
            field, created = FieldOfAction.objects.get_or_create(
                code=spec["code"], defaults=self._field_values(spec, areas, v1=since == 2021)
            )
            if created:
                field.guidelines.set([self.guidelines[n] for n in spec["guidelines"]])
                fresh.append((spec, field))
            self.fields[spec["code"]] = field
            self.created["strategy_fields_of_action"] += created
        return fresh

    def _measure_values(self, spec: dict, *, v1: bool) -> dict:
        values = {**spec, **spec.get("v1", {})} if v1 else spec
        start, end = _date(values.get("start")), _date(values.get("end"))
        return {
            "title": values["title"],
            "title_en": values["title_en"],
            "description": spec["description"],
            "field_of_action": self.fields[spec["field"]],
            "department": self.departments[spec["department"]],
            "investment_cost": Decimal(values["investment"]),
            "running_cost": Decimal(spec["running"]),
            "expected_benefit": spec["benefit"],
            "effort_person_days": spec["effort"],
            "duration_quarters": _quarters(start, end, spec.get("quarters", 4)),
            "planned_start": start,
            "planned_end": end,
            "status": values["status"],
            "is_mandatory": spec.get("mandatory", False),
            "legal_basis": spec.get("legal_basis", ""),
            "risks": spec["risks"],
            "is_public": spec.get("public", True),
            "origin": spec.get("origin", "strategy_office"),
        }

    def _measures(self, *, since: int) -> list[tuple[dict, Measure]]:
        """Create the missing measures of ``since`` in bulk (with their guidelines and services)."""
        specs = [spec for spec in data.MEASURES if spec.get("since", 2021) == since]
        self.measures.update(Measure.objects.in_bulk([spec["code"] for spec in specs], field_name="code"))
        fresh = [
            (spec, Measure(code=spec["code"], **self._measure_values(spec, v1=since == 2021)))
            for spec in specs
            if spec["code"] not in self.measures
        ]
        Measure.objects.bulk_create([measure for _spec, measure in fresh])
        slugs = {slug for spec, _measure in fresh for slug in spec.get("services", ())}
        services = Service.objects.in_bulk(slugs, field_name="slug")
        Measure.guidelines.through.objects.bulk_create(
            Measure.guidelines.through(measure_id=measure.pk, guideline_id=self.guidelines[number].pk)
            for spec, measure in fresh
            for number in spec["guidelines"]
        )
        Measure.services.through.objects.bulk_create(
            Measure.services.through(measure_id=measure.pk, service_id=services[slug].pk)
            for spec, measure in fresh
            for slug in spec.get("services", ())
            if slug in services
        )
        for _spec, measure in fresh:
            self.measures[measure.code] = measure
        self.created["strategy_measures"] += len(fresh)
        return fresh

    def _review(self, fresh: list[tuple[dict, Measure]]) -> None:
        """Bring the measures created in their 2021 state to their state of today, in one query."""
        changed = []
        for spec, measure in fresh:
            values = self._measure_values(spec, v1=False)
            if any(getattr(measure, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(measure, name, value)
                measure.updated_at = timezone.now()
                changed.append(measure)
        if changed:
            Measure.objects.bulk_update(changed, [*values, "updated_at"])

    def _dependencies(self, fresh: list[tuple[dict, Measure]], *, v1: bool) -> None:
        """Set the dependencies of the measures created in this run (as of 2021 or as of now)."""
        wanted = set()
        for spec, measure in fresh:
            requires = spec.get("requires", ())
            if v1:
                requires = spec.get("v1", {}).get("requires", requires)
            wanted |= {(measure.pk, self.measures[code].pk) for code in requires if code in self.measures}
        links = MeasureDependency.objects.filter(measure__in=[measure for _spec, measure in fresh])
        have = {(m, r): pk for pk, m, r in links.values_list("pk", "measure_id", "requires_id")}
        MeasureDependency.objects.filter(
            pk__in=[pk for key, pk in have.items() if key not in wanted]
        ).delete()
        MeasureDependency.objects.bulk_create(
            MeasureDependency(measure_id=m, requires_id=r) for m, r in sorted(wanted - set(have))
        )

    # --- proposals --------------------------------------------------------------------------------

    def _proposals(self) -> None:
        strategy_office = self.users[data.STRATEGY_OFFICE]
        for spec in data.PROPOSALS:
            decided = spec["status"] != "submitted"
            proposal, created = MeasureProposal.objects.get_or_create(
                title=spec["title"],
                defaults={
                    "description": spec["description"],
                    "expected_benefit": spec.get("benefit", ""),
                    "estimated_cost": Decimal(spec["cost"]) if spec.get("cost") else None,
                    "estimated_effort_person_days": spec.get("effort"),
                    "field_of_action": self.fields[spec["field"]],
                    "origin": spec.get("origin", "department"),
                    "department": self.departments.get(spec.get("department")),
                    "proposed_by": self.users.get(spec.get("proposed_by")),
                    "external_reference": spec.get("external_reference", ""),
                    "status": spec["status"],
                    "decision_reason": spec.get("reason", ""),
                    "decided_by": strategy_office if decided else None,
                    "decided_at": _moment(spec["decided_at"]) if decided else None,
                    "measure": self.measures[spec["measure"]] if spec.get("measure") else None,
                },
            )
            if created:
                proposal.guidelines.set([self.guidelines[n] for n in spec["guidelines"]])
            self.created["strategy_proposals"] += created

    # --- utility analysis -------------------------------------------------------------------------

    def _criteria_and_scores(self) -> None:
        criteria = {}
        for order, (key, name, name_en, description, weight, direction) in enumerate(data.CRITERIA):
            criteria[key], _ = Criterion.objects.get_or_create(
                key=key,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "description": description,
                    "weight": Decimal(weight),
                    "direction": direction,
                    "scale_min": 0,
                    "scale_max": 5,
                    "order": (order + 1) * 10,
                },
            )
        evaluators = [self.users[email] for email in data.EVALUATORS]
        have = set(
            Score.objects.filter(evaluator__in=evaluators).values_list(
                "measure_id", "criterion_id", "evaluator_id"
            )
        )
        new_scores = []
        for spec in data.MEASURES:
            measure = self.measures[spec["code"]]
            if "scores" not in spec or measure.status not in EVALUATED_STATUSES:
                continue
            for evaluator in evaluators:
                for key, criterion in criteria.items():
                    if (measure.pk, criterion.pk, evaluator.pk) in have:
                        continue
                    value, comment = _score(spec, key, evaluator.email)
                    new_scores.append(
                        Score(
                            measure=measure,
                            criterion=criterion,
                            evaluator=evaluator,
                            value=value,
                            comment=comment,
                        )
                    )
        Score.objects.bulk_create(new_scores)
        self.created["strategy_scores"] += len(new_scores)

    # --- projects ---------------------------------------------------------------------------------

    def _projects(self) -> None:
        measures = [self.measures[code] for code in data.PROJECTS]
        measures = [m for m in measures if m.status in PROJECT_STATUSES]
        have = set(Project.objects.filter(measure__in=measures).values_list("measure_id", flat=True))
        fresh = [
            (data.PROJECTS[m.code], self._project(m, data.PROJECTS[m.code]))
            for m in measures
            if m.pk not in have
        ]
        Project.objects.bulk_create([project for _spec, project in fresh])
        Milestone.objects.bulk_create(
            Milestone(project=project, title=title, due_on=_date(due), completed_on=_date(completed))
            for spec, project in fresh
            for title, due, completed in spec["milestones"]
        )
        log = [
            ProjectLogEntry(
                project=project, actor=self.users[actor], field=field, old_value=old, new_value=new, note=note
            )
            for spec, project in fresh
            for field, old, new, note, _day, actor in spec.get("log", ())
        ]
        ProjectLogEntry.objects.bulk_create(log)
        # ``at`` is stamped on creation; the demo's history happened earlier
        days = [entry[4] for spec, _project in fresh for entry in spec.get("log", ())]
        for entry, day in zip(log, days, strict=True):
            entry.at = _moment(day)
        ProjectLogEntry.objects.bulk_update(log, ["at"])
        self.created["strategy_projects"] += len(fresh)

    def _project(self, measure: Measure, spec: dict) -> Project:
        done = measure.status == MeasureStatus.COMPLETED
        return Project(
            measure=measure,
            lead=self.users[spec["lead"]],
            phase=ProjectPhase.COMPLETED if done else ProjectPhase.RUNNING,
            traffic_light=spec["light"],
            status_reason=spec["reason"],
            progress_percent=spec["progress"],
            budget_planned=measure.investment_cost,
            budget_spent=Decimal(spec["spent"]),
            start_date=measure.planned_start,
            end_date=measure.planned_end,
            status_updated_at=_moment(spec["updated"]),
        )

    # --- key figures ------------------------------------------------------------------------------

    def _kpis(self) -> None:
        have = set(
            Kpi.objects.filter(key__in=[spec["key"] for spec in data.KPIS]).values_list("key", flat=True)
        )
        fresh = [
            (spec, self._kpi(spec, order)) for order, spec in enumerate(data.KPIS) if spec["key"] not in have
        ]
        Kpi.objects.bulk_create([kpi for _spec, kpi in fresh])
        Kpi.guidelines.through.objects.bulk_create(
            Kpi.guidelines.through(kpi_id=kpi.pk, guideline_id=self.guidelines[number].pk)
            for spec, kpi in fresh
            for number in spec["guidelines"]
        )
        KpiTarget.objects.bulk_create(
            KpiTarget(kpi=kpi, year=year, value=Decimal(value))
            for spec, kpi in fresh
            for year, value in spec["targets"].items()
        )
        recorder = self.users[data.STRATEGY_OFFICE]
        KpiValue.objects.bulk_create(
            KpiValue(
                kpi=kpi,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                value=Decimal(value),
                source=KpiSource.MANUAL,
                recorded_by=recorder,
                note=note,
            )
            for spec, kpi in fresh
            for year, (value, note) in spec.get("values", {}).items()
        )
        self.created["strategy_kpis"] += len(fresh)
        self._kpi_history()

    def _kpi(self, spec: dict, order: int) -> Kpi:
        computed = bool(spec.get("provider"))
        return Kpi(
            key=spec["key"],
            name=spec["name"],
            name_en=spec["name_en"],
            description=spec["description"],
            unit=spec["unit"],
            direction=spec["direction"],
            source=KpiSource.COMPUTED if computed else KpiSource.MANUAL,
            provider_key=spec.get("provider", ""),
            baseline_value=Decimal(spec["baseline"]),
            baseline_year=2021,
            field_of_action=self.fields[spec["field"]],
            is_public=spec.get("public", True),
            order=(order + 1) * 10,
        )

    def _kpi_history(self) -> None:
        """Measure the computed key figures at the end of each of the past twelve months and today,
        once: later runs leave the history to the scheduled snapshot task."""
        computed = Kpi.objects.filter(source=KpiSource.COMPUTED)
        if not computed.exists() or KpiValue.objects.filter(kpi__in=computed).exists():
            return
        try:
            from rathaus.strategy.services.kpis import kpi_snapshot_all
        except ImportError:
            # written by another helper of the cockpit; the lead wires it in
            return
        for day in _history_days(timezone.localdate()):
            kpi_snapshot_all(as_of=day)

    # --- measures plan ----------------------------------------------------------------------------

    def _plan(self) -> None:
        spec = data.PLAN
        plan, created = Plan.objects.get_or_create(
            name=spec["name"],
            defaults={
                "first_year": spec["first_year"],
                "last_year": spec["last_year"],
                "note": spec["note"],
                "created_by": self.users[data.STRATEGY_OFFICE],
            },
        )
        self.created["strategy_plans"] += created
        for year, budget, capacity in spec["years"]:
            PlanYear.objects.get_or_create(
                plan=plan, year=year, defaults={"budget": Decimal(budget), "capacity_person_days": capacity}
            )
        if not created:
            return
        try:
            from rathaus.strategy.services.planning import plan_suggest
        except ImportError:
            # written by another helper of the cockpit; the lead wires it in
            return
        plan_suggest(plan=plan, actor=self.users[data.STRATEGY_OFFICE])

    # --- versions ---------------------------------------------------------------------------------

    def _version(self, number: int) -> None:
        if StrategyVersion.objects.filter(number=number).exists():
            return
        try:
            from rathaus.strategy.versioning import strategy_snapshot
        except ImportError:
            # written by another helper of the cockpit; the lead wires it in
            return
        spec = data.VERSIONS[number]
        version = StrategyVersion.objects.create(
            number=number,
            label=spec["label"],
            reason=spec["reason"],
            created_by=self.users[data.STRATEGY_OFFICE],
            snapshot=strategy_snapshot(),
        )
        # ``created_at`` is set on creation; the demo's versions were made earlier
        StrategyVersion.objects.filter(pk=version.pk).update(
            created_at=spec["created_at"].replace(tzinfo=BERLIN)
        )
        self.created["strategy_versions"] += 1


# --- helpers ----------------------------------------------------------------------------------------


def _check_dependencies() -> None:
    """Refuse demo data whose dependencies form a cycle, before anything is written."""
    for v1 in (True, False):
        edges = {}
        for spec in data.MEASURES:
            requires = spec.get("requires", ())
            if v1:
                requires = spec.get("v1", {}).get("requires", requires)
            edges[spec["code"]] = list(requires)
        cycle = find_cycle(edges)
        if cycle is not None:
            raise ImproperlyConfigured(f"dependency cycle in the strategy demo: {' → '.join(cycle)}")


def _score(spec: dict, key: str, email: str) -> tuple[int, str]:
    """One evaluator's score: the strategy office's base assessment, objective criteria as they
    follow from the data, a seeded ±1 of personal judgement and a few deliberate disagreements."""
    override = data.DISAGREEMENTS.get((spec["code"], key), {}).get(email)
    if override is not None:
        return override
    if key == "rechtspflicht":
        return (5 if spec.get("mandatory") else spec.get("legal_score", 0)), ""
    if key == "kosten":
        five_years = Decimal(spec["investment"]) + 5 * Decimal(spec["running"])
        bands = (Decimal(100_000), Decimal(200_000), Decimal(400_000), Decimal(700_000))
        return 1 + sum(five_years >= band for band in bands), ""
    base = spec["scores"][SUBJECTIVE_CRITERIA.index(key)]
    # deterministic, not secret: the same demo on every machine
    noise = random.Random(f"{spec['code']}:{key}:{email}").choice((-1, 0, 0, 1))  # noqa: S311
    return min(5, max(0, base + noise)), ""


def _update(obj, **values) -> None:
    """Save only the fields whose value differs (no write at all when nothing does)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _moment(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10, 0), tzinfo=BERLIN)


def _quarters(start: dt.date | None, end: dt.date | None, default: int) -> int:
    if start is None or end is None:
        return default
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return max(1, min(20, -(-months // 3)))


def _history_days(today: dt.date) -> list[dt.date]:
    """The last day of each of the twelve months before ``today``'s, oldest first, then today."""
    days = []
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    for _ in range(12):
        days.append(month_end)
        month_end = month_end.replace(day=1) - dt.timedelta(days=1)
    return [*reversed(days), today]
