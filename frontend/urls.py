from django.urls import path

from . import views, views_ranking

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("me/points/", views.points, name="points"),
    path("me/points/ranking/", views_ranking.ranking, name="ranking"),
]
