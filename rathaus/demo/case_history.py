"""Thirteen and a half months of applications (and a year of bookings, ``booking_history``) for
the Regensburg demo, so the strategy cockpit computes its figures about applications (channel
shares, median processing time, applications received) and about bookings, and their monthly
history, from real rows.

The applications are records taken over from the city's predecessor system (Altdatenübernahme):
their receipts, information requests and notices were written and delivered there and lie in the
paper file. So no PDF is rendered, no document stored and no mailbox message sent; the first
timeline entry and an internal note of every case say so. The answers follow the service's
current online form, without the files, which stayed in the predecessor system.

What the history shows, relative to the day of its first load (Europe/Berlin):

- 200 applications to the demo services with an online form, a few more each month;
- of the applications received each month, about 40 % came online at the start and about 65 %
  in the last months (the cockpit's figure counts everything received so far, so it rises from
  about 40 % a year back to about 55 %); the others came at the counter, by post or by phone,
  wherever the service offers that channel. Applicants are the demo citizens, anonymous
  reporters (Mängelmelder) and, offline, mostly people without an account; a member of staff
  entered each offline application (a caseworker of the department, else the administrator who
  ran the takeover);
- processing takes a few days (registration certificate) to several weeks (building permit) and
  gets faster over the year: the median of the decided cases falls from about 14 days in spring
  to below 10. About one case in six waited for the applicant after an information request;
  that time is recorded as waiting and is not processing time;
- older cases are decided and, after the month for an appeal, closed, a few were withdrawn; the
  newest are still in review or waiting for the applicant.

Deterministic (fixed seeds) and idempotent: every submission carries the key ``demo-history-NNN``
and keys already present are skipped, so a second run writes nothing. References are allocated as
for live applications (``reference_allocate``) in the order of receipt: unique, increasing, and
the next live application continues the count.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from rathaus.accounts.constants import StaffRoleKind, TrustLevel
from rathaus.accounts.models import StaffRole, User
from rathaus.cases.constants import CaseState, EventKind, StateKind
from rathaus.cases.deadlines import end_of_working_day
from rathaus.cases.models import Case, CaseEvent, CaseNote, InformationRequest, NoticeOutcome
from rathaus.cases.services import reference_allocate
from rathaus.cases.workflow import workflow_for_service
from rathaus.catalog.constants import Channel
from rathaus.catalog.fees import compute_fee
from rathaus.forms.models import FormVersion, Submission

from .booking_history import load_booking_history
from .history_data import (
    ANSWER,
    ANSWERS,
    BERLIN,
    CITIZENS,
    DECISION_SOURCE,
    DECISIONS,
    IMPORT_NOTE,
    IMPORTED,
    OTHERS,
    REQUEST_DEFAULT,
    REQUESTS,
    Person,
    office_moment,
    received_at,
)

__all__ = ["KEY_PREFIX", "CasePlan", "case_plans", "load_case_history"]

KEY_PREFIX = "demo-history-"
SEED = "rathaus-demo-case-history"
CASES = 200
HISTORY_DAYS = 410  # 13½ months: the cockpit's first month-end (a year back) has six weeks behind it
ONLINE_THEN, ONLINE_NOW = 0.38, 0.68  # online share of the applications at the start and the end
SPEED_THEN, SPEED_NOW = 1.7, 0.6  # processing time relative to the service's usual one

# slug → (applications relative to each other, usual processing days)
SERVICES = {
    "meldebescheinigung": (18, 2.5),
    "bewohnerparkausweis": (16, 9),
    "maengelmelder": (14, 7),
    "hundesteuer-anmeldung": (10, 14),
    "kita-platz-voranmelden": (9, 30),
    "sondernutzung-strasse": (8, 16),
    "gartenkurs-anmelden": (7, 3),
    "trautermin-eheschliessung-anmelden": (6, 16),
    "bauantrag-digital": (5, 55),
    "gastschulbeitrag": (4, 24),
}
OFFLINE = {Channel.COUNTER: 58, Channel.POST: 27, Channel.PHONE: 15}
REQUEST_SHARE = {"bauantrag-digital": 0.4, "gastschulbeitrag": 0.3, "sondernutzung-strasse": 0.25}
OUTCOMES = {NoticeOutcome.GRANTED: 86, NoticeOutcome.PARTLY_GRANTED: 6, NoticeOutcome.REFUSED: 8}
# The states the history walks through and what entering them means; a service whose own
# workflow differs gets no history. The steps between them: (timeline entry, state entered).
STATES = {
    CaseState.RECEIVED: StateKind.NORMAL,
    CaseState.IN_REVIEW: StateKind.NORMAL,
    CaseState.INFORMATION_REQUESTED: StateKind.WAITING,
    CaseState.DECIDED: StateKind.DECISION,
    CaseState.CLOSED: StateKind.FINAL,
    CaseState.WITHDRAWN: StateKind.FINAL,
}
STEPS = {
    "review": (EventKind.TRANSITION, CaseState.IN_REVIEW),
    "ask": (EventKind.INFORMATION_REQUESTED, CaseState.INFORMATION_REQUESTED),
    "answer": (EventKind.INFORMATION_ANSWERED, CaseState.IN_REVIEW),
    "decide": (EventKind.DECIDED, CaseState.DECIDED),
    "close": (EventKind.TRANSITION, CaseState.CLOSED),
    "withdraw": (EventKind.WITHDRAWN, CaseState.WITHDRAWN),
}


@transaction.atomic
def load_case_history() -> dict[str, int]:
    """Create the historic applications that are missing and, with the history's first load, the
    historic bookings; returns how many of each were new. Without the demo's online forms there
    is no history at all (and no bookings, which would otherwise be written on every run)."""
    created = {"history_cases": 0, "history_bookings": 0}
    forms = _form_versions()
    if not forms:
        return created
    now = timezone.now()
    today = timezone.localtime(now, BERLIN).date()
    existing = set(
        Submission.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    channels = {slug: list(forms[slug].definition.service.channels) for slug in SERVICES if slug in forms}
    plans = [plan for plan in case_plans(channels=channels, today=today) if plan.key not in existing]
    if plans:
        created["history_cases"] = _CaseWriter(forms, now).write(plans)
    if not existing:
        created["history_bookings"] = load_booking_history(now=now)
    return created


def _form_versions() -> dict[str, FormVersion]:
    """The current form of each history service whose workflow has the history's states."""
    versions: dict[str, FormVersion] = {}
    rows = (
        FormVersion.objects.filter(published_at__isnull=False, definition__service__slug__in=SERVICES)
        .select_related("definition__service__department", "definition__service__workflow")
        .order_by("definition_id", "-number")
    )
    for version in rows:
        workflow = workflow_for_service(version.definition.service)
        fits = workflow.initial == CaseState.RECEIVED and all(
            state in workflow.definition["states"] and workflow.kind(state) == kind
            for state, kind in STATES.items()
        )
        if fits:
            versions.setdefault(version.definition.service.slug, version)
    return versions


