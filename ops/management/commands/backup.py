from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) and the "
        "attachments under MEDIA_ROOT into one .tar.gz with a manifest. Safe while the server runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="Folder the archive is written to (default: var/backups).",
        )

    def handle(self, *args, **options) -> None:
        try:
            archive = create_backup(Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("备份完成：%(path)s") % {"path": archive})
