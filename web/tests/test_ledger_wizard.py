"""The ledger import wizard (台账导入): who may use it, the upload's refusals in Chinese, the
mapping's round trip into the office's profile and its recognition next time, the progress and
result pages, the report, and one office's jobs hidden from another."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from cases.models import Case, CaseEvent, Status, Via
from cases.tests.world import make_user
from ledgers import tasks
from ledgers.models import ImportJob, JobStatus, LedgerProfile
from ledgers.profiles import fingerprint, guess_case_type, overlap
from ledgers.reader import LedgerFileError
from ledgers.tests.helpers import build_office
from ledgers.tests.layout_books import (
    dispute_statistics,
    enterprise_demands,
    hotline_export,
    mediation_form,
    visit_ledger,
)
from ledgers.vocabulary import DETAILS
from people.models import Role

NEW = reverse("ledgers:job-new")
LIST = reverse("ledgers:job-list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(world):
    """The villages, towns and units the test ledgers name; 东园村 in two towns."""
    return build_office(world)


@pytest.fixture
def other_office(world):
    """A dispatcher of 龙浔镇 only: the county's jobs are not theirs."""
    return make_user("longxun_dispatcher", Role.DISPATCHER, region=world.other_town)


FORMULA = '=HYPERLINK("http://x","点我")'


def formula_text(path: Path, ref: str, text: str) -> None:
    """Put ``text`` in a cell as text (as a ledger typed by hand may hold "=…")."""
    book = load_workbook(path)
    cell = book.worksheets[0][ref]
    cell.value = text
    cell.data_type = "s"
    book.save(path)


