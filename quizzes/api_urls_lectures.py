"""API rows: lectures (joined in quizzes.api_urls)."""

from django.urls import path

from . import api_lectures

urlpatterns = [
    path(
        "lectures/<int:pk>/practice/",
        api_lectures.LecturePracticeView.as_view(),
        name="lecture-practice",
    ),
]
