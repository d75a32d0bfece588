"""Pages of the quarterly assessment (included by backend/urls.py)."""

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("supervision/assessments/", views.assessment_list, name="list"),
    path("supervision/assessments/indicators/", views.indicators_page, name="indicators"),
    path("supervision/assessments/<str:quarter>/", views.assessment_detail, name="detail"),
    path(
        "supervision/assessments/<str:quarter>/publish/",
        views.assessment_publish,
        name="publish",
    ),
]
