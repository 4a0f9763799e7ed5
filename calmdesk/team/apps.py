"""The team (F11, F16): emotional load, the gratitude wall, satisfaction ratings and the
reports, read from rollups the worker keeps."""

from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "calmdesk.team"
    label = "team"

    def ready(self) -> None:
        from calmdesk.desk.reply_footers import register_footer
        from calmdesk.team import (  # noqa: F401  (their periodic jobs and receivers)
            gratitude,
            health,
            kept_load,
            rollups,
        )
        from calmdesk.team.ratings import rating_footer

        register_footer("ratings", rating_footer)
