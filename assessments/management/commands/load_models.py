from django.core.management.base import BaseCommand

from assessments.services import sync_library


class Command(BaseCommand):
    help = "Load the model files shipped in maturity/library into the database (new versions only)."

    def handle(self, *args, **options):
        added = sync_library()
        for v in added:
            self.stdout.write(f"{v.code} {v.version}: {v.item_count} items")
        self.stdout.write(self.style.SUCCESS(f"{len(added)} new model version(s)"))
