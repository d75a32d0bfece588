"""/api/v1/ routes of organisational life (included by backend/urls.py)."""

from django.urls import path

from . import api, api_compliance, api_me

urlpatterns = [
    path("sessions/", api.SessionListView.as_view(), name="session-list"),
    path("sessions/<int:pk>/", api.SessionDetailView.as_view(), name="session-detail"),
    path("me/orglife/", api_me.MyOrglifeView.as_view(), name="me-orglife"),
    path("compliance/", api_compliance.ComplianceView.as_view(), name="compliance"),
]
