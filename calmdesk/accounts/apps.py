from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "calmdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Session ending and the account lock listen for every save and failed sign-in;
        # jobs registers the pruning of old notifications and system mail, presence that
        # of old presence rows.
        from calmdesk.accounts import jobs, presence, security  # noqa: F401
