from django.urls import path

from calmdesk.empathy import views

urlpatterns = [
    path("c/<int:pk>/coach/", views.coach, name="conversation_coach"),
    path("c/<int:pk>/coach/dismiss/", views.dismiss, name="conversation_coach_dismiss"),
    path("c/<int:pk>/reproduction/", views.reproduction, name="conversation_reproduction"),
    path("c/<int:pk>/call/", views.log_call, name="conversation_call"),
]
