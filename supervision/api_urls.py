"""/api/v1/ routes of the quarterly assessment (listed flat in backend/urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("assessments/", api.AssessmentListView.as_view(), name="assessment-list"),
    path(
        "assessments/<str:quarter>/",
        api.AssessmentDetailView.as_view(),
        name="assessment-detail",
    ),
    path(
        "assessments/<str:quarter>/publish/",
        api.AssessmentPublishView.as_view(),
        name="assessment-publish",
    ),
]
