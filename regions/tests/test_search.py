"""Finding a place by typing: Chinese fragments, pinyin initials, full pinyin, scope, ranking."""

import pytest
from django.core.exceptions import ValidationError

from regions.models import Region, RegionLevel
from regions.pinyin import pinyin_key
from regions.search import MAX_QUERY_LENGTH, clean_query, search_regions


@pytest.fixture
def tree(db):
    county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
    town = Region.objects.create(
        name="浔中镇", code="350526100", level=RegionLevel.TOWN, parent=county
    )
    village = Region.objects.create(
        name="浔中村", code="350526100001", level=RegionLevel.VILLAGE, parent=town
    )
    grid = Region.objects.create(
        name="浔中第一网格", code="G1", level=RegionLevel.PIECE, parent=village, is_grid=True
    )
    other_town = Region.objects.create(
        name="龙浔镇", code="350526101", level=RegionLevel.TOWN, parent=county
    )
    other_village = Region.objects.create(
        name="长坑村", code="350526101001", level=RegionLevel.VILLAGE, parent=other_town
    )
    return {
        "county": county,
        "town": town,
        "village": village,
        "grid": grid,
        "other_town": other_town,
        "other_village": other_village,
    }


def names(matches):
    return [m.region.name for m in matches]


def test_the_key_holds_initials_and_full_pinyin():
    assert pinyin_key("浔中镇") == " xzz xunzhongzhen "
    # A polyphone adds its other readings: 长坑 is chang keng as well as zhang keng.
    assert " ckc " in pinyin_key("长坑村") and " changkengcun " in pinyin_key("长坑村")
    assert " d1wg " in pinyin_key("第1网格")


def test_a_chinese_fragment_finds_the_place_with_its_full_path(tree):
    [match] = search_regions("中村", None)
    assert match.region == tree["village"]
    assert match.path_label == "德化县 › 浔中镇 › 浔中村"


def test_pinyin_initials_find_the_place_and_a_prefix_too(tree):
    assert names(search_regions("xzz", None)) == ["浔中镇"]
    assert names(search_regions("XZC", None)) == ["浔中村"]
    assert names(search_regions("xz", None))[:2] == ["浔中镇", "浔中村"]


def test_full_pinyin_with_or_without_spaces_finds_the_place(tree):
    assert names(search_regions("xunzhongzhen", None)) == ["浔中镇"]
    assert names(search_regions("xun zhong cun", None)) == ["浔中村"]
    assert names(search_regions("changkeng", None)) == ["长坑村"]


def test_exact_before_prefix_before_fragment_then_higher_levels_first(tree):
    # 浔: a fragment of 龙浔镇, the prefix of 浔中镇, 浔中村 and the grid.
    assert names(search_regions("浔", None)) == ["浔中镇", "浔中村", "浔中第一网格", "龙浔镇"]
    # The exact name wins over the longer names it begins.
    assert names(search_regions("浔中村", None))[0] == "浔中村"
    # Initials "lxz" exactly; "xz" only inside it: after the ones it begins.
    assert names(search_regions("lxz", None)) == ["龙浔镇"]
    assert names(search_regions("xz", None))[-1] == "龙浔镇"


def test_the_search_stays_inside_the_given_subtrees(tree):
    assert names(search_regions("浔中", [tree["other_town"]])) == []
    assert names(search_regions("xzc", [tree["town"]])) == ["浔中村"]
    assert names(search_regions("ckc", [tree["town"]])) == []
    assert search_regions("浔中", []) == []


def test_results_are_capped(tree):
    for i in range(30):
        Region.objects.create(
            name=f"浔中{i}组", code=f"Z{i}", level=RegionLevel.GROUP, parent=tree["grid"]
        )
    assert len(search_regions("浔中", None)) == 20
    assert len(search_regions("浔中", None, limit=5)) == 5


def test_nothing_to_search_finds_nothing(tree):
    assert search_regions("", None) == []
    assert search_regions("  '  ", None) == []


def test_the_key_follows_a_renamed_region(tree):
    town = tree["town"]
    town.name = "盖德镇"
    town.save(update_fields=["name"])
    assert names(search_regions("gdz", None)) == ["盖德镇"]
    assert search_regions("xzz", None) == []


def test_bulk_created_regions_get_their_key_too(tree):
    Region.objects.bulk_create(
        [
            Region(
                name="美湖镇",
                code="M1",
                level=RegionLevel.TOWN,
                parent=tree["county"],
                path="0001.0009.",
            )
        ]
    )
    assert names(search_regions("mhz", None)) == ["美湖镇"]


@pytest.mark.parametrize("bad", ["浔" * (MAX_QUERY_LENGTH + 1), "xz\x00z"])
def test_a_query_that_cannot_be_a_place_is_refused(bad):
    with pytest.raises(ValidationError):
        clean_query(bad)


def test_a_query_is_trimmed():
    assert clean_query("  xzz ") == "xzz"
