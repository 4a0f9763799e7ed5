from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "calmdesk.problems"
    label = "problems"

    def ready(self) -> None:
        # Each registers its periodic job: tracker polling, and sending answer-all batches.
        from calmdesk.problems import answer, tracker_actions  # noqa: F401
