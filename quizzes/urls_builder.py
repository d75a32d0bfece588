"""Authoring pages: the quiz builder (组卷; joined in quizzes.urls_authoring)."""

from django.urls import path

from . import views_builder

urlpatterns = [
    path("quizzes/", views_builder.quiz_list, name="quizzes"),
    path("quizzes/new/", views_builder.quiz_new, name="quiz_new"),
    path("quizzes/<int:pk>/", views_builder.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:pk>/unpublish/", views_builder.quiz_unpublish, name="quiz_unpublish"),
]
