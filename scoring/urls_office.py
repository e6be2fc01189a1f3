from django.urls import path

from .views import evaluation_office

urlpatterns: list = [
    path("evaluation/", evaluation_office.evaluation, name="evaluation"),
]
