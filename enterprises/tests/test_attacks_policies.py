"""The policy services under hostile input: region ids that are no ids (a bool, a fraction,
a number no column holds) are a ValidationError under ``conditions``, never an OverflowError."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from enterprises.policies import clean_conditions


@pytest.mark.parametrize(
    "value", [float("inf"), 10**400, -1, 0, 2.5, True, "1e3", "", None, [1], {"a": 1}, 2**31]
)
def test_a_region_condition_with_no_id_is_a_validation_error(world, value):
    with pytest.raises(ValidationError) as caught:
        clean_conditions([{"attribute": "region", "values": [value]}])
    [error] = caught.value.error_dict["conditions"]
    assert error.code == "invalid_region"


def test_a_region_id_may_come_as_a_number_or_as_text(world):
    for value in (world.town.pk, str(world.town.pk), f" {world.town.pk} "):
        [row] = clean_conditions([{"attribute": "region", "values": [value, world.town.pk]}])
        assert row["values"] == [world.town.pk]
