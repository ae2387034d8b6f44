from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (url name, label, permission); a section whose page does not exist is left out.
SECTIONS = [
    ("strategy:dashboard", _("Dashboard"), "strategy.view_cockpit"),
    ("strategy:guidelines", _("Guidelines"), "strategy.view_cockpit"),
    ("strategy:measures", _("Measures"), "strategy.view_cockpit"),
    ("strategy:proposals", _("Proposals"), "strategy.propose_measure"),
    ("strategy:ranking", _("Evaluation"), "strategy.evaluate"),
    ("strategy:plans", _("Measures plan"), "strategy.view_cockpit"),
    ("strategy:portfolio", _("Projects"), "strategy.view_cockpit"),
    ("strategy:kpis", _("Key figures"), "strategy.view_cockpit"),
    ("strategy:reports", _("Status reports"), "strategy.view_cockpit"),
    ("strategy:versions", _("Versions"), "strategy.view_cockpit"),
]


@register.inclusion_tag("strategy/_nav.html", takes_context=True)
def strategy_nav(context):
    request = context["request"]
    items = []
    for name, label, perm in SECTIONS:
        if not request.user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        dashboard = reverse_or_none("strategy:dashboard")
        current = request.path == url or (url != dashboard and request.path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    return {"items": items}


def reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None
