from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<uuid:draft_id>/absenden/", views.submit, name="submit"),
    path("eingereicht/<str:reference>/", views.submitted, name="submitted"),
    path(
        "eingereicht/<str:reference>/eingangsbestaetigung/", views.submitted_receipt, name="submitted_receipt"
    ),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/status/", views.case_status, name="status"),
    path("<str:reference>/dokumente/<int:pk>/", views.document_download, name="document"),
    path("<str:reference>/nachforderung/<int:pk>/", views.information_answer, name="answer"),
    path("<str:reference>/zurueckziehen/", views.withdraw, name="withdraw"),
]
