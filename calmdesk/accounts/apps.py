from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "calmdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Session ending and the account lock listen for every save and failed sign-in;
        # jobs registers the pruning of old notifications and system mail.
        from calmdesk.accounts import jobs, security  # noqa: F401
