from django.urls import path

from . import views, views_results

app_name = "quizzes"

urlpatterns = [
    path("practice/", views.practice_hub, name="hub"),
    path("practice/daily/", views.daily_start, name="daily"),
    path("practice/special/", views.special_start, name="special"),
    path("practice/mistakes/", views.mistakes_start, name="mistakes_practice"),
    path("quizzes/<int:pk>/start/", views.quiz_start, name="start"),
    path("lectures/<int:pk>/practice/", views.lecture_practice, name="lecture_practice"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/review/", views.review_page, name="review"),
    path("me/results/", views.my_results, name="results"),
    path("me/mistakes/", views.my_mistakes, name="mistakes"),
    path("quizzes/results/", views_results.results_index, name="results_index"),
    path("quizzes/<int:pk>/results/", views_results.quiz_results_page, name="quiz_results"),
]
