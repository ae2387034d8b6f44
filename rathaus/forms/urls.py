from django.urls import path

from . import views

app_name = "forms"

urlpatterns = [
    path("verwaltung/<slug:service_slug>/formular/", views.editor, name="editor"),
    path("verwaltung/<slug:service_slug>/formular/pruefen/", views.editor_validate, name="editor_validate"),
    path(
        "verwaltung/<slug:service_slug>/formular/<int:number>/veroeffentlichen/",
        views.editor_publish,
        name="editor_publish",
    ),
    path("datei/<uuid:upload_id>/", views.upload_download, name="upload_download"),
    path("entwurf/<uuid:draft_id>/", views.resume, name="resume"),
    path("entwurf/<uuid:draft_id>/zusammenfassung/", views.summary, name="summary"),
    path("entwurf/<uuid:draft_id>/zusammenfassung/fuer-wen/", views.applying_for, name="applying_for"),
    path("entwurf/<uuid:draft_id>/verwerfen/", views.discard, name="discard"),
    path("entwurf/<uuid:draft_id>/hochladen/<slug:field_name>/", views.upload, name="upload"),
    path("entwurf/<uuid:draft_id>/<slug:step_id>/", views.step, name="step"),
    path("entwurf/<uuid:draft_id>/<slug:step_id>/speichern/", views.autosave, name="autosave"),
    path("<slug:service_slug>/", views.start, name="start"),
]
