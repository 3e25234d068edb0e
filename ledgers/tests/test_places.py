"""Finding the region a ledger row names from its town, village and address cells."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ledgers.places import PlaceResolver
from regions.models import Region, RegionLevel


@dataclass
class Tree:
    """The world's county (浔中镇 with 浔中村 and its 第一网格; 龙浔镇) with namesakes added."""

    county: Region
    xunzhong: Region
    xunzhong_village: Region
    grid: Region
    longxun: Region
    shishan: Region  # 石山村 of 浔中镇
    shishan_community: Region  # 石山社区 of 浔中镇
    longxun_shishan: Region  # 石山村 of 龙浔镇
    yingshan: Region  # 英山村 of 龙浔镇
    dingxi: Region  # 丁溪社区 of 龙浔镇
    chengdong: Region  # 城东街道
    nanmen: Region  # 南门社区 of 城东街道


def _region(name: str, code: str, level: int, parent: Region) -> Region:
    return Region.objects.create(name=name, code=code, level=level, parent=parent)


@pytest.fixture
def tree(world) -> Tree:
    village = RegionLevel.VILLAGE
    chengdong = _region("城东街道", "350526102", RegionLevel.TOWN, world.county)
    return Tree(
        county=world.county,
        xunzhong=world.town,
        xunzhong_village=world.village,
        grid=world.grid,
        longxun=world.other_town,
        shishan=_region("石山村", "350526100002", village, world.town),
        shishan_community=_region("石山社区", "350526100003", village, world.town),
        longxun_shishan=_region("石山村", "350526101002", village, world.other_town),
        yingshan=_region("英山村", "350526101003", village, world.other_town),
        dingxi=_region("丁溪社区", "350526101004", village, world.other_town),
        chengdong=chengdong,
        nanmen=_region("南门社区", "350526102001", village, chengdong),
    )


@pytest.fixture
def places(tree) -> PlaceResolver:
    return PlaceResolver()


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("village", "expected"),
    [
        ("英山村", "yingshan"),
        ("英山村委会", "yingshan"),
        ("英山村村委会", "yingshan"),
        ("英山村民委员会", "yingshan"),
        ("英山", "yingshan"),
        (" 英 山 村 ", "yingshan"),
        ("丁溪社区", "dingxi"),
        ("丁溪社区居委会", "dingxi"),
        ("丁溪居委会", "dingxi"),
        ("丁溪社区居民委员会", "dingxi"),
        ("丁溪", "dingxi"),
        ("丁溪村", "dingxi"),
        ("（龙浔）英山村", "yingshan"),
    ],
)
def test_a_village_matches_with_or_without_its_suffix(tree, places, village, expected):
    assert places.resolve(village=village).region == getattr(tree, expected)


@pytest.mark.parametrize(
    ("town", "expected"),
    [
        ("城东街道", "chengdong"),
        ("城东街道办事处", "chengdong"),
        ("城东街道办", "chengdong"),
        ("城东", "chengdong"),
        ("浔中镇", "xunzhong"),
        ("浔中", "xunzhong"),
        ("浔中镇人民政府", "xunzhong"),
        ("浔中镇政府", "xunzhong"),
        ("德化县浔中镇", "xunzhong"),
        ("\u3000浔中镇 ", "xunzhong"),
    ],
)
def test_a_town_alone_gives_the_town_by_any_of_its_forms(tree, places, town, expected):
    assert places.resolve(town=town).region == getattr(tree, expected)


def test_a_village_column_holding_its_town_too_is_read_whole(tree, places):
    assert places.resolve(village="龙浔镇石山村").region == tree.longxun_shishan
    assert places.resolve(village="浔中镇石山村委会").region == tree.shishan


def test_a_grid_may_be_named_in_the_village_column(tree, places):
    assert places.resolve(town="浔中镇", village="第一网格").region == tree.grid


# --- Namesakes ------------------------------------------------------------------------------


