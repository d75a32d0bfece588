"""API rows: questions (joined in quizzes.api_urls)."""

from django.urls import path

from . import api_questions

urlpatterns = [
    path("questions/", api_questions.QuestionListView.as_view(), name="question-list"),
    path(
        "lectures/<int:pk>/passages/",
        api_questions.LecturePassagesView.as_view(),
        name="lecture-passages",
    ),
]
