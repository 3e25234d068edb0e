"""Finding the units (承办/协办单位) and the category a ledger row names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ledgers.units import CategoryResolver, UnitResolver
from orgs.models import Organisation, OrgKind


@dataclass
class Units:
    """The world's 人社局 and 市场监管局 with the units real ledgers name added."""

    rsj: Organisation
    scjg: Organisation
    zjj: Organisation
    zrzy: Organisation
    xunzhong: Organisation  # 浔中镇人民政府
    longxun: Organisation  # 龙浔镇人民政府
    village: Organisation  # 浔中村两委
    police: Organisation
    xunzhong_centre: Organisation
    longxun_centre: Organisation


def _unit(name: str, short_name: str = "", kind: str = OrgKind.DEPARTMENT, **fields):
    return Organisation.objects.create(kind=kind, name=name, short_name=short_name, **fields)


@pytest.fixture
def units(world) -> Units:
    group = OrgKind.WORKING_GROUP
    return Units(
        rsj=world.dept,
        scjg=world.other_dept,
        zjj=_unit("德化县住房和城乡建设局", "住建局"),
        zrzy=_unit("德化县自然资源局", "自然资源局", aliases="规划所、县规划站\n资规"),
        xunzhong=_unit("浔中镇人民政府", "浔中镇", OrgKind.TOWN_GOVERNMENT),
        longxun=_unit("龙浔镇人民政府", "龙浔镇", OrgKind.TOWN_GOVERNMENT),
        village=_unit("浔中村两委", "浔中村", OrgKind.VILLAGE_COMMITTEE),
        police=_unit("德化县公安局浔中派出所"),
        xunzhong_centre=_unit("浔中镇综治中心", "", group),
        longxun_centre=_unit("龙浔镇综治中心", "", group),
    )


@pytest.fixture
def resolver(units) -> UnitResolver:
    return UnitResolver()


def test_aliases_are_split_on_lines_and_list_marks():
    unit = Organisation(aliases=" 规划所、县规划站\n\n资规；国土所,规划所 ，老国土局 ")
    assert unit.alias_list == ["规划所", "县规划站", "资规", "国土所", "老国土局"]
    assert Organisation(aliases="").alias_list == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # As written: full name, short name, alias.
        ("德化县住房和城乡建设局", "zjj"),
        ("住建局", "zjj"),
        ("规划所", "zrzy"),
        ("县规划站", "zrzy"),
        ("德化县 人力资源和社会保障局", "rsj"),
        # A county prefix taken off.
        ("县住建局", "zjj"),
        ("德化住建局", "zjj"),
        ("县人社局", "rsj"),
        ("县市场监管局", "scjg"),
        ("县自然资源局", "zrzy"),
        ("德化县资规", "zrzy"),
        # The usual abbreviations, both ways, with older names of merged bureaus.
        ("住房和城乡建设局", "zjj"),
        ("县住房城乡建设局", "zjj"),
        ("市场监督管理局", "scjg"),
        ("县工商局", "scjg"),
        ("人力资源和社会保障局", "rsj"),
        ("县国土资源局", "zrzy"),
        ("自然资源和规划局", "zrzy"),
        # Towns and village committees.
        ("浔中镇", "xunzhong"),
        ("浔中镇政府", "xunzhong"),
        ("浔中镇人民政府", "xunzhong"),
        ("浔中", "xunzhong"),
        ("龙浔镇政府", "longxun"),
        ("浔中村", "village"),
        ("浔中村委会", "village"),
        ("浔中村村民委员会", "village"),
        # 公安局XX派出所 ↔ XX派出所, with or without the town's suffix.
        ("浔中派出所", "police"),
        ("县公安局浔中派出所", "police"),
        ("浔中镇派出所", "police"),
    ],
)
def test_a_word_names_a_unit(units, resolver, word, expected):
    result = resolver.resolve(word)
    assert result.unit == getattr(units, expected), result
    assert not result.candidates and not result.error


def test_the_word_is_kept_for_display_without_spaces(resolver):
    assert resolver.resolve(" 县 住建局 ").word == "县住建局"


def test_a_word_several_units_fit_gives_them_as_candidates(units, resolver):
    result = resolver.resolve("县综治中心")
    assert result.unit is None
    assert set(result.candidates) == {units.xunzhong_centre, units.longxun_centre}
    assert not result.error
    # The town settles it.
    assert resolver.resolve("浔中镇综治中心").unit == units.xunzhong_centre


def test_an_unknown_word_is_an_error_asking_for_a_choice_or_an_alias(world, resolver):
    result = resolver.resolve("县气象局")
    assert result.unit is None and not result.candidates
    assert result.error == "未找到单位“县气象局”，请在映射中选择或在机构管理中添加别名"
    # Only units a case may be assigned to are looked at.
    assert resolver.resolve(world.enterprise.name).error
    assert resolver.resolve(world.chain_committee.name).error