def test_a_village_in_two_towns_is_settled_by_the_town_column(tree, places):
    assert places.resolve(town="浔中镇", village="石山村").region == tree.shishan
    assert places.resolve(town="龙浔", village="石山村委会").region == tree.longxun_shishan


def test_a_village_in_two_towns_is_settled_by_a_town_in_the_address(tree, places):
    result = places.resolve(village="石山村", address="德化县龙浔镇石山村3组12号")
    assert result.region == tree.longxun_shishan


def test_a_village_in_two_towns_without_a_town_is_ambiguous(tree, places):
    result = places.resolve(village="石山村委会", address="石山路8号")
    assert result.region is None
    assert result.key == "石山村"
    assert result.candidates == (tree.shishan, tree.longxun_shishan)
    assert result.ambiguous
    assert not result.error


def test_an_ambiguous_value_keeps_its_town_in_the_key(tree, places):
    result = places.resolve(town="浔中镇", village="石山")
    assert result.region is None
    assert result.key == "浔中镇/石山"
    assert result.candidates == (tree.shishan, tree.shishan_community)


def test_a_village_outside_the_named_town_is_asked_about(tree, places):
    result = places.resolve(town="浔中镇", village="英山村")
    assert result.region is None
    assert result.key == "浔中镇/英山村"
    assert result.candidates == (tree.yingshan,)


# --- Addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("德化县龙浔镇英山村委会旁", "yingshan"),
        ("龙浔镇石山村5号", "longxun_shishan"),
        ("浔中镇石山村村委会对面", "shishan"),
        ("浔中镇浔中村第三组", "xunzhong_village"),
        ("城东街道办事处南门社区居委会", "nanmen"),
        ("英山村后山", "yingshan"),
        ("龙浔镇浔中路8号", "longxun"),
        ("龙浔镇浔中村旁", "longxun"),
        ("龙浔英山村", "yingshan"),
        ("城东某小区", "chengdong"),
        ("德化县城关中山街", "county"),
    ],
)
def test_an_address_gives_the_most_specific_region_it_names(tree, places, address, expected):
    assert places.resolve(address=address).region == getattr(tree, expected)


def test_an_address_naming_a_namesake_village_without_its_town_is_ambiguous(tree, places):
    result = places.resolve(address="石山村路口")
    assert result.region is None
    assert result.key == "石山村"
    assert result.candidates == (tree.shishan, tree.longxun_shishan)


def test_the_town_column_narrows_the_address(tree, places):
    assert places.resolve(town="浔中镇", address="石山村路口").region == tree.shishan
    assert places.resolve(town="龙浔镇", address="浔中村旁").region == tree.longxun


def test_a_county_in_the_address_settles_namesake_towns(tree):
    other_county = Region.objects.create(name="永春县", code="350525", level=RegionLevel.COUNTY)
    other_town = _region("浔中镇", "350525100", RegionLevel.TOWN, other_county)
    places = PlaceResolver()
    assert places.resolve(address="永春县浔中镇某路").region == other_town
    assert places.resolve(address="德化县浔中镇石山村").region == tree.shishan
    result = places.resolve(town="浔中镇")
    assert result.key == "浔中镇"
    assert result.candidates == (tree.xunzhong, other_town)
    # A village settles the town column's namesakes.
    assert places.resolve(town="浔中镇", village="石山村").region == tree.shishan


# --- Codes, picks, unknowns -----------------------------------------------------------------


def test_a_code_is_accepted_in_any_cell(tree, places):
    assert places.resolve(village="350526101003").region == tree.yingshan
    assert places.resolve(address="350526100001").region == tree.xunzhong_village
    assert places.resolve(village="350526100001g1").region == tree.grid
    # The 12-digit form of a shorter code in the tree; a town code narrows the village.
    assert places.resolve(town="350526100000").region == tree.xunzhong
    assert places.resolve(town="350526101000", village="石山村").region == tree.longxun_shishan


