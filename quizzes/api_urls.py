"""The quizzes app's authoring API rows (banks, questions, drawing rules, lecture
practice), joined into ``/api/v1/`` by ``backend.urls``. Each part keeps its rows in
its own module."""

from . import api_urls_banks, api_urls_lectures, api_urls_questions, api_urls_rules

urlpatterns = [
    *api_urls_banks.urlpatterns,
    *api_urls_questions.urlpatterns,
    *api_urls_rules.urlpatterns,
    *api_urls_lectures.urlpatterns,
]