# --- plans: the applications as they happened ----------------------------------------------------


@dataclass(frozen=True)
class CasePlan:
    """One historic application with all its moments; the writer keeps those before the load."""

    key: str
    slug: str
    channel: str
    person: Person | None  # None: an anonymous report
    received: dt.datetime
    review: dt.datetime
    request: tuple[dt.datetime, dt.datetime] | None  # asked, answered
    decided: dt.datetime
    closed: dt.datetime
    withdrawn: dt.datetime | None
    outcome: str
    answers: dict


def case_plans(*, channels: dict[str, list[str]], today: dt.date) -> list[CasePlan]:
    """The history's applications in the order of receipt, up to the day before ``today``, with
    their keys numbered in that order.

    Drawn with a fixed seed, so the same services and day give the same plans. ``channels``:
    the channels each service offers, by slug (the services the history may use)."""
    spread = random.Random(SEED)  # noqa: S311 - deterministic, not secret: the same demo everywhere
    start = today - dt.timedelta(days=HISTORY_DAYS)
    points = sorted(_rising(spread) for _ in range(CASES))
    plans = []
    for number, (point, online) in enumerate(zip(points, _online(spread, points), strict=True)):
        # one generator per application: a weekend or holiday moving one moment does not
        # change the others, so the history looks alike whatever day it is loaded
        rng = random.Random(f"{SEED}:{number}")  # noqa: S311
        channel = Channel.ONLINE if online else _offline(rng)
        slugs = [slug for slug in channels if channel in channels[slug]] or list(channels)
        slug = rng.choices(slugs, weights=[SERVICES[s][0] for s in slugs])[0]
        if channel not in channels[slug]:
            channel = Channel.ONLINE
        received = received_at(rng, start + dt.timedelta(days=int(point * HISTORY_DAYS)), channel, today)
        plans.append(_plan(rng, slug, channel, _applicant(rng, slug, channel), received, point))
    plans.sort(key=lambda plan: plan.received)
    return [replace(plan, key=f"{KEY_PREFIX}{number:03d}") for number, plan in enumerate(plans, start=1)]


