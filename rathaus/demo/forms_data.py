"""The demo's online forms: every definition in ``rathaus/forms/definitions`` is published for the
demo service of the same slug, and the residents' parking permit gets its own notice (Bescheid).

Publishing goes through the forms app's services, which also record the service's capabilities,
so the catalogue shows the OZG maturity the forms really reach. Idempotent: a service that
already has a published form version (or a workflow of its own) is left alone, so a second run
finds everything and writes nothing; forms edited by staff are never overwritten.
"""

from __future__ import annotations

import copy

from django.db import transaction

# The parking permit's notice: a Django template (see rathaus.cases.services._notice_context for
# what is available); always German, as the official language of the letter.
PARKING_NOTICE_TEMPLATE = """<h1>Bescheid über die Erteilung eines Bewohnerparkausweises</h1>
<p class="meta">Aktenzeichen: <strong>{{ case.reference }}</strong><br>
Datum: {{ decided_at|date:"d.m.Y" }}<br>
Leistung: {{ service.name }}</p>
{% if applicant_name %}<p>Sehr geehrte/r {{ applicant_name }},</p>{% else %}<p>Sehr geehrte Damen und Herren,</p>{% endif %}
<p>über Ihren Antrag vom {{ case.created_at|date:"d.m.Y" }} auf Erteilung eines Bewohnerparkausweises
(Aktenzeichen {{ case.reference }}) entscheidet die Stadt Regensburg wie folgt:</p>
<p class="outcome"><strong>{{ outcome_label }}</strong></p>
{% if outcome != "refused" %}
<p>Der Bewohnerparkausweis wird für die Bewohnerparkzone Ihrer Anschrift
{% if answers.address %}({{ answers.address.street }}, {{ answers.address.postal_code }} {{ answers.address.city }}){% endif %}
erteilt{% if answers.valid_from %} und gilt ab dem {{ answers.valid_from|slice:"8:10" }}.{{ answers.valid_from|slice:"5:7" }}.{{ answers.valid_from|slice:":4" }}{% endif %}
{% if answers.duration == "2y" %}für zwei Jahre{% else %}für ein Jahr{% endif %}.
{% if answers.vehicles %}Er berechtigt zum Parken mit jeweils einem der folgenden Fahrzeuge:
{% for vehicle in answers.vehicles %}{{ vehicle.plate }}{% if not forloop.last %}, {% endif %}{% endfor %}.{% endif %}</p>
<p>Der Ausweis ist gut sichtbar hinter der Windschutzscheibe auszulegen. Er berechtigt nicht zum
Parken in anderen Zonen und begründet keinen Anspruch auf einen freien Parkplatz. Ändern sich Ihr
Wohnsitz oder Ihr Fahrzeug, teilen Sie uns dies bitte unverzüglich mit; der Ausweis ist dann
zurückzugeben.</p>
{% endif %}
<h2>Gründe</h2>
<p>{{ reasoning|linebreaksbr }}</p>
<p>Rechtsgrundlage ist § 45 Abs. 1b Satz 1 Nr. 2a der Straßenverkehrs-Ordnung (StVO) in Verbindung
mit der Bewohnerparkgebührenverordnung der Stadt Regensburg.</p>
{% if case.fee %}<h2>Kosten</h2>
<p>Für diesen Bescheid wird eine Gebühr von {{ case.fee }} EUR erhoben. Sie wird mit dem erteilten
SEPA-Lastschriftmandat eingezogen.</p>{% endif %}
<h2>Rechtsbehelfsbelehrung</h2>
<p>Gegen diesen Bescheid (Aktenzeichen {{ case.reference }}) kann innerhalb eines Monats nach seiner
Bekanntgabe Klage erhoben werden bei dem Bayerischen Verwaltungsgericht Regensburg, Haidplatz 1,
93047 Regensburg, schriftlich, zur Niederschrift des Urkundsbeamten der Geschäftsstelle oder
elektronisch in einer für den Schriftformersatz zugelassenen Form. Die Klage muss den Kläger, den
Beklagten (Stadt Regensburg) und den Gegenstand des Klagebegehrens bezeichnen und soll einen
bestimmten Antrag enthalten.</p>
<p class="small">Hinweise: Durch das Gesetz zur Ausführung der Verwaltungsgerichtsordnung ist das
Widerspruchsverfahren in Bayern in diesem Rechtsbereich abgeschafft. Die Einlegung eines
Rechtsbehelfs per einfacher E-Mail ist nicht zugelassen und entfaltet keine rechtlichen Wirkungen.
Kraft Bundesrechts wird in Prozessverfahren vor den Verwaltungsgerichten infolge der Klageerhebung
eine Verfahrensgebühr fällig.</p>
<p>Mit freundlichen Grüßen<br>{{ department.name }}</p>
"""

# slug of a demo service → its own notice template
NOTICE_TEMPLATES = {"bewohnerparkausweis": PARKING_NOTICE_TEMPLATE}


@transaction.atomic
def load_forms() -> dict[str, int]:
    """Publish the shipped form definitions for the demo services that have no published form
    yet, and give the services in ``NOTICE_TEMPLATES`` their own notice. Returns what was new."""
    from rathaus.cases.models import ServiceWorkflow
    from rathaus.cases.workflow import DEFAULT_WORKFLOW
    from rathaus.catalog.models import Service
    from rathaus.forms import definitions
    from rathaus.forms.models import FormVersion
    from rathaus.forms.services import form_definition_ensure, form_version_publish, form_version_save

    created = {"forms": 0, "notice_templates": 0}
    names = definitions.names()
    services = {
        service.slug: service for service in Service.objects.filter(slug__in=[*names, *NOTICE_TEMPLATES])
    }
    published = set(
        FormVersion.objects.filter(
            definition__service__slug__in=names, published_at__isnull=False
        ).values_list("definition__service__slug", flat=True)
    )
    for name in names:
        service = services.get(name)
        if service is None or name in published:
            continue
        # acting_user None: the system itself publishes (no member of staff is involved).
        definition = form_definition_ensure(acting_user=None, service=service)
        version = form_version_save(acting_user=None, definition=definition, schema=definitions.load(name))
        form_version_publish(acting_user=None, version=version)
        created["forms"] += 1
    with_workflow = set(
        ServiceWorkflow.objects.filter(service__slug__in=NOTICE_TEMPLATES).values_list(
            "service__slug", flat=True
        )
    )
    for slug, template in NOTICE_TEMPLATES.items():
        service = services.get(slug)
        if service is None or slug in with_workflow:
            continue
        workflow = ServiceWorkflow(
            service=service, definition=copy.deepcopy(DEFAULT_WORKFLOW), notice_template=template
        )
        workflow.full_clean()
        workflow.save()
        created["notice_templates"] += 1
    return created
