from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from people.apikeys import create_api_key
from people.models import ApiKey, User


class Command(BaseCommand):
    help = (
        "Create an API key for another system (REST token and Open311 api_key). The key is printed "
        "alone on the last line and cannot be shown again. 为外部系统创建接口密钥。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="a unique name for the system, e.g. hotline-12345")
        parser.add_argument(
            "--user", help="act as this existing account (default: a new service account)"
        )

    def handle(self, *args, name: str, user: str | None = None, **options) -> None:
        name = name.strip()
        if not name:
            raise CommandError("名称不能为空 (name must not be empty)")
        if ApiKey.objects.filter(name=name).exists():
            raise CommandError(f"已存在同名密钥：{name} (a key with this name exists)")
        account = None
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户不存在：{user} (no such user)")
        try:
            key, raw = create_api_key(name, user=account)
        except IntegrityError as error:
            raise CommandError(f"无法创建密钥：{error}") from error
        self.stderr.write(
            f"已创建接口密钥“{key.name}”，服务账号 {key.user.username}。请妥善保存，密钥只显示这一次。"
        )
        self.stdout.write(raw)
