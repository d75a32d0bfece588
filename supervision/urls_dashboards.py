"""Pages of the dashboards and reports (included by backend/urls.py)."""

from django.urls import path

from . import views_dashboard

app_name = "dashboards"

urlpatterns = [
    path("supervision/", views_dashboard.dashboard_page, name="dashboard"),
    path(
        "supervision/assessments/<str:quarter>/report/",
        views_dashboard.report_page,
        name="report",
    ),
]
