from django.urls import path

from . import api

urlpatterns = [
    path("submissions/", api.SubmissionCreateView.as_view(), name="api-submission-create"),
    path("submissions/check/", api.SubmissionCheckView.as_view(), name="api-submission-check"),
    path("mine/", api.ApplicantCaseListView.as_view(), name="api-my-cases"),
    path("mine/<str:reference>/", api.ApplicantCaseDetailView.as_view(), name="api-my-case"),
    path(
        "mine/<str:reference>/documents/<int:pk>/file/",
        api.ApplicantDocumentFileView.as_view(),
        name="api-my-case-document",
    ),
    path("inbox/", api.StaffCaseListView.as_view(), name="api-inbox"),
    path("inbox/<str:reference>/", api.StaffCaseDetailView.as_view(), name="api-inbox-case"),
    path(
        "inbox/<str:reference>/transition/",
        api.StaffCaseTransitionView.as_view(),
        name="api-inbox-transition",
    ),
    path("inbox/<str:reference>/claim/", api.StaffCaseClaimView.as_view(), name="api-inbox-claim"),
    path("inbox/<str:reference>/assign/", api.StaffCaseAssignView.as_view(), name="api-inbox-assign"),
    path(
        "inbox/<str:reference>/documents/<int:pk>/file/",
        api.StaffDocumentFileView.as_view(),
        name="api-inbox-document",
    ),
]
