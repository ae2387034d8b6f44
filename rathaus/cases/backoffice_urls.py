from django.urls import path

from . import backoffice_views as views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("zuweisen/", views.bulk_assign, name="bulk_assign"),
    path("erfassen/", views.counter_intake, name="counter_intake"),
    path("webhooks/", views.webhook_failures, name="webhook_failures"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/schritt/", views.transition, name="transition"),
    path("<str:reference>/uebernehmen/", views.claim, name="claim"),
    path("<str:reference>/zuweisen/", views.assign, name="assign"),
    path("<str:reference>/notiz/", views.note_add, name="note"),
    path("<str:reference>/nachricht/", views.message_send, name="message"),
    path("<str:reference>/nachforderung/", views.information_request, name="information_request"),
    path(
        "<str:reference>/nachforderung/<int:pk>/antwort/",
        views.information_reply_record,
        name="information_reply",
    ),
    path("<str:reference>/entscheiden/", views.decide, name="decide"),
    path("<str:reference>/dokumente/<int:pk>/", views.document_download, name="document"),
    path("<str:reference>/anlagen/<uuid:upload_id>/", views.upload_download, name="upload"),
    path("<str:reference>/webhooks/<int:pk>/erneut/", views.webhook_resend, name="webhook_resend"),
]
