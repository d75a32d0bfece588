"""Authoring pages: questions (joined in quizzes.urls_authoring)."""

urlpatterns = []