def _rising(rng: random.Random, slope: float = 0.5) -> float:
    """A point in [0, 1) with a density rising linearly (a few more applications each month)."""
    u = rng.random()
    return (-1 + math.sqrt(1 + 2 * slope * u * (1 + slope / 2))) / slope


def _online(rng: random.Random, points: list[float]) -> list[bool]:
    """Which applications came online: as many as the rising share expects up to each point, give
    or take one (error diffusion), so every month shows the trend and not the dice."""
    expected, taken, online = 0.0, 0, []
    for point in points:
        expected += ONLINE_THEN + (ONLINE_NOW - ONLINE_THEN) * point
        now_online = expected - taken >= rng.uniform(0.2, 0.8)
        taken += now_online
        online.append(now_online)
    return online


def _offline(rng: random.Random) -> str:
    return rng.choices(list(OFFLINE), weights=list(OFFLINE.values()))[0]


def _applicant(rng: random.Random, slug: str, channel: str) -> Person | None:
    """Online a demo citizen (a defect mostly reported anonymously); offline now and then a
    citizen, mostly a person without an account."""
    if channel == Channel.ONLINE:
        if slug == "maengelmelder" and rng.random() < 0.6:
            return None
        return rng.choices(CITIZENS, weights=[55, 45])[0]
    return rng.choice(CITIZENS) if rng.random() < 0.25 else rng.choice(OTHERS)


def _plan(rng, slug, channel, person, received, point) -> CasePlan:
    """Review within a working day, a decision after about the service's usual time (shorter later
    in the year); with an information request, the applicant's time to answer comes on top."""
    review = office_moment(received + dt.timedelta(hours=rng.uniform(0.5, 20)), rng)
    speed = SPEED_THEN + (SPEED_NOW - SPEED_THEN) * point
    days = SERVICES[slug][1] * speed * rng.lognormvariate(0, 0.45)
    due = received + dt.timedelta(days=max(days, 0.2))
    request = None
    if rng.random() < REQUEST_SHARE.get(slug, 0.1):
        asked = office_moment(review + max(due - review, dt.timedelta(hours=4)) * rng.uniform(0.2, 0.5), rng)
        answered = _minute(asked + dt.timedelta(days=rng.uniform(2, 16)))
        request = (asked, answered)
        due = answered + max(due - asked, dt.timedelta(hours=2))
    decided = office_moment(max(due, review + dt.timedelta(hours=1)), rng)
    withdrawn = None
    if request is None and person is not None and rng.random() < 0.03:
        withdrawn = _minute(received + (decided - received) * rng.uniform(0.2, 0.8))
    return CasePlan(
        key="",
        slug=slug,
        channel=channel,
        person=person,
        received=received,
        review=review,
        request=request,
        decided=decided,
        closed=office_moment(decided + dt.timedelta(days=rng.uniform(30, 45)), rng),
        withdrawn=withdrawn,
        outcome=rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0],
        answers=ANSWERS[slug](rng, person, received.astimezone(BERLIN).date()),
    )


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


# --- timeline: what had happened by the load ------------------------------------------------------


