from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "calmdesk.mail"
    label = "mail"

    def ready(self) -> None:
        from calmdesk.mail import checks, erasure  # noqa: F401  (registers checks, receivers)
