from django.urls import path

from . import views_record

app_name = "study_record"

urlpatterns = [
    path("me/record/", views_record.my_record, name="mine"),
    path("members/<int:pk>/record/", views_record.member_record, name="member"),
]
