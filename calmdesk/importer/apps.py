from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "calmdesk.importer"
    label = "importer"
