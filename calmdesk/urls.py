from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("calmdesk.accounts.urls")),
    path("", include("calmdesk.desk.urls")),
    path("", include("calmdesk.mail.urls")),
    path("", include("calmdesk.empathy.urls")),
    path("", include("calmdesk.problems.urls")),
    path("", include("calmdesk.team.urls")),
    path("", include("calmdesk.api.urls")),
]
