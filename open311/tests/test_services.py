"""services.json|xml and services/{code}.json|xml: case types × categories with their attributes."""

import pytest

from cases.models import Category
from open311.tests.helpers import (
    ATTRIBUTE_FIELDS,
    SERVICE_FIELDS,
    body,
    children,
    get,
    xml_dict,
)
from regions.models import Region, RegionLevel


def test_every_active_category_and_every_type_is_a_service(world, client):
    data = body(get(client, "services", "json"))
    codes = [s["service_code"] for s in data]
    expected = {
        f"{c.case_type.code}-{c.code}"
        for c in Category.objects.filter(is_active=True).select_related("case_type")
    } | {t.code for t in world.types.values()}
    assert set(codes) == expected
    assert len(codes) == len(expected)


def test_a_service_has_the_fields_and_types_of_the_specification(world, client):
    data = body(get(client, "services", "json"))
    service = next(s for s in data if s["service_code"] == "resident_issue-05")
    assert list(service) == SERVICE_FIELDS
    assert service == {
        "service_code": "resident_issue-05",
        "service_name": "城乡建设与管理",
        "description": "民情诉求：城乡建设与管理。",
        "metadata": True,
        "type": "realtime",
        "keywords": "民情诉求, 城乡建设与管理",
        "group": "民情诉求",
    }
    unclassified = next(s for s in data if s["service_code"] == "resident_issue")
    assert unclassified["service_name"] == "民情诉求（未分类）"
    assert unclassified["group"] == "民情诉求"


def test_a_category_names_its_usual_unit(world, client):
    Category.objects.filter(case_type=world.types["enterprise_demand"], code="03").update(
        suggested_unit=world.dept
    )
    data = body(get(client, "services", "json"))
    service = next(s for s in data if s["service_code"] == "enterprise_demand-03")
    assert "一般由德化县人力资源和社会保障局承办" in service["description"]
    assert service["keywords"] == "企业诉求, 人力人才, 人社局"


def test_an_inactive_category_is_not_offered(world, client):
    Category.objects.filter(case_type=world.types["dispute"], code="01").update(is_active=False)
    codes = [s["service_code"] for s in body(get(client, "services", "json"))]
    assert "dispute-01" not in codes and "dispute-02" in codes
    assert get(client, "services/dispute-01", "json").status_code == 404


def test_services_in_xml_nest_as_the_specification_prints_them(world, client):
    root = body(get(client, "services", "xml"))
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    first = root[0]
    assert children(first) == SERVICE_FIELDS
    assert xml_dict(first)["metadata"] == "true"
    assert xml_dict(first)["type"] == "realtime"
    json_codes = [s["service_code"] for s in body(get(client, "services", "json"))]
    assert [s.find("service_code").text for s in root] == json_codes


def test_a_definition_lists_its_attributes_in_json(world, client):
    data = body(get(client, "services/resident_issue-05", "json"))
    assert list(data) == ["service_code", "attributes"]
    assert data["service_code"] == "resident_issue-05"
    region, title = data["attributes"]
    for attribute in (region, title):
        assert list(attribute) == ATTRIBUTE_FIELDS
        assert attribute["variable"] is True
        assert attribute["required"] is False
        assert isinstance(attribute["order"], int)
        assert attribute["description"].strip()  # clients show it as the question
    assert region["code"] == "region" and region["datatype"] == "singlevaluelist"
    assert region["datatype_description"] == "从列表中选择一个区划代码（key）"
    assert {"key": "350526100001G1", "name": "德化县 浔中镇 浔中村 第一网格"} in region["values"]
    assert len(region["values"]) == 6
    assert region["description"].startswith("事项发生地所在的镇、村（社区）或片区网格")
    assert title["code"] == "title" and title["datatype"] == "string"
    assert title["values"] == []


def test_a_definition_lists_its_attributes_in_xml(world, client):
    root = body(get(client, "services/resident_issue-05", "xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert children(attributes) == ["attribute", "attribute"]
    region = attributes[0]
    assert children(region) == ATTRIBUTE_FIELDS
    assert region.find("variable").text == "true"
    assert region.find("required").text == "false"
    assert region.find("datatype_description").text == "从列表中选择一个区划代码（key）"
    values = region.find("values")
    assert {v.tag for v in values} == {"value"}
    assert children(values[0]) == ["key", "name"]
    assert xml_dict(values[0]) == {"key": "350526", "name": "德化县"}


def test_an_enterprise_demand_asks_for_the_credit_code(world, client):
    data = body(get(client, "services/enterprise_demand-01", "json"))
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["region", "title", "enterprise_credit_code"]
    assert [a["order"] for a in data["attributes"]] == [1, 2, 3]


def test_an_unclassified_service_has_a_definition(world, client):
    assert body(get(client, "services/dispute", "json"))["service_code"] == "dispute"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_in_the_error_format(world, client, fmt):
    response = get(client, "services/nothing-99", fmt)
    assert response.status_code == 404
    data = body(response)
    if fmt == "json":
        assert data == [{"code": 404, "description": "服务 nothing-99 不存在。"}]
    else:
        assert data.tag == "errors"
        assert [xml_dict(e) for e in data] == [
            {"code": "404", "description": "服务 nothing-99 不存在。"}
        ]


def test_the_region_list_stops_at_pieces(world, client):
    group = Region.objects.create(
        name="第一组", code="350526100001G1Z1", level=RegionLevel.GROUP, parent=world.grid
    )
    data = body(get(client, "services/resident_issue-05", "json"))
    keys = [v["key"] for v in data["attributes"][0]["values"]]
    assert group.code not in keys
    assert keys == [
        "350526",
        "350526100",
        "350526100001",
        "350526100001G1",
        "350526101",
        "350526101001G1",
    ]


def test_every_attribute_of_every_service_says_what_to_enter(world, client):
    for service in body(get(client, "services", "json")):
        definition = body(get(client, f"services/{service['service_code']}", "json"))
        for attribute in definition["attributes"]:
            assert attribute["datatype_description"].strip(), attribute["code"]
