"""API rows: lectures (joined in quizzes.api_urls)."""

urlpatterns = []
