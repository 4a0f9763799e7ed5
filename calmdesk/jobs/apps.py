from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "calmdesk.jobs"
    label = "jobs"
