"""Guidelines, fields of action, measures, proposals and versions (namespace ``strategy``)."""

from django.urls import path

from .views import structure as views

urlpatterns = [
    path("leitsaetze/", views.guidelines, name="guidelines"),
    path("handlungsfelder/", views.fields, name="fields"),
    path("handlungsfelder/<int:pk>/", views.field_detail, name="field_detail"),
    path("massnahmen/", views.measures, name="measures"),
    path("massnahmen/neu/", views.measure_new, name="measure_new"),
    path("massnahmen/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("massnahmen/<int:pk>/bearbeiten/", views.measure_edit, name="measure_edit"),
    path("massnahmen/<int:pk>/abhaengigkeiten/", views.measure_dependencies, name="measure_dependencies"),
    path("vorschlaege/", views.proposals, name="proposals"),
    path("vorschlaege/neu/", views.proposal_new, name="proposal_new"),
    path("vorschlaege/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("vorschlaege/<int:pk>/annehmen/", views.proposal_accept, name="proposal_accept"),
    path("vorschlaege/<int:pk>/zusammenfuehren/", views.proposal_merge, name="proposal_merge"),
    path("vorschlaege/<int:pk>/ablehnen/", views.proposal_reject, name="proposal_reject"),
    path("versionen/", views.versions, name="versions"),
    path("versionen/neu/", views.version_new, name="version_new"),
    path("versionen/<int:a>/aktuell/", views.version_diff_current, name="version_diff_current"),
    path("versionen/<int:a>/<int:b>/", views.version_diff, name="version_diff"),
]
