from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "calmdesk.mail"
    label = "mail"

    def ready(self) -> None:
        # Registers checks, receivers and the system-mail job.
        from calmdesk.mail import checks, erasure, systemmail  # noqa: F401
