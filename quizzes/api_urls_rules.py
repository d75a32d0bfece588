"""API rows: drawing rules and publishing papers (joined in quizzes.api_urls)."""

from django.urls import path

from . import api_rules

urlpatterns = [
    path("papers/check/", api_rules.PaperCheckView.as_view(), name="paper-check"),
    path("papers/facets/", api_rules.PaperFacetsView.as_view(), name="paper-facets"),
    path("quizzes/<int:pk>/publish/", api_rules.QuizPublishView.as_view(), name="quiz-publish"),
    path(
        "quizzes/<int:pk>/unpublish/",
        api_rules.QuizUnpublishView.as_view(),
        name="quiz-unpublish",
    ),
]
