import pytest

from ledgers.tests.helpers import PEOPLE_HEADERS, credit, id_number, run, run_failing, workbook
from orgs.models import Organisation, OrgKind
from people.models import EnterpriseLink, EnterpriseLinkKind, Person


def row(name="林晓峰", **overrides):
    values = {
        "姓名": name,
        "手机号": "13905951234",
        "身份证号": id_number(1),
        "所在区域": "350526100",
        "所在单位": "人社局",
        "职务": "副局长",
        "党员": "是",
        "联系企业": None,
        "联系类型": None,
    }
    values.update(overrides)
    return [values[h] for h in PEOPLE_HEADERS]


def test_it_creates_people_and_their_enterprise_links(world, tmp_path):
    second = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE, name="德化二厂", credit_code=credit(2)
    )
    path = workbook(
        tmp_path / "p.xlsx",
        PEOPLE_HEADERS,
        [
            row(联系企业=f"{world.enterprise.credit_code}、{credit(2)}", 联系类型="挂钩干部"),
            row(
                "王芳",
                手机号="139 0595 1235",
                身份证号=None,
                党员=None,
                联系企业=credit(2),
                联系类型="驻厂专员",
            ),
        ],
    )
    out, err = run("import_people", path)
    assert err == "" and "新增 2" in out and "新增企业联系 3" in out
    lin = Person.objects.get(id_number=id_number(1))
    assert (
        lin.name,
        lin.phone,
        lin.region,
        lin.organisation,
        lin.position,
        lin.is_party_member,
    ) == (
        "林晓峰",
        "13905951234",
        world.town,
        world.dept,
        "副局长",
        True,
    )
    assert set(lin.enterprise_links.values_list("enterprise", "kind")) == {
        (world.enterprise.pk, EnterpriseLinkKind.LINKED_CADRE),
        (second.pk, EnterpriseLinkKind.LINKED_CADRE),
    }
    wang = Person.objects.get(name="王芳")
    assert wang.phone == "13905951235" and wang.is_party_member is False
    assert wang.enterprise_links.get().kind == EnterpriseLinkKind.RESIDENT_COMMISSIONER


def test_importing_again_updates_people_instead_of_duplicating_them(world, tmp_path):
    first = workbook(
        tmp_path / "a.xlsx",
        PEOPLE_HEADERS,
        [row(联系企业=world.enterprise.credit_code, 联系类型="党建指导员")],
    )
    run("import_people", first)
    second = workbook(
        tmp_path / "b.xlsx",
        PEOPLE_HEADERS,
        [row(职务="局长", 联系企业=world.enterprise.credit_code, 联系类型="党建指导员")],
    )
    out, _ = run("import_people", second)
    assert "新增 0，更新 1" in out and "新增企业联系 0" in out
    assert Person.objects.filter(id_number=id_number(1)).get().position == "局长"
    assert EnterpriseLink.objects.count() == 1


