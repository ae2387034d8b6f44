from django import template

from ..workflow import workflow_for_service

register = template.Library()


@register.filter
def state_label(case) -> str:
    """The case's state in words, as its workflow names it."""
    return workflow_for_service(case.service).state_label(case.state)
