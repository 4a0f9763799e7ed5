from django.core.management.base import BaseCommand

from calmdesk.desk.actions import recount_folders


class Command(BaseCommand):
    help = "Rebuild the inbox's folder counts from the conversations (after a bulk import)."

    def handle(self, *args, **options):
        recount_folders()
        self.stdout.write("folder counts rebuilt")