def test_a_person_without_id_number_is_found_by_name_and_mobile(world, tmp_path):
    existing = Person.objects.create(name="陈立新", phone="13600000001")
    path = workbook(
        tmp_path / "p.xlsx",
        PEOPLE_HEADERS,
        [row("陈立新", 手机号="13600000001", 身份证号=id_number(7), 职务="村支书")],
    )
    out, _ = run("import_people", path)
    assert "新增 0，更新 1" in out
    existing.refresh_from_db()
    assert (existing.position, existing.id_number) == ("村支书", id_number(7))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"手机号": "1390595123"}, "第2行 手机号：应为以1开头的11位手机号码（当前为“1390595123”）"),
        ({"手机号": "23905951234"}, "第2行 手机号：应为以1开头的11位手机号码"),
        ({"手机号": None}, "第2行 手机号：必填，不能为空"),
        (
            {"身份证号": id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1")},
            "第2行 身份证号：校验位错误",
        ),
        ({"身份证号": "35052619850315001"}, "第2行 身份证号：应为18位（当前17位）"),
        ({"身份证号": "3505261985031500AB"}, "第2行 身份证号：前17位应为数字，末位应为数字或X"),
        ({"身份证号": id_number(1, birth="19850230")}, "第2行 身份证号：出生日期无效：19850230"),
        ({"身份证号": 350526198503150012}, "第2行 身份证号：数字超过15位"),
        ({"党员": "预备"}, "第2行 党员：应填“是”或“否”（当前为“预备”）"),
        ({"所在区域": "月球"}, "第2行 所在区域：系统中没有区划代码或名称为“月球”的区域"),
        (
            {"所在单位": "不存在局"},
            "第2行 所在单位：系统中没有名称、简称或统一社会信用代码为“不存在局”的组织",
        ),
        (
            {"联系企业": credit(5), "联系类型": "挂钩干部"},
            f"第2行 联系企业：系统中没有统一社会信用代码为{credit(5)}的企业",
        ),
        (
            {"联系企业": "91350526MA2Y0000II", "联系类型": "挂钩干部"},
            "第2行 联系企业：91350526MA2Y0000II：含有非法字符：I",
        ),
        ({"联系企业": credit(5)}, "第2行 联系类型：填写了联系企业时必须填写联系类型"),
        ({"联系类型": "挂钩干部"}, "第2行 联系企业：填写了联系类型时必须填写联系企业"),
        (
            {"联系企业": credit(5), "联系类型": "包保干部"},
            "第2行 联系类型：“包保干部”不是允许的值，应为：挂钩干部、驻厂专员、党建指导员、企业联络员",
        ),
    ],
)
def test_each_bad_field_is_named_with_its_row_and_reason(world, tmp_path, overrides, expected):
    path = workbook(tmp_path / "p.xlsx", PEOPLE_HEADERS, [row(**overrides)])
    _, err, _ = run_failing("import_people", path)
    assert expected in err
    assert not Person.objects.filter(name="林晓峰").exists()


def test_lowercase_x_check_digit_is_accepted(world, tmp_path):
    number = next(id_number(n) for n in range(200) if id_number(n).endswith("X"))
    path = workbook(tmp_path / "p.xlsx", PEOPLE_HEADERS, [row(身份证号=number.lower())])
    run("import_people", path)
    assert Person.objects.filter(id_number=number).exists()


def test_an_id_number_belonging_to_someone_else_is_refused(world, tmp_path):
    Person.objects.create(name="张某某", phone="13700000000", id_number=id_number(1))
    path = workbook(tmp_path / "p.xlsx", PEOPLE_HEADERS, [row()])
    _, err, _ = run_failing("import_people", path)
    assert "第2行 身份证号：系统中该身份证号属于另一人（张**）" in err


def test_the_same_person_twice_in_a_file_is_refused(world, tmp_path):
    path = workbook(
        tmp_path / "p.xlsx",
        PEOPLE_HEADERS,
        [
            row(),
            row(手机号="13900000009"),
            row("李四", 身份证号=None, 手机号="13900000008"),
            row("李四", 身份证号=None, 手机号="13900000008"),
        ],
    )
    _, err, _ = run_failing("import_people", path)
    assert err.strip().splitlines() == [
        "第3行 身份证号：与第2行重复",
        "第5行 手机号：与第4行为同一人（姓名和手机号相同）",
    ]


def test_skip_bad_rows_keeps_the_good_people(world, tmp_path):
    path = workbook(
        tmp_path / "p.xlsx", PEOPLE_HEADERS, [row(), row("王芳", 手机号="110", 身份证号=None)]
    )
    out, err = run("import_people", path, "--skip-bad-rows")
    assert "第3行 手机号" in err and "新增 1" in out
    assert (
        Person.objects.filter(name="林晓峰").exists()
        and not Person.objects.filter(name="王芳").exists()
    )