@dataclass
class _Timeline:
    """The case's clocks and timeline entries after the plan's steps before the load."""

    state: str = CaseState.RECEIVED
    entered: dt.datetime | None = None  # when the case entered its state
    decided_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    waiting_since: dt.datetime | None = None
    waiting_seconds: int = 0
    assigned: bool = False
    answered: bool = False
    events: list[dict] = field(default_factory=list)


def _timeline(plan: CasePlan, now: dt.datetime, *, applicant, assignee) -> _Timeline:
    """Take the plan's steps that lie before ``now`` as the workflow services would have: the
    waiting time of an answered request is added up, a request still open keeps the clock
    stopped (``waiting_since``)."""
    steps = [(plan.review, "review")]
    if plan.request:
        steps += [(plan.request[0], "ask"), (plan.request[1], "answer")]
    steps += [(plan.decided, "decide"), (plan.closed, "close")]
    if plan.withdrawn is not None:
        steps = [s for s in steps if s[0] < plan.withdrawn] + [(plan.withdrawn, "withdraw")]
    line = _Timeline(entered=plan.received)
    for moment, step in steps:
        if moment > now:
            break
        _step(line, plan, moment, step, applicant=applicant, assignee=assignee)
    return line


def _step(line: _Timeline, plan: CasePlan, moment, step: str, *, applicant, assignee) -> None:
    kind, target = STEPS[step]
    if step == "review" and assignee is not None:
        line.assigned = True
        line.events.append(
            {"created_at": moment, "kind": EventKind.ASSIGNED, "actor": assignee, "public": False}
        )
    line.events.append(
        {
            "created_at": moment,
            "kind": kind,
            "actor": applicant if step in ("answer", "withdraw") else assignee,
            "message": _message(plan, step),
            "from_state": line.state,
            "to_state": target,
        }
    )
    _enter(line, target, moment)


def _enter(line: _Timeline, target: str, moment: dt.datetime) -> None:
    """Keep the clocks as the workflow services do on entering a state: leaving a waiting state
    adds the time waited, entering one starts it, a decision and a final state are recorded."""
    if STATES[line.state] == StateKind.WAITING:
        line.waiting_seconds += int(moment.timestamp() - line.waiting_since.timestamp())
        line.waiting_since, line.answered = None, True
    kind = STATES[target]
    if kind == StateKind.WAITING:
        line.waiting_since = moment
    elif kind == StateKind.DECISION:
        line.decided_at = moment
    elif kind == StateKind.FINAL:
        line.closed_at = moment
    line.state, line.entered = target, moment


def _message(plan: CasePlan, step: str) -> str:
    if step == "ask":
        return _request(plan)
    if step == "decide":
        return DECISIONS[plan.outcome] + DECISION_SOURCE
    return ""


def _request(plan: CasePlan) -> str:
    return REQUESTS.get(plan.slug, REQUEST_DEFAULT)


# --- writing ------------------------------------------------------------------------------------------