def test_a_pick_is_applied_first(tree):
    places = PlaceResolver(
        picks={
            "石山村": tree.longxun_shishan.code,
            "浔中镇/石山": tree.shishan_community.code,
            "英山村": tree.xunzhong_village.code,
            "东风镇": tree.chengdong.code,
        }
    )
    assert places.resolve(village="石山村委会").region == tree.longxun_shishan
    assert places.resolve(address="石山村路口").region == tree.longxun_shishan
    assert places.resolve(town="浔中镇", village="石山").region == tree.shishan_community
    # Applied even where the name alone would have resolved.
    assert places.resolve(village="英山村").region == tree.xunzhong_village
    # A picked town narrows the village like a named one.
    assert places.resolve(town="东风镇", village="南门社区").region == tree.nanmen
    # A pick is per value: with its town the value is another question.
    assert places.resolve(town="浔中镇", village="石山村").region == tree.shishan


def test_an_unknown_place_is_an_error_naming_the_value(tree, places):
    result = places.resolve(village="不存在村")
    assert result.region is None
    assert result.key == "不存在村"
    assert result.error == "未找到地点“不存在村”（不在您的管辖范围内或名称有误）"
    assert places.resolve(town="东风镇", village="石山村").key == "东风镇"
    assert places.resolve(town="浔中镇", village="无名村").key == "浔中镇/无名村"
    assert places.resolve(address="某某路8号").error


def test_a_blank_row_is_neither_resolved_nor_an_error(places):
    result = places.resolve(town=" ", village="", address="")
    assert result.region is None
    assert not result.key and not result.candidates and not result.error


# --- Scope ----------------------------------------------------------------------------------


def test_a_place_outside_the_users_scope_is_never_returned(tree):
    places = PlaceResolver(
        within=[tree.xunzhong],
        picks={"英山": tree.yingshan.code},
    )
    assert places.resolve(village="英山村").error
    assert places.resolve(town="龙浔镇").error
    assert places.resolve(village="350526101003").error
    assert places.resolve(address="德化县城关中山街").error  # the county is above the scope
    assert places.resolve(village="英山").error  # a pick outside the scope is no way in
    # 龙浔镇's 石山村 is not taken for the scope's namesake.
    assert places.resolve(address="龙浔镇石山村5号").error
    assert places.resolve(town="龙浔镇", village="石山村").candidates == (tree.shishan,)
    # Inside the scope the namesake is unique.
    assert places.resolve(village="石山村").region == tree.shishan


def test_a_town_above_a_village_scope_still_narrows_but_is_not_returned(tree):
    places = PlaceResolver(within=[tree.shishan])
    assert places.resolve(town="浔中镇", village="石山村").region == tree.shishan
    assert places.resolve(address="浔中镇石山村委会").region == tree.shishan
    assert places.resolve(town="浔中镇").error
    assert places.resolve(town="浔中镇", village="浔中村").error


def test_an_empty_scope_resolves_nothing(tree):
    assert PlaceResolver(within=[]).resolve(town="浔中镇").error


# --- Cost and labels ------------------------------------------------------------------------


def test_it_loads_in_one_query_and_resolves_without_any(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        places = PlaceResolver(within=[tree.county], picks={"石山村": tree.shishan.code})
    with django_assert_num_queries(0):
        for _row in range(3):
            assert places.resolve(town="浔中镇", village="石山村").region == tree.shishan
            assert places.resolve(address="德化县龙浔镇英山村委会旁").region == tree.yingshan
            assert places.resolve(village="石山").candidates
            assert places.resolve(village="不存在村").error
        assert places.label(tree.yingshan) == "德化县/龙浔镇/英山村"


def test_a_label_shows_the_path_from_the_county(tree):
    places = PlaceResolver(within=[tree.xunzhong])
    assert places.label(tree.grid) == "德化县/浔中镇/浔中村/第一网格"
    assert places.label(tree.county) == "德化县"
