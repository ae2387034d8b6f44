from django.urls import path

from . import api

urlpatterns = [
    path("services/<slug:slug>/", api.FormVersionView.as_view(), name="api-form"),
    path("services/<slug:slug>/uploads/", api.UploadCreateView.as_view(), name="api-form-upload"),
]
