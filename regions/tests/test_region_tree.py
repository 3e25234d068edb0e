import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import Region, RegionLevel


@pytest.fixture
def tree(db):
    county = Region.objects.create(name="茶陵县", code="430224", level=RegionLevel.COUNTY)
    town = Region.objects.create(
        name="虎踞镇", code="430224101", level=RegionLevel.TOWN, parent=county
    )
    village = Region.objects.create(
        name="黄石村", code="430224101201", level=RegionLevel.VILLAGE, parent=town
    )
    piece = Region.objects.create(name="第一片", code="P1", level=RegionLevel.PIECE, parent=village)
    group = Region.objects.create(name="第三组", code="G3", level=RegionLevel.GROUP, parent=piece)
    neighbourhood = Region.objects.create(
        name="第五邻", code="N5", level=RegionLevel.NEIGHBOURHOOD, parent=group
    )
    other_village = Region.objects.create(
        name="银湖村", code="430224101202", level=RegionLevel.VILLAGE, parent=town
    )
    return {
        "county": county,
        "town": town,
        "village": village,
        "piece": piece,
        "group": group,
        "neighbourhood": neighbourhood,
        "other_village": other_village,
    }


def test_paths_are_fixed_width_segments_under_the_parent(tree):
    assert tree["county"].path == "0001."
    assert tree["town"].path == "0001.0001."
    assert tree["other_village"].path == "0001.0001.0002."
    assert tree["neighbourhood"].depth == 6


def test_a_subtree_is_one_query_and_holds_exactly_the_descendants(tree):
    with CaptureQueriesContext(connection) as queries:
        names = set(Region.objects.subtree(tree["village"]).values_list("name", flat=True))
    assert len(queries) == 1
    assert names == {"黄石村", "第一片", "第三组", "第五邻"}


def test_the_subtree_of_the_county_is_everything(tree):
    assert Region.objects.subtree(tree["county"]).count() == 7


def test_a_sibling_with_a_longer_number_is_not_in_the_subtree(tree):
    # Fixed-width segments: "0001." must not match "00010." — the range excludes siblings.
    assert tree["other_village"] not in Region.objects.subtree(tree["village"])


def test_ancestors_run_from_the_county_down_in_one_query(tree):
    with CaptureQueriesContext(connection) as queries:
        chain = [r.name for r in tree["neighbourhood"].ancestors()]
    assert len(queries) == 1
    assert chain == ["茶陵县", "虎踞镇", "黄石村", "第一片", "第三组", "第五邻"]


def test_the_subtree_query_uses_the_path_index(tree):
    sql, params = Region.objects.subtree(tree["village"]).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan
