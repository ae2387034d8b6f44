"""Write use cases of multi-project management: an accepted measure becomes a project with a
lead, milestones, a traffic light with a stated reason, budget planned versus spent and a log.

Each function is one transaction that checks who acts, validates, writes the project's change
log (``ProjectLogEntry``: field, old → new, actor, note) and the audit entry together with the
change. Refusals are ``ValidationError`` (field errors where a field is to blame) or
``PermissionDenied``, both with translated messages that views show next to the form.

Who: the strategy office does everything; a project's lead (``strategy.change_project``) updates
their own project and its milestones but cannot hand the project to somebody else.

Concurrency: one project per measure is held by the one-to-one constraint (a double click or two
officers at once: one project, the other gets "already exists"). Edits use optimistic locking:
the form sends the ``version`` it showed and the UPDATE only applies ``WHERE version = expected``,
so a stale edit is refused instead of silently overwriting a colleague's change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.audit import audit_record
from rathaus.core.audit_actions import audit_actions

from ..constants import MeasureStatus, ProjectPhase
from ..models import Measure, Milestone, Project, ProjectLogEntry

__all__ = [
    "EDITABLE_FIELDS",
    "MEASURE_STATUS_FOR_PHASE",
    "STARTABLE_MEASURE_STATUSES",
    "ProjectAuditAction",
    "StaleProjectError",
    "milestone_add",
    "milestone_complete",
    "milestone_delete",
    "milestone_reopen",
    "project_start",
    "project_update",
]

MANAGE = "strategy.manage"
CHANGE = "strategy.change_project"

# Fields ``project_update`` accepts (plus ``note``, which goes into the log entries).
EDITABLE_FIELDS = (
    "lead",
    "phase",
    "traffic_light",
    "status_reason",
    "progress_percent",
    "budget_planned",
    "budget_spent",
    "start_date",
    "end_date",
)
# Only the strategy office changes these; a lead works within them.
OFFICE_ONLY_FIELDS = frozenset({"lead", "budget_planned"})

# The measure follows its project: completing it completes the measure, cancelling drops it.
MEASURE_STATUS_FOR_PHASE = {
    ProjectPhase.NOT_STARTED: MeasureStatus.IN_PROGRESS,
    ProjectPhase.RUNNING: MeasureStatus.IN_PROGRESS,
    ProjectPhase.ON_HOLD: MeasureStatus.ON_HOLD,
    ProjectPhase.COMPLETED: MeasureStatus.COMPLETED,
    ProjectPhase.CANCELLED: MeasureStatus.DROPPED,
}
STARTABLE_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


@audit_actions
class ProjectAuditAction(models.TextChoices):
    """Audit actions of multi-project management (the audit log stores the value)."""

    STARTED = "strategy_project_started", gettext_lazy("Project started")
    CHANGED = "strategy_project_changed", gettext_lazy("Project changed")
    MILESTONE_ADDED = "strategy_milestone_added", gettext_lazy("Milestone added")
    MILESTONE_COMPLETED = "strategy_milestone_completed", gettext_lazy("Milestone completed")
    MILESTONE_REOPENED = "strategy_milestone_reopened", gettext_lazy("Milestone reopened")
    MILESTONE_DELETED = "strategy_milestone_deleted", gettext_lazy("Milestone deleted")


class StaleProjectError(ValidationError):
    """The project changed since the form was shown; nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this project in the meantime. Nothing was saved; your input "
                "is kept. Please compare it with the current state and save again."
            ),
            code="stale",
        )


# --- helpers ----------------------------------------------------------------------------------


def _audit(action: str, *, actor, project: Project, request=None, **details) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=project,
        request=request,
        details={"measure": project.measure.code, **details},
    )


def _require(actor, perm: str, project: Project | None = None) -> None:
    if not actor.has_perm(perm, project):
        if perm == MANAGE:
            raise PermissionDenied(_("Only the strategy office may do this."))
        raise PermissionDenied(_("You may not change this project."))


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_staff_member", False))


