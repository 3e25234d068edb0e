"""A prepared read returns what its queryset returns, binds its values, builds its SQL once and
refuses what it cannot do safely."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from config.prepared import PreparedRead
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
    town = Region.objects.create(
        name="浔中镇", code="350526100", level=RegionLevel.TOWN, parent=county
    )
    chain = Organisation.objects.create(
        kind=OrgKind.CHAIN_COMMITTEE, name="德化县陶瓷产业链党委", region=county
    )
    plant = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="德化佳诚陶瓷有限公司",
        region=town,
        chain=chain,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00001"),
    )
    lone = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="德化县人社局")
    return county, town, chain, plant, lone


def by_region(region_id: int):
    return (
        Organisation.objects.select_related("region__parent", "chain")
        .filter(region_id=region_id)
        .order_by("id")
    )


def as_dicts(orgs):
    return [
        (
            model_to_dict(o),
            o.region and model_to_dict(o.region),
            o.region and o.region.parent and model_to_dict(o.region.parent),
            o.chain and model_to_dict(o.chain),
        )
        for o in orgs
    ]


def test_it_returns_what_the_queryset_returns_with_its_related_rows(places):
    county, town, chain, plant, lone = places
    read = PreparedRead(by_region, region_id=int)
    for region in (county, town):
        found = read(region_id=region.pk)
        assert found and as_dicts(found) == as_dicts(by_region(region.pk))
    assert read(region_id=town.pk)[0].chain.name == "德化县陶瓷产业链党委"
    assert read(region_id=10**9) == []
    # A related row already read is not read again; a missing one is None without a query.
    with CaptureQueriesContext(connection) as queries:
        org = read(region_id=town.pk)[0]
        assert (org.region.parent.name, org.chain.region_id) == ("德化县", county.pk)
    assert len(queries) == 1


def test_it_builds_the_sql_once_per_connection_and_binds_each_value(places):
    county, town, *_ = places
    builds = []

    def build(name: str):
        builds.append(name)
        return Organisation.objects.filter(name=name).order_by("id")

    read = PreparedRead(build, name=str)
    assert [o.name for o in read(name="德化县人社局")] == ["德化县人社局"]
    count = len(builds)
    hostile = "x' OR '1'='1"
    assert read(name=hostile) == []  # a value, never SQL
    assert [o.name for o in read(name="德化佳诚陶瓷有限公司")] == ["德化佳诚陶瓷有限公司"]
    Organisation.objects.create(kind=OrgKind.DEPARTMENT, name=hostile)
    with CaptureQueriesContext(connection) as queries:
        assert [o.name for o in read(name=hostile)] == [hostile]
    assert len(queries) == 1
    assert len(builds) == count <= 2
    assert all(name.startswith("\x1fprepared") for name in builds)


def test_it_refuses_a_value_the_lookup_would_rewrite():
    read = PreparedRead(lambda name: Organisation.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ImproperlyConfigured, match="plain bound value"):
        read(name="陶瓷")


def test_it_refuses_values_rows_and_parameters_it_cannot_bind(places):
    with pytest.raises(ImproperlyConfigured):
        PreparedRead(lambda pk: Organisation.objects.filter(pk=pk), pk=float)
    values = PreparedRead(lambda pk: Organisation.objects.filter(pk=pk).values("name"), pk=int)
    with pytest.raises(ImproperlyConfigured, match="whole model rows"):
        values(pk=1)
    read = PreparedRead(lambda pk: Organisation.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError):
        read(pk="1")
    with pytest.raises(TypeError):
        read(id=1)


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_locking_read_needs_a_transaction(places):
    *_, lone = places
    read = PreparedRead(lambda pk: Organisation.objects.select_for_update().filter(pk=pk), pk=int)
    with pytest.raises(TransactionManagementError):
        read(pk=lone.pk)
    with transaction.atomic():
        assert [o.pk for o in read(pk=lone.pk)] == [lone.pk]


def test_on_postgresql_the_statement_is_prepared_on_the_server(places, settings):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    county, town, *_ = places

    def newest_first(region_id: int):  # a statement no other test prepares
        return Organisation.objects.filter(region_id=region_id).order_by("-name", "-id")

    read = PreparedRead(newest_first, region_id=int)

    def prepared(pattern: str = '%ORDER BY "orgs_organisation"."name" DESC%') -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [pattern]
            )
            return cursor.fetchone()[0]

    assert prepared() == 0
    assert list(read(region_id=town.pk)) == list(newest_first(town.pk))
    assert prepared() == 1
    assert list(read(region_id=county.pk)) == list(newest_first(county.pk))
    assert prepared() == 1  # the same statement, new values
    settings.LIANXIN_PG_PREPARED_STATEMENTS = False
    other = PreparedRead(lambda name: Organisation.objects.filter(short_name=name), name=str)
    assert other(name="人社局") == []
    assert prepared('%"orgs_organisation"."short_name" = $1%') == 0


def test_save_fields_writes_only_the_named_columns_and_sends_the_signals(places):
    from django.db.models import F
    from django.db.models.signals import post_save, pre_save

    from config.prepared import save_fields
    from people.models import ApiKey, User

    county, *_, lone = places
    lone.name, lone.short_name = "德化县人力资源和社会保障局", "人社局"
    heard = []

    def listen(sender, update_fields, **kwargs):
        heard.append((sender, update_fields))

    pre_save.connect(listen, sender=Organisation)
    post_save.connect(listen, sender=Organisation)
    try:
        with CaptureQueriesContext(connection) as queries:
            save_fields(lone, ["short_name"])
    finally:
        pre_save.disconnect(listen, sender=Organisation)
        post_save.disconnect(listen, sender=Organisation)
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    fresh = Organisation.objects.get(pk=lone.pk)
    assert (fresh.name, fresh.short_name) == ("德化县人社局", "人社局")  # name was not named
    assert heard == [(Organisation, frozenset({"short_name"}))] * 2
    # A foreign key by its name.
    user = User.objects.create_user("svc", password="pass-12345")
    key = ApiKey.objects.create(name="k", user=user, prefix="lx_a", digest="d" * 64)
    key.user = User.objects.create_user("svc2", password="pass-12345")
    save_fields(key, ["user"])
    assert ApiKey.objects.get(pk=key.pk).user == key.user
    # An expression goes through the ORM.
    Region.objects.filter(pk=county.pk).update(population=100)
    county.population = F("population") + 5
    save_fields(county, ["population"])
    assert Region.objects.get(pk=county.pk).population == 105
    # A row gone is an error, as save(update_fields=...) makes it.
    Organisation.objects.filter(pk=lone.pk).delete()
    with pytest.raises(DatabaseError):
        save_fields(lone, ["short_name"])


def test_insert_row_writes_what_save_writes_in_one_statement_and_sends_the_signals(places):
    from django.db.models.signals import post_save, pre_save

    from config.prepared import insert_row
    from people.models import ApiKey, User

    user = User.objects.create_user("svc", password="pass-12345")
    by_orm = ApiKey(name="orm", user=user, prefix="lx_a", digest="a" * 64)
    by_orm.save(force_insert=True)
    heard = []

    def listen(sender, created=None, **kwargs):
        heard.append((sender, created))

    pre_save.connect(listen, sender=ApiKey)
    post_save.connect(listen, sender=ApiKey)
    try:
        row = ApiKey(name="prepared", user=user, prefix="lx_a", digest="b" * 64)
        with CaptureQueriesContext(connection) as queries:
            insert_row(row)
    finally:
        pre_save.disconnect(listen, sender=ApiKey)
        post_save.disconnect(listen, sender=ApiKey)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    assert heard == [(ApiKey, None), (ApiKey, True)]
    assert row.pk is not None and row.pk != by_orm.pk and not row._state.adding
    assert row.created_at is not None  # auto_now_add, as save() stamps it
    fresh, reference = ApiKey.objects.get(pk=row.pk), ApiKey.objects.get(pk=by_orm.pk)
    keep = {"id", "name", "digest", "created_at"}
    assert {k: v for k, v in model_to_dict(fresh).items() if k not in keep} == {
        k: v for k, v in model_to_dict(reference).items() if k not in keep
    }
    assert (fresh.name, fresh.digest, fresh.created_at) == ("prepared", "b" * 64, row.created_at)


def test_insert_row_leaves_to_the_orm_what_it_cannot_write_as_save_would(places):
    from django.db.models import Value

    from config.prepared import insert_row

    county = places[0]
    # A model whose save() does more (Organisation stores a blank credit code as NULL).
    org = Organisation(
        kind=OrgKind.DEPARTMENT, name="德化县应急管理局", region=county, credit_code=""
    )
    insert_row(org)
    assert Organisation.objects.get(pk=org.pk).credit_code is None
    from people.models import ApiKey, User

    user = User.objects.create_user("svc3", password="pass-12345")
    # A row that names its own auto key keeps it.
    named = ApiKey(pk=987_654, name="自带主键", user=user, prefix="lx_b", digest="n" * 64)
    insert_row(named)
    assert ApiKey.objects.filter(pk=987_654, name="自带主键").exists()
    # An expression as a value is compiled by the ORM.
    key = ApiKey(name=Value("表达式"), user=user, prefix="lx_c", digest="c" * 64)
    insert_row(key)
    assert ApiKey.objects.get(pk=key.pk).name == "表达式"


def test_the_database_task_backend_writes_the_row_django_tasks_writes():
    from django_tasks_db import DatabaseBackend as OrmDatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from cases.tasks import check_case_deadline
    from config.tasks import DatabaseBackend

    assert isinstance(check_case_deadline.get_backend(), DatabaseBackend)
    ours = check_case_deadline.enqueue(41)
    theirs = OrmDatabaseBackend("default", {}).enqueue(check_case_deadline, (41,), {})
    assert ours.status == theirs.status == "READY"
    skip = {"id", "enqueued_at"}
    [mine, reference] = [
        {k: v for k, v in model_to_dict(DBTaskResult.objects.get(pk=r.id)).items() if k not in skip}
        for r in (ours, theirs)
    ]
    assert mine == reference
    assert check_case_deadline.get_backend().get_result(ours.id).args == [41]
