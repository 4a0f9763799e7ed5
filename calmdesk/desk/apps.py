from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "calmdesk.desk"
    label = "desk"

    def ready(self) -> None:
        from calmdesk import checks  # noqa: F401  (registers the system checks)
        from calmdesk.desk import snooze  # noqa: F401  (registers the wake job)