def test_an_inactive_unit_is_not_offered(units):
    _unit("德化县气象局", "气象局", is_active=False)
    assert UnitResolver().resolve("气象局").error


def test_a_blank_word_is_neither_resolved_nor_an_error(resolver):
    assert resolver.resolve("  ").unit is None
    assert not resolver.resolve("").error


def test_a_pick_is_applied_first(units):
    resolver = UnitResolver(
        picks={
            "县综治中心": str(units.longxun_centre.pk),
            "县住建局": str(units.zrzy.pk),
            "县气象局": "999999",  # no such unit: ignored
        }
    )
    assert resolver.resolve("县 综治中心").unit == units.longxun_centre
    assert resolver.resolve("县住建局").unit == units.zrzy
    assert resolver.resolve("县气象局").error


def test_resolve_many_splits_a_cell_into_its_units(units, resolver):
    results = resolver.resolve_many(
        "县住建局、县自然资源局，浔中镇；龙浔镇/县人社局\n市场监管局 浔中村;县住建局,,"
    )
    assert [r.unit for r in results] == [
        units.zjj,
        units.zrzy,
        units.xunzhong,
        units.longxun,
        units.rsj,
        units.scjg,
        units.village,
    ]


def test_resolve_many_keeps_a_spaced_name_whole_when_it_names_a_unit(units, resolver):
    assert [r.unit for r in resolver.resolve_many("德化县 住建局")] == [units.zjj]
    results = resolver.resolve_many("县住建局 县气象局")
    assert [r.word for r in results] == ["县住建局", "县气象局"]
    assert results[0].unit == units.zjj and results[1].error
    assert resolver.resolve_many("") == []


def test_suggestions_rank_near_spellings(units, resolver):
    suggested = resolver.suggestions("县人设局")
    assert suggested[0][0] == units.rsj
    assert 0 < suggested[0][1] < 1
    assert resolver.suggestions("住建")[0][0] == units.zjj
    assert len(resolver.suggestions("镇", limit=2)) <= 2
    assert resolver.suggestions("") == []


def test_it_loads_in_two_queries_and_resolves_without_any(units, django_assert_num_queries):
    with django_assert_num_queries(2):
        resolver = UnitResolver()
    with django_assert_num_queries(0):
        for _row in range(3):
            assert resolver.resolve("县住建局").unit == units.zjj
            assert resolver.resolve_many("县自然资源局、浔中镇")[1].unit == units.xunzhong
            assert resolver.resolve("县综治中心").candidates
            assert resolver.resolve("县气象局").error
            assert resolver.suggestions("住建")


# --- Categories -----------------------------------------------------------------------------


def _named(case_type, name):
    return case_type.categories.get(name=name)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("城乡建设与管理", "城乡建设与管理"),
        ("01", "社会保障与就业"),
        ("医疗卫生类", "医疗卫生"),
        ("环境保护", "环境保护与资源利用"),
        ("城乡建设-违章搭建", "城乡建设与管理"),
        ("城乡建设－违章搭建", "城乡建设与管理"),
        ("违章建筑/城乡建设与管理", "城乡建设与管理"),
        ("行政管理>公共服务", "行政管理与公共服务"),
    ],
)
def test_a_word_names_a_category_of_the_case_type(world, word, expected):
    issues = world.types["resident_issue"]
    category, candidates, error = CategoryResolver(issues).resolve(word)
    assert category == _named(issues, expected)
    assert candidates == () and error == ""


def test_a_category_word_several_fit_gives_the_candidates(world):
    disputes = world.types["dispute"]
    resolver = CategoryResolver(disputes)
    category, candidates, error = resolver.resolve("纠纷")
    assert category is None and not error
    assert len(candidates) == disputes.categories.count()
    assert resolver.resolve("家庭纠纷")[0] == _named(disputes, "婚姻家庭纠纷")
    # Categories of another case type are not looked at.
    assert resolver.resolve("医疗卫生")[0] is None


def test_an_unknown_category_is_an_error(world):
    category, candidates, error = CategoryResolver(world.types["hazard"]).resolve("天 气")
    assert category is None and candidates == ()
    assert error == "未找到分类“天气”，请在映射中选择"
    assert CategoryResolver(world.types["hazard"]).resolve("") == (None, (), "")


def test_a_category_pick_is_applied_first(world):
    disputes = world.types["dispute"]
    other = _named(disputes, "其他纠纷")
    resolver = CategoryResolver(disputes, picks={"纠纷": str(other.pk)})
    assert resolver.resolve("纠纷")[0] == other


def test_category_suggestions_rank_near_spellings(world, django_assert_num_queries):
    issues = world.types["resident_issue"]
    with django_assert_num_queries(1):
        resolver = CategoryResolver(issues)
    with django_assert_num_queries(0):
        suggested = resolver.suggestions("社保就业")
        assert resolver.resolve("城乡建设-违章搭建")[0] is not None
    assert suggested[0][0] == _named(issues, "社会保障与就业")
    assert len(resolver.suggestions("管理", limit=2)) == 2
