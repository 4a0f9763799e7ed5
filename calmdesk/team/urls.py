from django.urls import path

from calmdesk.team.views import conversation, health, ratings, reports

urlpatterns: list = [
    path("reports/", reports.reports, name="reports"),
    path("reports/export.csv", reports.reports_csv, name="reports_csv"),
    path("team/", health.team, name="team"),
    path("team/me/", health.me, name="team_me"),
    path("team/me/settings/", health.team_settings, name="team_settings"),
    path("team/wall/", health.wall, name="team_wall"),
    path("team/thanks/<int:pk>/pin/", health.pin, name="team_pin"),
    path("team/loads/<int:pk>/", health.assign_loads, name="team_loads"),
    path(
        "c/<int:pk>/ratings/",
        conversation.conversation_ratings,
        name="conversation_ratings",
    ),
    path("rate/<str:token>/", ratings.rate, name="rate"),
    path("rate/<str:token>/thanks/", ratings.rate_thanks, name="rate_thanks"),
]
