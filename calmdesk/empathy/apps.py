from django.apps import AppConfig


class EmpathyConfig(AppConfig):
    """The desk side of the empathy engine: readings kept beside messages, the live
    reply coach, cool-down, reproduction records and the call nudge (F1–F8)."""

    name = "calmdesk.empathy"
    label = "empathy"

    def ready(self) -> None:
        from calmdesk.empathy import erasure  # noqa: F401  (registers its receiver)
