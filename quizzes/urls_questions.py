"""Authoring pages: questions (joined in quizzes.urls_authoring)."""

from django.urls import path

from . import views_questions as views

urlpatterns = [
    path("banks/<int:pk>/questions/", views.bank_questions, name="bank_questions"),
    path("banks/<int:pk>/questions/new/", views.question_new, name="question_new"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/active/", views.question_active, name="question_active"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
]