def _log_value(value: Any) -> str:
    """The stored form of a value in the change log (choice keys, ISO dates, plain decimals)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)[:500]


def _milestone_label(title: str, day: dt.date) -> str:
    """A milestone as the change log keeps it: its title and its ISO due date, which the project
    page writes in the reader's date format."""
    suffix = f" ({day.isoformat()})"
    return f"{title[: 500 - len(suffix)]}{suffix}"


def _log(
    project: Project, actor, field: str, old: Any = None, new: Any = None, note: str = ""
) -> ProjectLogEntry:
    return ProjectLogEntry(
        project=project,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        field=field,
        old_value=old if isinstance(old, str) else _log_value(old),
        new_value=new if isinstance(new, str) else _log_value(new),
        note=note,
    )


def _sync(target: Project, source: Project) -> Project:
    """Copy the stored state onto the caller's instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _set_measure_status(measure: Measure, status: str) -> str | None:
    """Set the measure's status (without touching its other fields); the old status, if changed."""
    old = measure.status
    if old == status:
        return None
    Measure.objects.filter(pk=measure.pk).update(status=status, updated_at=timezone.now())
    measure.status = status
    return old


# --- starting a project -----------------------------------------------------------------------


@transaction.atomic
def project_start(
    measure: Measure,
    *,
    lead,
    status_reason: str,
    budget_planned: Decimal | None = None,
    actor,
    request=None,
) -> Project:
    """Turn a planned measure (or one in progress) into its project; the measure is then in progress.

    The planned budget defaults to the measure's investment; start and end come from the
    measure's planned dates. One project per measure: the second attempt is refused.
    """
    _require(actor, MANAGE)
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    errors: dict[str, list[str]] = {}
    if locked.status not in STARTABLE_MEASURE_STATUSES:
        errors.setdefault("__all__", []).append(
            _("Only a planned measure or one in progress can become a project (this one is: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    if lead is None:
        errors.setdefault("lead", []).append(_("Please name the project lead."))
    elif not _is_staff(lead):
        errors.setdefault("lead", []).append(_("The project lead must be a member of staff."))
    reason = (status_reason or "").strip()
    if not reason:
        errors.setdefault("status_reason", []).append(_("Please state the reason for the status."))
    budget = locked.investment_cost if budget_planned is None else Decimal(str(budget_planned))
    if budget < 0:
        errors.setdefault("budget_planned", []).append(_("The planned budget cannot be negative."))
    if errors:
        raise ValidationError(errors)

    start = locked.planned_start or timezone.localdate()
    end = locked.planned_end if locked.planned_end and locked.planned_end >= start else None
    project = Project(
        measure=locked,
        lead=lead,
        phase=ProjectPhase.RUNNING,
        status_reason=reason,
        budget_planned=budget,
        start_date=start,
        end_date=end,
        status_updated_at=timezone.now(),
    )
    project.full_clean(exclude=["measure"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: the constraint decides a race
            project.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(_("A project for this measure already exists."), code="exists") from exc

    old_status = _set_measure_status(locked, MeasureStatus.IN_PROGRESS)
    measure.status = locked.status
    entries = [_log(project, actor, "created", "", locked.code, note=reason)]
    if old_status:
        entries.append(_log(project, actor, "measure_status", old_status, locked.status))
    ProjectLogEntry.objects.bulk_create(entries)
    _audit(ProjectAuditAction.STARTED, actor=actor, project=project, request=request)
    return project


# --- updating a project -----------------------------------------------------------------------


def _parse(changes: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The changed values converted to their Python types; conversion failures go into errors."""
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "lead":
            parsed[name] = value
            continue
        field = Project._meta.get_field(name)
        if isinstance(value, str):
            value = value.strip()
            if value == "" and field.null:
                value = None
        try:
            parsed[name] = field.to_python(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    return parsed


def _check(current: Project, new: dict[str, Any], diffs: dict, errors: dict[str, list[str]]) -> None:
    """The rules of a project edit, against the stored state (``current``)."""
    if "lead" in new and new["lead"] is None:
        errors.setdefault("lead", []).append(_("Please name the project lead."))
    elif "lead" in diffs and not _is_staff(new["lead"]):
        errors.setdefault("lead", []).append(_("The project lead must be a member of staff."))
    if "status_reason" in new and not new["status_reason"]:
        errors.setdefault("status_reason", []).append(_("Please state the reason for the status."))
    elif "traffic_light" in diffs and "status_reason" not in diffs:
        errors.setdefault("status_reason", []).append(
            _("The traffic light changes: please state the reason for the new status.")
        )
    progress = new.get("progress_percent")
    if progress is not None and not 0 <= progress <= 100:
        errors.setdefault("progress_percent", []).append(
            _("The progress must lie between 0 and 100 percent.")
        )
    for name, message in (
        ("budget_spent", _("The amount spent cannot be negative.")),
        ("budget_planned", _("The planned budget cannot be negative.")),
    ):
        if new.get(name) is not None and new[name] < 0:
            errors.setdefault(name, []).append(message)
    for name in ("progress_percent", "budget_spent", "budget_planned", "phase", "traffic_light"):
        if name in new and new[name] in (None, "") and name not in errors:
            errors.setdefault(name, []).append(_("Please fill in this field."))
    start = new.get("start_date", current.start_date)
    end = new.get("end_date", current.end_date)
    if start and end and end < start:
        errors.setdefault("end_date", []).append(_("The planned end cannot be before the start."))


def _field_errors(candidate: Project, diffs: dict, errors: dict[str, list[str]]) -> None:
    """The model's own field checks (choices, digits) for the changed fields not refused yet."""
    exclude = [f.name for f in Project._meta.fields if f.name not in diffs or f.name in errors]
    try:
        candidate.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)


@transaction.atomic
def project_update(
    project: Project, *, expected_version: int, actor, request=None, **changes: Any
) -> Project:
    """Change a project's fields; every changed field gets a log entry (old → new, actor, note).

    ``status_reason`` is required and must be restated whenever the traffic light changes.
    Spending above the plan is allowed (the portfolio flags it). Completing the project
    completes its measure (and sets the progress to 100 %); cancelling drops the measure.
    """
    unknown = set(changes) - {*EDITABLE_FIELDS, "note"}
    if unknown:
        raise TypeError(f"project_update() got unknown fields: {', '.join(sorted(unknown))}")
    current = Project.objects.select_related("measure", "lead").get(pk=project.pk)
    _require(actor, CHANGE, current)
    if current.version != expected_version:
        raise StaleProjectError
    note = str(changes.pop("note", "") or "").strip()

    errors: dict[str, list[str]] = {}
    new = _parse(changes, errors)
    if new.get("phase") == ProjectPhase.COMPLETED:
        new["progress_percent"] = 100
    diffs = {
        name: (getattr(current, name), value)
        for name, value in new.items()
        if getattr(current, name) != value
    }
    if OFFICE_ONLY_FIELDS & set(diffs) and not actor.has_perm(MANAGE):
        raise PermissionDenied(
            _("Only the strategy office may change the project lead or the planned budget.")
        )
    _check(current, new, diffs, errors)
    candidate = _sync(Project(), current)
    for name, (_old, value) in diffs.items():
        setattr(candidate, name, value)
    _field_errors(candidate, diffs, errors)
    if errors:
        raise ValidationError(errors)
    if not diffs and not note:
        return _sync(project, current)

    now = timezone.now()
    values = {name: value for name, (_old, value) in diffs.items()}
    if "traffic_light" in diffs or "status_reason" in diffs:
        values["status_updated_at"] = now
    updated = Project.objects.filter(pk=current.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise StaleProjectError

    entries = [_log(current, actor, name, old, value, note=note) for name, (old, value) in diffs.items()]
    if not diffs:
        entries.append(_log(current, actor, "note", "", "", note=note))
    if "phase" in diffs:
        old_status = _set_measure_status(current.measure, MEASURE_STATUS_FOR_PHASE[diffs["phase"][1]])
        if old_status:
            entries.append(_log(current, actor, "measure_status", old_status, current.measure.status))
    ProjectLogEntry.objects.bulk_create(entries)
    _audit(ProjectAuditAction.CHANGED, actor=actor, project=current, request=request, fields=sorted(diffs))
    return _sync(project, Project.objects.select_related("measure", "lead").get(pk=current.pk))


# --- milestones -------------------------------------------------------------------------------


def _locked_milestone(milestone: Milestone, actor) -> Milestone:
    locked = Milestone.objects.select_for_update().select_related("project__measure").get(pk=milestone.pk)
    _require(actor, CHANGE, locked.project)
    return locked


@transaction.atomic
def milestone_add(project: Project, title: str, due_on: dt.date, actor, *, request=None) -> Milestone:
    _require(actor, CHANGE, project)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Please give the milestone a title.")]
    elif len(title) > 200:
        errors["title"] = [_("The title may be at most 200 characters long.")]
    if not isinstance(due_on, dt.date):
        errors["due_on"] = [_("Please give the date the milestone is due.")]
    if errors:
        raise ValidationError(errors)
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on)
    _log(project, actor, "milestone_added", "", _milestone_label(title, due_on)).save()
    _audit(
        ProjectAuditAction.MILESTONE_ADDED,
        actor=actor,
        project=project,
        request=request,
        milestone=milestone.pk,
    )
    return milestone


@transaction.atomic
def milestone_complete(milestone: Milestone, completed_on: dt.date, actor, *, request=None) -> Milestone:
    """Mark a milestone reached on ``completed_on`` (today at the latest)."""
    locked = _locked_milestone(milestone, actor)
    if locked.completed_on is not None:
        raise ValidationError(_("This milestone has already been completed."), code="completed")
    if not isinstance(completed_on, dt.date):
        raise ValidationError({"completed_on": [_("Please give the date the milestone was reached.")]})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": [_("The completion date cannot be in the future.")]})
    locked.completed_on = completed_on
    locked.save(update_fields=["completed_on"])
    milestone.completed_on = completed_on
    _log(
        locked.project,
        actor,
        "milestone_completed",
        _milestone_label(locked.title, locked.due_on),
        completed_on,
    ).save()
    _audit(
        ProjectAuditAction.MILESTONE_COMPLETED,
        actor=actor,
        project=locked.project,
        request=request,
        milestone=locked.pk,
    )
    return locked


@transaction.atomic
def milestone_reopen(milestone: Milestone, actor, *, request=None) -> Milestone:
    """Undo a completion (reached by mistake, or the result did not hold)."""
    locked = _locked_milestone(milestone, actor)
    if locked.completed_on is None:
        raise ValidationError(_("This milestone is still open."), code="open")
    old = locked.completed_on
    locked.completed_on = None
    locked.save(update_fields=["completed_on"])
    milestone.completed_on = None
    _log(
        locked.project, actor, "milestone_reopened", old, _milestone_label(locked.title, locked.due_on)
    ).save()
    _audit(
        ProjectAuditAction.MILESTONE_REOPENED,
        actor=actor,
        project=locked.project,
        request=request,
        milestone=locked.pk,
    )
    return locked


@transaction.atomic
def milestone_delete(milestone: Milestone, actor, *, request=None) -> None:
    locked = _locked_milestone(milestone, actor)
    project, pk = locked.project, locked.pk
    _log(project, actor, "milestone_deleted", _milestone_label(locked.title, locked.due_on), "").save()
    locked.delete()
    _audit(ProjectAuditAction.MILESTONE_DELETED, actor=actor, project=project, request=request, milestone=pk)
