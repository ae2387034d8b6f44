from django.urls import path

from . import views

app_name = "mailbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("ungelesen/", views.unread, name="unread"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/antworten/", views.reply, name="reply"),
]
