from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "calmdesk.api"
    label = "api"

    def ready(self) -> None:
        from calmdesk.api import webhooks  # noqa: F401  (its periodic job)
