"""Import an office's own ledger (台账) of past cases with their history, or preview it."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cases.models import CaseType, Channel
from ledgers.history import (
    DUPLICATE_CHOICES,
    SKIP,
    HistoryOptions,
    HistoryResult,
    import_history,
    may_import,
)
from ledgers.preview import describe_kind
from ledgers.reader import LedgerFileError
from ledgers.units import UnitResolver
from ledgers.vocabulary import FIELD_LABELS, MappingProfile
from orgs.models import Organisation
from people.models import User
from regions.models import Region

SHOWN_BAD_ROWS = 20


class Command(BaseCommand):
    help = (
        "导入单位自己的历史台账：识别表头、把各列对应到系统字段、检查每一行，"
        "按台账记录的状态和时间录入事项及其流转记录（--dry-run 只预览不写入）。"
        " / Import an office's own ledger of past cases: detect the header, map the columns, "
        "check every row and enter each case at its recorded state with its history "
        "(--dry-run previews and writes nothing)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", metavar="FILE.xlsx", help="台账文件（.xlsx） / the ledger workbook (.xlsx)"
        )
        parser.add_argument(
            "--sheet", metavar="NAME", help="工作表名称（默认第一个） / sheet (default: the first)"
        )
        parser.add_argument(
            "--profile",
            metavar="NAME|PROFILE.json",
            help="已保存的对应方案名称或 JSON 文件 / a saved mapping profile's name or a JSON file",
        )
        parser.add_argument(
            "--case-type",
            metavar="CODE",
            default="resident_issue",
            help="事项类型代码（默认 resident_issue） / case type code",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="以该用户身份导入（限其管辖范围） / import as this user (within their scope)",
        )
        parser.add_argument(
            "--region",
            metavar="CODE",
            help="未填地点的行归入该区域 / the region of rows that name no place",
        )
        parser.add_argument(
            "--unit",
            metavar="NAME",
            help="台账无承办单位列时的承办单位 / the unit of handled rows without a unit column",
        )
        parser.add_argument(
            "--channel",
            choices=Channel.values,
            help="无来源列时的来源渠道 / the channel of rows without a source column",
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="跳过有误的行，导入其余的行 / import the good rows, skip the bad ones",
        )
        parser.add_argument(
            "--duplicates",
            choices=DUPLICATE_CHOICES,
            default=SKIP,
            help="编号已导入过的行：跳过或更新 / rows whose number was imported before",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只预览和检查，不写入 / preview, write nothing"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="最后一行输出一个 JSON 对象 / print one JSON object as the last line",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = bool(options["json"])
        try:
            history_options = HistoryOptions(
                case_type=self._case_type(options["case_type"]),
                profile=self._profile(options["profile"]),
                actor=self._user(options["user"]),
                sheet=options["sheet"],
                skip_bad_rows=bool(options["skip_bad_rows"]),
                duplicates=options["duplicates"],
                dry_run=bool(options["dry_run"]),
                default_region=self._region(options["region"]),
                default_unit=self._unit(options["unit"]),
                default_channel=options["channel"] or "",
                source_name=Path(options["file"]).name,
            )
            try:
                result = import_history(options["file"], history_options)
            except LedgerFileError as exc:
                raise CommandError(str(exc)) from exc
            self._summary(result)
            if as_json:
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            if result.errors and not result.imported and not result.dry_run:
                raise CommandError(
                    _("有 %(n)d 行有误，未导入任何数据（可加 --skip-bad-rows 只导入正确的行）。")
                    % {"n": result.bad}
                )
        except CommandError as exc:
            if as_json and "result" not in locals():
                self.stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False))
            raise

    def _case_type(self, code: str) -> CaseType:
        found = CaseType.objects.filter(code=code).first()
        if found is None:
            codes = "、".join(CaseType.objects.values_list("code", flat=True))
            raise CommandError(
                _("没有代码为“%(code)s”的事项类型，可用：%(codes)s")
                % {"code": code, "codes": codes}
            )
        return found

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户“%(u)s”不存在。") % {"u": username})
        if not may_import(user):
            raise CommandError(
                _("用户“%(u)s”无权导入台账（须为研判交办员或管理员）。") % {"u": username}
            )
        return user

    def _unit(self, name: str | None) -> Organisation | None:
        if not name:
            return None
        found = UnitResolver().resolve(name)
        if found.unit is None:
            raise CommandError(found.error)
        return found.unit

    def _region(self, code: str | None) -> Region | None:
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(_("区划代码“%(c)s”不存在。") % {"c": code})
        return region

    def _profile(self, path: str | None) -> MappingProfile:
        if not path:
            return MappingProfile()
        if not Path(path).exists() and not path.endswith(".json"):
            return self._saved_profile(path)
        try:
            return MappingProfile.from_json(Path(path).read_bytes())
        except OSError as exc:
            raise CommandError(
                _("无法读取对应方案 %(path)s：%(error)s") % {"path": path, "error": exc}
            ) from exc
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            raise CommandError(
                _("对应方案 %(path)s 格式不正确：%(error)s") % {"path": path, "error": exc}
            ) from exc

    def _saved_profile(self, name: str) -> MappingProfile:
        from ledgers.models import LedgerProfile

        saved = LedgerProfile.objects.filter(name=name).order_by("-updated_at").first()
        if saved is None:
            raise CommandError(_("没有名为“%(n)s”的对应方案。") % {"n": name})
        return saved.mapping()

    def _summary(self, result: HistoryResult) -> None:
        layout = result.layout
        assert layout is not None  # a result of import_history always has its layout
        write = self.stdout.write
        write(
            _("工作表：%(s)s（%(k)s）") % {"s": layout.sheet_name, "k": describe_kind(layout.kind)}
        )
        if layout.period is not None:
            write(_("期间：%(a)s 至 %(b)s") % {"a": layout.period.start, "b": layout.period.end})
        elif layout.period_year is not None:
            write(_("年份：%(y)s") % {"y": layout.period_year})
        else:
            write(_("期间：未识别（不带年份的日期将无法读取）"))
        rows = "、".join(str(r) for r in layout.header_rows) or "-"
        write(_("表头行：第 %(r)s 行") % {"r": rows})
        write(_("列对应："))
        for column in result.columns:
            if column.field is None:
                target = str(FIELD_LABELS["details"])
            else:
                label = FIELD_LABELS.get(column.field, column.field)
                origin = _("，按对应方案") if column.from_profile else ""
                target = f"{label}（{column.field}，{column.score:.2f}{origin}）"
            write(f"  {column.letter} {column.name} → {target}")
        write(
            _(
                "共 %(rows)d 行：正确 %(good)d 行，有误 %(bad)d 行，另有 %(left)d 行不是记录（合计、签名、说明等）已略过。"
            )
            % {
                "rows": result.rows,
                "good": result.good,
                "bad": result.bad,
                "left": len(result.left_out),
            }
        )
        if result.errors:
            write(_("有误的单元格（前 %(n)d 个）：") % {"n": SHOWN_BAD_ROWS})
            for error in result.errors[:SHOWN_BAD_ROWS]:
                write(f"  {error}")
        for number, repeated in result.duplicates_in_file.items():
            write(
                _("编号“%(number)s”在文件中重复：第 %(rows)s 行")
                % {"number": number, "rows": "、".join(str(r) for r in repeated)}
            )
        for field_name, words in result.unknown_values.items():
            write(
                _("“%(f)s”列有未识别的取值，需确认：%(w)s")
                % {"f": FIELD_LABELS.get(field_name, field_name), "w": "、".join(words)}
            )
        for place, candidates in result.ambiguous_places.items():
            write(
                _("地点“%(p)s”有多个可能：%(c)s")
                % {"p": place, "c": "、".join(label for _code, label in candidates)}
            )
        if result.imported:
            write(
                _("已导入：新增 %(c)d，更新 %(u)d，跳过（编号已存在）%(s)d。")
                % {"c": result.created, "u": result.updated, "s": result.skipped}
            )
        elif result.dry_run:
            write(
                _("预览（未写入）：将新增 %(c)d，编号已存在 %(s)d。")
                % {"c": result.good - result.skipped, "s": result.skipped}
            )
