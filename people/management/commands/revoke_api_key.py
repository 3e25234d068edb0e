from django.core.management.base import BaseCommand, CommandError

from people.apikeys import revoke_api_key


class Command(BaseCommand):
    help = "Revoke an API key by name. 吊销接口密钥。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")

    def handle(self, *args, name: str, **options) -> None:
        if not revoke_api_key(name):
            raise CommandError(f"没有名为“{name}”的有效密钥 (no active key with this name)")
        self.stdout.write(f"已吊销：{name}")
