from django.urls import path

from calmdesk.api import views
from calmdesk.api.app import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("settings/api-tokens/", views.tokens, name="api_tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
