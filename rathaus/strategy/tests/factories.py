"""Small builders for strategy tests (real database rows, no mocks)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from rathaus.accounts.models import Department
from rathaus.strategy.models import Area, Criterion, FieldOfAction, Guideline, Measure

_counter = itertools.count(1)


def make_area(number: int | None = None, name: str = "Dienstleistungen") -> Area:
    number = number or next(_counter) + 100
    return Area.objects.create(number=number, name=f"{name} {number}", name_en=f"Services {number}")


def make_guideline(area: Area | None = None, **fields) -> Guideline:
    area = area or make_area()
    n = next(_counter) + 100
    fields.setdefault("title", f"Leitsatz {n}")
    fields.setdefault("motto", f"„Motto {n}“")
    fields.setdefault("text", "Die Stadt handelt.")
    return Guideline.objects.create(area=area, number=n, **fields)


def make_field(area: Area | None = None, guidelines=(), **fields) -> FieldOfAction:
    area = area or make_area()
    n = next(_counter)
    fields.setdefault("title", f"Handlungsfeld {n}")
    field = FieldOfAction.objects.create(code=f"HF-T{n}", area=area, **fields)
    field.guidelines.set(guidelines or [make_guideline(area)])
    return field


def make_department(code: str | None = None) -> Department:
    code = code or f"Amt T{next(_counter)}"
    return Department.objects.get_or_create(code=code, defaults={"name": f"Testamt {code}"})[0]


def make_measure(
    field: FieldOfAction | None = None,
    department: Department | None = None,
    *,
    investment: str | int = 10000,
    effort: int = 20,
    duration: int = 2,
    mandatory: bool = False,
    **fields,
) -> Measure:
    field = field or make_field()
    n = next(_counter)
    fields.setdefault("title", f"Maßnahme {n}")
    fields.setdefault("description", "Beschreibung")
    measure = Measure.objects.create(
        code=f"M-T{n}",
        field_of_action=field,
        department=department or make_department(),
        investment_cost=Decimal(str(investment)),
        effort_person_days=effort,
        duration_quarters=duration,
        is_mandatory=mandatory,
        **fields,
    )
    measure.guidelines.set(field.guidelines.all())
    return measure


def make_criterion(
    key: str, weight: str | int, *, scale=(0, 5), direction: str = "higher", **fields
) -> Criterion:
    fields.setdefault("name", key.title())
    return Criterion.objects.create(
        key=key,
        weight=Decimal(str(weight)),
        scale_min=scale[0],
        scale_max=scale[1],
        direction=direction,
        **fields,
    )
