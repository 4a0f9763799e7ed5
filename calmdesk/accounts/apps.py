from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "calmdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Session ending and the account lock listen for every save and failed sign-in.
        from calmdesk.accounts import security  # noqa: F401
