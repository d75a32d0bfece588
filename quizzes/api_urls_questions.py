"""API rows: questions (joined in quizzes.api_urls)."""

urlpatterns = []
