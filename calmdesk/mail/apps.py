from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "calmdesk.mail"
    label = "mail"
