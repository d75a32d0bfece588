"""API rows: banks (joined in quizzes.api_urls)."""

urlpatterns = []