class _CaseWriter:
    """Writes planned applications in bulk: submissions, cases, timelines, requests and notes."""

    def __init__(self, forms: dict[str, FormVersion], now: dt.datetime):
        self.forms, self.now = forms, now
        self.citizens = {u.email: u for u in User.objects.filter(email__in=[p.email for p in CITIZENS])}
        if len(self.citizens) != len(CITIZENS):
            raise ImproperlyConfigured("The case history needs the demo citizens.")
        self.caseworkers: dict[int, User] = {}
        roles = StaffRole.objects.filter(kind=StaffRoleKind.CASEWORKER, department__isnull=False)
        for role in roles.select_related("user").order_by("id"):
            self.caseworkers.setdefault(role.department_id, role.user)
        administrator = (
            StaffRole.objects.filter(kind=StaffRoleKind.ADMINISTRATOR).select_related("user").first()
        )
        if administrator is None:
            raise ImproperlyConfigured("The case history needs the demo administrator.")
        self.importer = administrator.user

    def write(self, plans: list[CasePlan]) -> int:
        submissions = [self._submission(plan) for plan in plans]
        Submission.objects.bulk_create(submissions)
        built = [self._case(plan, submission) for plan, submission in zip(plans, submissions, strict=True)]
        Case.objects.bulk_create([case for case, _line in built])
        self._timelines(plans, built)
        return len(built)

    def _service(self, plan: CasePlan):
        return self.forms[plan.slug].definition.service

    def _applicant(self, plan: CasePlan) -> User | None:
        return self.citizens[plan.person.email] if plan.person and plan.person.citizen else None

    def _entrant(self, plan: CasePlan) -> User | None:
        """Who entered an offline application: a caseworker of the department, else the
        administrator who ran the takeover."""
        if plan.channel == Channel.ONLINE:
            return None
        return self.caseworkers.get(self._service(plan).department_id, self.importer)

    def _submission(self, plan: CasePlan) -> Submission:
        applicant = self._applicant(plan)
        online_login = applicant is not None and plan.channel == Channel.ONLINE
        submission = Submission(
            form_version=self.forms[plan.slug],
            data=plan.answers,
            applicant=applicant,
            channel=plan.channel,
            entered_by=self._entrant(plan),
            contact_email=plan.person.email if plan.person else "",
            trust_level=(self._service(plan).min_trust_level or TrustLevel.BASIC) if online_login else "",
            idempotency_key=plan.key,
            created_at=plan.received,
        )
        submission.full_clean(exclude=["form_version", "applicant", "entered_by"], validate_unique=False)
        return submission

    def _case(self, plan: CasePlan, submission: Submission) -> tuple[Case, _Timeline]:
        """The case as it stood at the load; its reference is allocated last, in receipt order."""
        service = self._service(plan)
        assignee = self.caseworkers.get(service.department_id)
        line = _timeline(plan, self.now, applicant=self._applicant(plan), assignee=assignee)
        days = workflow_for_service(service).deadline_days(line.state)
        due = None
        if service.processing_days:
            due = end_of_working_day(plan.received, service.processing_days).astimezone(dt.UTC)
        case = Case(
            service=service,
            submission=submission,
            department=service.department,
            applicant=submission.applicant,
            channel=plan.channel,
            state=line.state,
            assigned_to=assignee if line.assigned else None,
            created_at=plan.received,
            # the processing deadline does not run while the city waits for the applicant
            due_at=due + dt.timedelta(seconds=line.waiting_seconds) if due else None,
            state_due_at=line.entered.astimezone(dt.UTC) + dt.timedelta(days=days) if days else None,
            decided_at=line.decided_at,
            closed_at=line.closed_at,
            waiting_since=line.waiting_since,
            waiting_seconds=line.waiting_seconds,
            fee=compute_fee(service, plan.answers),
            version=len(line.events),
        )
        case.full_clean(
            exclude=["reference", "service", "submission", "department", "applicant", "assigned_to"],
            validate_unique=False,
        )
        case.reference = reference_allocate(year=plan.received.astimezone(BERLIN).year)
        return case, line

    def _timelines(self, plans: list[CasePlan], built: list[tuple[Case, _Timeline]]) -> None:
        events, requests = [], []
        for plan, (case, line) in zip(plans, built, strict=True):
            events.append(
                CaseEvent(
                    case=case,
                    created_at=plan.received,
                    kind=EventKind.RECEIVED,
                    actor=self._entrant(plan) or case.applicant,
                    message=IMPORTED,
                    to_state=CaseState.RECEIVED,
                )
            )
            events += [CaseEvent(case=case, **event) for event in line.events]
            if plan.request and plan.request[0] <= self.now:
                requests.append(self._information_request(plan, case, line))
        CaseEvent.objects.bulk_create(events)
        InformationRequest.objects.bulk_create(requests)
        note = IMPORT_NOTE.format(day=timezone.localtime(self.now, BERLIN))
        CaseNote.objects.bulk_create(
            CaseNote(case=case, text=note, created_at=self.now) for case, _line in built
        )

    def _information_request(self, plan: CasePlan, case: Case, line: _Timeline) -> InformationRequest:
        asked, answered = plan.request
        return InformationRequest(
            case=case,
            requested_by=case.assigned_to,
            message=_request(plan),
            requested_at=asked,
            answer=ANSWER if line.answered else "",
            answered_at=answered if line.answered else None,
        )
