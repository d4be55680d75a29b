from django.core.management.base import BaseCommand

from incentives.demo import seed_programmes


class Command(BaseCommand):
    help = "Add the synthetic demo funding programmes for a province (skipped when some exist, unless --replace)."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36")
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, province, replace, **options):
        n = seed_programmes(province, replace=replace)
        self.stdout.write(f"demo programmes: {n} added")
