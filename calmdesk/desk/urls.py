from django.urls import path

from calmdesk.desk import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