def xlsx(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def upload(client, file, **fields):
    return client.post(NEW, {"file": file, **fields})


def uploaded(client, world, path: Path, **fields) -> ImportJob:
    response = upload(client, xlsx(path), office=world.county.pk, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def mapping_url(job: ImportJob) -> str:
    return reverse("ledgers:job-mapping", args=[job.pk])


def detail_url(job: ImportJob) -> str:
    return reverse("ledgers:job-detail", args=[job.pk])


def mapping_post(client, job: ImportJob, action: str = "preview", **changes) -> dict:
    """The mapping form as drawn (its initial values), with ``changes``, posted with ``action``."""
    page = client.get(mapping_url(job))
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "skip_bad_rows":
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not False}
    data["action"] = action
    return data


def column_key(job: ImportJob, name: str) -> str:
    names = [c["name"] for c in job.result["columns"]]
    return f"column_{names.index(name)}"


def question_key(client, job: ImportJob, word: str) -> str:
    form = client.get(mapping_url(job)).context["form"]
    return next(q.key for q in form.questions if q.word == word)


# --- who may import ----------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["handler", "grid_worker", "operator", "leader", "resident"])
def test_only_dispatchers_and_administrators_may_import(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(NEW).status_code == 403
    assert client.get(LIST).status_code == 403


def test_dispatchers_and_administrators_see_the_upload_page_and_its_menu_entry(world, client):
    for user in (world.dispatcher, world.admin):
        client.force_login(user)
        response = client.get(NEW)
        assert response.status_code == 200
        assert "台账导入" in [str(item.label) for item in response.context["nav_items"]]
        assert 'enctype="multipart/form-data"' in response.content.decode()
    client.force_login(world.handler)
    labels = [str(i.label) for i in client.get(reverse("web:home")).context["nav_items"]]
    assert "台账导入" not in labels


# --- the upload's refusals ---------------------------------------------------------------------


def refused(client, world, file) -> str:
    response = upload(client, file, office=world.county.pk)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    errors = response.context["form"].errors
    return " ".join(str(e) for messages in errors.values() for e in messages)


def test_an_xls_file_is_refused_with_the_advice_to_save_it_as_xlsx(world, client):
    client.force_login(world.dispatcher)
    message = refused(client, world, SimpleUploadedFile("台账.xls", b"\xd0\xcf\x11\xe0" * 8))
    assert "不支持 .xls 格式" in message and "另存为" in message


def test_an_old_workbook_renamed_to_xlsx_is_judged_by_its_bytes(world, client):
    client.force_login(world.dispatcher)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    message = refused(client, world, SimpleUploadedFile("台账.xlsx", ole))
    assert "旧版 Excel（.xls）" in message


def test_a_file_that_is_not_a_zip_is_refused(world, client):
    client.force_login(world.dispatcher)
    message = refused(client, world, SimpleUploadedFile("台账.xlsx", b"<html>not a workbook"))
    assert "不是 Excel 工作簿" in message


def test_a_zip_without_a_workbook_is_refused(world, client):
    client.force_login(world.dispatcher)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    message = refused(client, world, SimpleUploadedFile("台账.xlsx", buffer.getvalue()))
    assert "不是 Excel 工作簿" in message


def test_a_file_over_the_size_cap_is_refused(world, client, settings, tmp_path):
    settings.LEDGER_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(world.dispatcher)
    big = SimpleUploadedFile("台账.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024 + 1))
    assert "文件超过 1 MB" in refused(client, world, big)


def test_a_statistics_table_is_refused_with_its_reason(world, client, tmp_path):
    client.force_login(world.dispatcher)
    message = refused(client, world, xlsx(dispute_statistics(tmp_path / "统计.xlsx")))
    assert "统计汇总表" in message and "请导入明细台账" in message


def test_a_missing_sheet_is_named_with_the_sheets_there_are(world, client, tmp_path):
    client.force_login(world.dispatcher)
    response = upload(
        client, xlsx(hotline_export(tmp_path / "h.xlsx")), office=world.county.pk, sheet="二月"
    )
    assert "工作表“二月”不存在" in response.content.decode()
    assert "工单明细" in response.content.decode()


def test_a_dispatcher_imports_only_for_their_own_region(world, client, tmp_path, other_office):
    client.force_login(other_office)
    file = xlsx(hotline_export(tmp_path / "h.xlsx"))
    response = upload(client, file, office=world.county.pk)
    assert response.status_code == 200 and "office" in response.context["form"].errors


# --- reading and the preview -------------------------------------------------------------------


def test_a_small_ledger_is_read_in_the_request_and_previewed(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "12345工单.xlsx"))
    assert job.status == JobStatus.READY and job.name == "12345工单.xlsx"
    assert job.case_type.code == "resident_issue"  # from the ledger's headers
    assert Path(job.file.path).is_relative_to(Path(job.file.storage.location) / "ledgers")
    assert "12345" not in job.file.name  # stored under a random name
    response = client.get(detail_url(job))
    assert response.status_code == 302 and response["Location"] == mapping_url(job)
    page = client.get(mapping_url(job))
    text = page.content.decode()
    assert page.context["counts"]["rows"] == 3 and page.context["counts"]["good"] == 3
    assert "工单明细" in text and "DH20250301001" in text  # the layout and a preview row
    assert "小区路灯不亮已一周" in text and "满意" in text
    assert not Case.objects.exists()  # a preview writes nothing


def test_the_preview_lists_the_rows_left_out_and_the_period(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, enterprise_demands(tmp_path / "企业诉求.xlsx"))
    assert job.case_type.code == "enterprise_demand"
    text = client.get(mapping_url(job)).content.decode()
    assert "德化县2025年第一季度企业诉求问题台账" in text
    assert "2025-01-01 — 2025-03-31" in text
    assert "注释说明" in text and "签名/填报人" in text
    assert "台账没有受理时间列" in text  # 收集时间 is no known name for it


def test_the_mapping_round_trip_saves_the_profile_and_imports(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, enterprise_demands(tmp_path / "企业诉求.xlsx"))
    data = mapping_post(
        client,
        job,
        **{
            column_key(job, "收集时间"): "reported_at",
            column_key(job, "收集方式"): "channel",
            "profile_name": "工商联企业诉求台账",
        },
    )
    response = client.post(mapping_url(job), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.result["counts"]["bad"] == 0
    assert job.get_mapping().columns["收集时间"] == "reported_at"
    assert not LedgerProfile.objects.exists()  # a preview saves no profile

    response = client.post(mapping_url(job), mapping_post(client, job, "confirm"))
    assert response.status_code == 302 and response["Location"] == detail_url(job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["counts"]["created"] == 3
    profile = LedgerProfile.objects.get()
    assert (profile.name, profile.office, profile.case_type) == (
        "工商联企业诉求台账",
        world.county,
        world.types["enterprise_demand"],
    )
    assert profile.profile["columns"]["收集时间"] == "reported_at"
    assert profile.profile["columns"]["备注"] == DETAILS
    assert job.profile == profile and profile.created_by == world.dispatcher

    case = Case.objects.get(ledger_number="QY2025-001")
    assert case.status == Status.CLOSED and case.lead_unit == world.dept
    assert localtime(case.reported_at).date().isoformat() == "2025-01-08"
    assert set(CaseEvent.objects.filter(case=case).values_list("via", flat=True)) == {Via.IMPORT}
    extended = Case.objects.get(ledger_number="QY2025-002")
    assert extended.status == Status.IN_PROGRESS


def test_the_saved_profile_is_recognised_on_the_next_upload(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    path = enterprise_demands(tmp_path / "企业诉求一季度.xlsx")
    job = uploaded(client, world, path)
    changes = {column_key(job, "收集时间"): "reported_at", "profile_name": "企业诉求"}
    client.post(mapping_url(job), mapping_post(client, job, "confirm", **changes))
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE

    again = uploaded(client, world, path, case_type="")
    assert again.profile is not None and again.profile.name == "企业诉求"
    assert again.case_type.code == "enterprise_demand"
    assert again.result["counts"]["bad"] == 0 and again.result["counts"]["skipped"] == 3
    page = client.get(mapping_url(again)).content.decode()
    assert "按对应方案" in page and "已按本单位的对应方案“企业诉求”识别" in page


def words_renamed(path):
    """The visit ledger with its state words replaced by two no vocabulary knows."""
    book = load_workbook(path)
    for row in book.worksheets[0].iter_rows():
        for cell in row:
            if cell.value in ("已解决", "正在解决"):
                cell.value = {"已解决": "已落实", "正在解决": "跟进中"}[cell.value]
    book.save(path)
    return path


def test_value_and_place_picks_are_saved_in_the_profile(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, words_renamed(visit_ledger(tmp_path / "走访.xlsx")))
    assert job.result["unknown_values"] == {"status": ["已落实", "跟进中"]}
    assert set(job.result["ambiguous_places"]) == {"东园村"}
    page = client.get(mapping_url(job)).content.decode()
    assert "德化县/龙浔镇/东园村" in page
    changes = {
        question_key(client, job, "已落实"): Status.CLOSED,
        question_key(client, job, "跟进中"): Status.IN_PROGRESS,
        question_key(client, job, "东园村"): "350526100003",
    }
    client.post(mapping_url(job), mapping_post(client, job, "preview", **changes))
    job.refresh_from_db()
    assert job.result["unknown_values"] == {} and job.result["ambiguous_places"] == {}
    assert job.result["counts"]["bad"] == 0, job.result["errors"]
    # The picks stay on the form, to be changed again.
    assert client.get(mapping_url(job)).context["form"][question_key(client, job, "已落实")].value()

    client.post(mapping_url(job), mapping_post(client, job, "confirm"))
    values = LedgerProfile.objects.get().profile["values"]
    assert values["status"] == {"已落实": Status.CLOSED, "跟进中": Status.IN_PROGRESS}
    assert values["place"] == {"东园村": "350526100003"}
    visited = Case.objects.get(requester_name="陈大叔")
    assert visited.region.code == "350526100003" and visited.status == Status.IN_PROGRESS


def test_two_columns_may_not_take_the_same_field(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    data = mapping_post(client, job, **{column_key(job, "诉求人"): "reported_at"})
    response = client.post(mapping_url(job), data)
    assert response.status_code == 200
    assert "一个字段只能对应一列" in response.content.decode()


def test_bad_rows_refuse_the_import_all_or_nothing(world, client, places, tmp_path):
    path = hotline_export(tmp_path / "h.xlsx")
    formula_text(path, "C3", FORMULA)
    client.force_login(world.dispatcher)
    job = uploaded(client, world, path)
    assert job.result["counts"]["bad"] == 1
    client.post(mapping_url(job), mapping_post(client, job, "confirm"))
    job.refresh_from_db()
    assert job.status == JobStatus.READY and not Case.objects.exists()
    page = client.get(mapping_url(job)).content.decode()
    assert "未导入：有 1 行有误" in page


def test_skipping_bad_rows_imports_the_good_ones_and_the_result_names_the_bad(
    world, client, places, tmp_path
):
    path = hotline_export(tmp_path / "h.xlsx")
    formula_text(path, "C3", FORMULA)
    client.force_login(world.dispatcher)
    job = uploaded(client, world, path)
    client.post(mapping_url(job), mapping_post(client, job, "confirm", skip_bad_rows="on"))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Case.objects.count() == 2
    page = client.get(detail_url(job))
    text = page.content.decode()
    assert [page.context["counts"][k] for k in ("created", "updated", "skipped", "bad")] == [
        2,
        0,
        0,
        1,
    ]
    assert "受理时间" in text and "=HYPERLINK" in text  # the row's column, value and reason
    assert reverse("ledgers:job-report", args=[job.pk]) in text

    # The report: every bad row with its reason; a cell that looks like a formula stays text.
    report = client.get(reverse("ledgers:job-report", args=[job.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment;")
    assert report["X-Content-Type-Options"] == "nosniff"
    book = load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    assert book.sheetnames == ["有误的行", "文件内重复编号", "汇总"]
    rows = list(book["有误的行"].iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原值", "原因")
    assert rows[1][:3] == (3, "受理时间", FORMULA)
    assert book["有误的行"]["C2"].data_type == "s"
    summary = dict(book["汇总"].iter_rows(values_only=True))
    assert summary["新导入"] == 2 and summary["有误"] == 1


def test_a_double_confirm_imports_once(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    data = mapping_post(client, job, "confirm")
    client.post(mapping_url(job), data)
    response = client.post(mapping_url(job), data)
    assert response.status_code == 302 and Case.objects.count() == 3
    assert tasks.confirm_job(job, actor=world.dispatcher, profile_name="x") is False


def test_a_second_import_of_the_same_ledger_skips_or_updates_by_number(
    world, client, places, tmp_path
):
    path = hotline_export(tmp_path / "h.xlsx")
    client.force_login(world.dispatcher)
    first = uploaded(client, world, path)
    client.post(mapping_url(first), mapping_post(client, first, "confirm"))
    again = uploaded(client, world, path)
    client.post(mapping_url(again), mapping_post(client, again, "confirm"))
    again.refresh_from_db()
    assert again.result["counts"]["skipped"] == 3 and Case.objects.count() == 3


# --- background runs and their progress --------------------------------------------------------


def test_a_large_ledger_is_read_in_the_background_with_progress(
    world, client, places, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_IMPORT_INLINE_ROWS = 1
    client.force_login(world.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    assert job.status == JobStatus.ANALYSING
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "ledgers.tasks.analyse_ledger"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}

    page = client.get(detail_url(job))
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        'hx-trigger="every 1s"' in text and reverse("ledgers:job-progress", args=[job.pk]) in text
    )

    tasks.ProgressFile(job.pk)(500, 1000)
    progress = client.get(reverse("ledgers:job-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "HX-Redirect" not in progress
    assert "500 / 1000（50%）" in progress.content.decode()

    tasks.analyse_ledger.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.result["counts"]["rows"] == 3
    assert not tasks.progress_path(job.pk).exists()
    progress = client.get(reverse("ledgers:job-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Redirect"] == detail_url(job)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(mapping_url(job), mapping_post(client, job, "confirm"))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING and not Case.objects.exists()
    queued = DBTaskResult.objects.get(task_path="ledgers.tasks.import_ledger_job")
    tasks.import_ledger_job.call(*queued.args_kwargs["args"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Case.objects.count() == 3
    assert job.report and job.finished_at is not None


def test_progress_is_throttled_to_every_500_rows_or_second(settings, tmp_path):
    writer = tasks.ProgressFile(7)
    writer(1, 10_000)
    assert json.loads(tasks.progress_path(7).read_text()) == {"done": 1, "total": 10_000}
    writer(200, 10_000)
    assert json.loads(tasks.progress_path(7).read_text())["done"] == 1
    writer(501, 10_000)
    assert json.loads(tasks.progress_path(7).read_text())["done"] == 501
    writer(10_000, 10_000)  # the last call always lands
    assert json.loads(tasks.progress_path(7).read_text())["done"] == 10_000
    # A dry run reads the sheet and writes nothing: its whole is the sheet's rows.
    tasks.ProgressFile(8, rows=3000)(1000, 99_999)
    assert json.loads(tasks.progress_path(8).read_text()) == {"done": 1000, "total": 3000}


def test_a_file_the_full_reading_refuses_fails_the_job_with_its_reason(
    world, client, places, tmp_path, monkeypatch
):
    def refuse(*args, **kwargs):
        raise LedgerFileError("第5行起的一块与第一块的栏目不同，无法按“每条记录一块”的表单读取。")

    monkeypatch.setattr(tasks.history, "import_history", refuse)
    client.force_login(world.dispatcher)
    job = uploaded(client, world, mediation_form(tmp_path / "调解.xlsx"))
    assert job.status == JobStatus.FAILED
    text = client.get(detail_url(job)).content.decode()
    assert "无法按“每条记录一块”的表单读取" in text and "重新上传" in text


def test_an_unexpected_error_is_logged_and_told_without_a_traceback(
    world, client, places, tmp_path, monkeypatch, caplog
):
    def crash(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tasks.history, "import_history", crash)
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    text = client.get(detail_url(job)).content.decode()
    assert "意外错误" in text and "secret internals" not in text and "Traceback" not in text
    assert "secret internals" in caplog.text


# --- scope -------------------------------------------------------------------------------------


def test_another_offices_job_and_report_are_not_found(
    world, client, places, tmp_path, other_office
):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    client.force_login(other_office)
    for name in ("job-detail", "job-progress", "job-mapping", "job-report"):
        assert client.get(reverse(f"ledgers:{name}", args=[job.pk])).status_code == 404, name
    assert client.post(mapping_url(job), {"action": "confirm"}).status_code == 404
    assert job.name not in client.get(LIST).content.decode()


def test_a_town_offices_job_is_seen_by_the_county_and_the_town(world, client, places, tmp_path):
    town_dispatcher = make_user("xunzhong_dispatcher", Role.DISPATCHER, region=world.town)
    client.force_login(town_dispatcher)
    response = upload(client, xlsx(hotline_export(tmp_path / "h.xlsx")), office=world.town.pk)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.office == world.town
    assert client.get(reverse("ledgers:job-report", args=[job.pk])).status_code == 200
    client.force_login(world.dispatcher)
    assert client.get(mapping_url(job)).status_code == 200
    assert job.name in client.get(LIST).content.decode()


def test_the_list_shows_the_offices_jobs_and_profiles(world, client, places, tmp_path):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    client.post(mapping_url(job), mapping_post(client, job, "confirm", profile_name="12345导出"))
    text = client.get(LIST).content.decode()
    assert "h.xlsx" in text and "12345导出" in text and "3 / 0 / 0 / 0" in text
    profile = LedgerProfile.objects.get()
    response = client.post(reverse("ledgers:profile-delete", args=[profile.pk]))
    assert response.status_code == 302 and not LedgerProfile.objects.exists()


# --- recognition -------------------------------------------------------------------------------


def test_a_fingerprint_overlaps_a_ledger_with_one_column_renamed():
    first = fingerprint(["序号", "工单编号", "受理时间", "诉求内容", "承办单位", "办结时间"])
    second = fingerprint(["序号", "工单编号", "受理时间", "诉求内容", "承办单位", "答复时间"])
    assert 0.7 < overlap(first, second) < 0.8
    assert overlap(first, fingerprint(["*工单编号", "受理 时间", "序号", "诉求内容（必填）"]))
    assert fingerprint(["列C", "备注"]) == ["备注"]


def test_the_case_type_is_guessed_from_the_ledgers_words():
    assert guess_case_type(["安全隐患排查整改台账", "隐患描述"]) == "hazard"
    assert guess_case_type(["纠纷类型", "当事人"]) == "dispute"
    assert guess_case_type(["企业名称", "诉求内容"]) == "enterprise_demand"
    assert guess_case_type(["工单编号", "来电人"]) == "resident_issue"
    assert guess_case_type(["名称", "数量"]) is None


def test_the_list_takes_the_same_queries_for_more_jobs(world, client, django_assert_num_queries):
    def add_jobs(count: int) -> None:
        for n in range(count):
            ImportJob.objects.create(
                name=f"台账{n}.xlsx",
                uploaded_by=world.dispatcher,
                office=world.county,
                case_type=world.types["dispute"],
                status=JobStatus.DONE,
                result={"counts": {"created": 4, "updated": 1, "skipped": 0, "bad": 2}},
            )

    client.force_login(world.dispatcher)
    add_jobs(2)
    client.get(LIST)  # the session and the user's roles warm up
    with CaptureQueriesContext(connection) as first:
        text = client.get(LIST).content.decode()
    assert "4 / 1 / 0 / 2" in text
    add_jobs(5)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(LIST)


def test_the_admin_lists_jobs_and_profiles(world, client):
    client.force_login(world.admin)
    for model in ("importjob", "ledgerprofile"):
        assert client.get(f"/admin/ledgers/{model}/").status_code == 200


def test_deleting_a_job_deletes_its_uploaded_ledger_and_report(
    world, client, places, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.dispatcher)
    job = uploaded(client, world, hotline_export(tmp_path / "h.xlsx"))
    client.post(mapping_url(job), mapping_post(client, job, "confirm"))
    job.refresh_from_db()
    stored = [job.file.path, job.report.path]
    assert all(Path(p).exists() for p in stored)
    with django_capture_on_commit_callbacks(execute=True):
        job.delete()
    assert not any(Path(p).exists() for p in stored)
