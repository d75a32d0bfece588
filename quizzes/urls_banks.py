"""Authoring pages: banks and their import with a preview (joined in quizzes.urls_authoring)."""

from django.urls import path

from . import views_banks

urlpatterns = [
    path("banks/", views_banks.bank_list, name="banks"),
    path("banks/<int:pk>/", views_banks.bank_detail, name="bank"),
    path("banks/<int:pk>/import/", views_banks.bank_import, name="bank_import"),
    path("imports/<int:pk>/", views_banks.import_preview, name="import_preview"),
]
