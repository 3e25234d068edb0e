"""``manage.py load_demo``: the demo county (德化县陶瓷产业链、虎踞镇、上埠镇) and a year of cases.

Building takes a minute or more, so each stage's progress goes to stderr (a bar redrawn in
place on a terminal, a line every ten seconds in a log); ``-v 0`` silences it. The summary and
the logins go to stdout as before.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.load import DEFAULT_SEED, DemoConflict, load
from demo.logins import format_table, login_rows, other_accounts
from demo.places import DEMO_PASSWORD
from demo.progress import Progress


class Command(BaseCommand):
    help = "创建演示县及其12个月的诉求事项历史（已存在时跳过），并列出演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=2000, help="事项数量（默认 2000）")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机种子（同一种子生成相同数据）"
        )

    def handle(self, *args: object, cases: int, seed: int, **options: object) -> None:
        if cases < 0:
            raise CommandError("--cases 不能为负数。")
        progress = Progress(self._to_stderr, tty=self.stderr.isatty())
        try:
            result = load(
                cases=cases,
                seed=seed,
                progress=progress if options.get("verbosity", 1) else lambda *_: None,
            )
        except DemoConflict as exc:
            raise CommandError(f"以下用户名已被占用，无法创建演示账号：{exc}") from exc
        finally:
            progress.finish()
        if not result.created:
            self.stdout.write("演示县已存在，未重复创建。")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已创建演示县：{result.cases} 件事项、{result.events} 条流转记录，"
                    f"其中当场办结 {result.on_spot} 件；用时 {result.seconds:.1f} 秒。"
                )
            )
            for title, counts in (
                ("按状态", result.by_status),
                ("按类型", result.by_type),
                ("按渠道", result.by_channel),
            ):
                self.stdout.write(f"{title}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write("")
        self.stdout.write(f"演示账号（统一密码：{DEMO_PASSWORD}）")
        self.stdout.write(format_table(login_rows(), ("用户名", "角色", "范围")))
        others = other_accounts()
        if others:
            self.stdout.write(
                "另有账号："
                + "；".join(f"{role} {n} 个（如 {first}）" for role, n, first in others)
            )

    def _to_stderr(self, text: str) -> None:
        # Plain text (stderr's default style is the error colour), no added newline: the bar
        # rewrites its own line.
        self.stderr.write(text, style_func=lambda line: line, ending="")
        self.stderr.flush()
