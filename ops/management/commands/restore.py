from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from ops.backup import SQLITE, BackupError, restore_backup, vendor_of


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into the configured database, which must hold "
        "no cases (--force overwrites one that does), and its attachments into MEDIA_ROOT. "
        "On SQLite stop the server first: the database file is replaced."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the database already holds cases: they are replaced.",
        )

    def handle(self, *args, **options) -> None:
        database = connections["default"].settings_dict
        try:
            vendor = vendor_of(database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not options["yes"]:
            if vendor == SQLITE:
                self.stdout.write(
                    _("SQLite：恢复会替换数据库文件 %(name)s，请先停止网站和后台任务。")
                    % {"name": database["NAME"]}
                )
            if options["force"]:
                self.stdout.write(_("--force：数据库中现有的数据将被备份中的数据覆盖。"))
            try:
                answer = input(_("确认恢复 %(archive)s？输入 yes 继续：") % options)
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError(_("已取消，没有恢复任何数据。"))
        try:
            restored = restore_backup(Path(options["archive"]), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "恢复完成并已核对：%(cases)s 件事项，%(events)s 条流转记录，%(files)s 个附件。"
                "如本版本有更新的迁移，请运行 manage.py migrate。"
            )
            % {"cases": restored.cases, "events": restored.events, "files": restored.files}
        )
