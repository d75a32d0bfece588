"""Pages of the explanations (说明), included by backend/urls.py."""

from django.urls import path

from . import views_explanations as views

app_name = "explanations"

urlpatterns = [
    path("supervision/explanations/", views.explanation_list, name="list"),
    path("supervision/explanations/<int:pk>/", views.explanation_page, name="detail"),
    path(
        "supervision/explanations/files/<int:pk>/<str:name>",
        views.explanation_file,
        name="file",
    ),
]
