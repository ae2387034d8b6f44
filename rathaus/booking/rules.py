"""Who may book, see and manage what.

A resource says who may book it (``Audience``): everyone with an account, members of an
organisation such as a sports club, or staff only. Staff of the resource's department may do
everything with its bookings; a booking is otherwise seen and cancelled by the person who booked
it and, for an organisation's booking, by the organisation's members.
"""

from __future__ import annotations

import rules

from rathaus.cases.rules import department_role_ids

from .constants import Audience

__all__ = ["can_book_resource", "is_booking_party", "is_booking_staff", "is_resource_staff"]


@rules.predicate
def is_resource_staff(user, resource) -> bool:
    return resource is not None and resource.department_id in department_role_ids(user)


def _is_organisation_member(user) -> bool:
    cached = getattr(user, "_booking_is_member", None)
    if cached is None:
        cached = user.organisation_memberships.exists()
        user._booking_is_member = cached
    return cached


@rules.predicate
def can_book_resource(user, resource) -> bool:
    if resource is None or not user.is_authenticated or not resource.is_active:
        return False
    if is_resource_staff(user, resource):
        return True
    if resource.audience == Audience.PUBLIC:
        return True
    if resource.audience == Audience.ORGANISATIONS:
        return _is_organisation_member(user)
    return False


@rules.predicate
def is_booking_party(user, booking) -> bool:
    """The booker, or a member of the organisation the booking was made for."""
    if booking is None or not user.is_authenticated:
        return False
    if booking.booked_by_id == user.pk:
        return True
    return (
        bool(booking.organisation_id)
        and user.organisation_memberships.filter(organisation_id=booking.organisation_id).exists()
    )


@rules.predicate
def is_booking_staff(user, booking) -> bool:
    return booking is not None and booking.resource.department_id in department_role_ids(user)


rules.add_perm("booking.book_resource", can_book_resource)
rules.add_perm("booking.view_booking", is_booking_party | is_booking_staff)
rules.add_perm("booking.cancel_booking", is_booking_party | is_booking_staff)
rules.add_perm("booking.manage_resource", is_resource_staff)


@rules.predicate
def is_enrollment_person(user, enrollment) -> bool:
    return enrollment is not None and user.is_authenticated and enrollment.person_id == user.pk


@rules.predicate
def is_course_staff(user, course) -> bool:
    return course is not None and course.department_id in department_role_ids(user)


@rules.predicate
def is_enrollment_staff(user, enrollment) -> bool:
    return enrollment is not None and is_course_staff(user, enrollment.course)


rules.add_perm("booking.view_enrollment", is_enrollment_person | is_enrollment_staff)
rules.add_perm("booking.cancel_enrollment", is_enrollment_person | is_enrollment_staff)
rules.add_perm("booking.manage_course", is_course_staff)
