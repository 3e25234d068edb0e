import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgs.credit_code import make_credit_code
from orgs.models import Enterprise, Organisation, OrgKind


def test_an_enterprise_needs_a_credit_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind=OrgKind.ENTERPRISE, name="无代码陶瓷厂")


def test_full_clean_rejects_a_bad_check_character_in_chinese(db):
    code = make_credit_code("9", "1", "350526", "MA2Y00002")
    bad = code[:17] + ("X" if code[17] != "X" else "Y")
    enterprise = Organisation(kind=OrgKind.ENTERPRISE, name="盛艺窑瓷业有限公司", credit_code=bad)
    with pytest.raises(ValidationError) as error:
        enterprise.full_clean()
    assert "校验位" in str(error.value.message_dict["credit_code"])


def test_the_enterprise_proxy_lists_only_enterprises_and_saves_the_kind(db):
    Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="德化县税务局")
    firm = Enterprise.objects.create(
        name="陶知然陶瓷文化创意有限公司",
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00003").lower(),
    )
    assert list(Enterprise.objects.all()) == [firm]
    firm.refresh_from_db()
    assert firm.kind == OrgKind.ENTERPRISE
    assert firm.credit_code == firm.credit_code.upper()


def test_blank_credit_codes_are_stored_as_null_so_many_may_exist(db):
    first = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="陶瓷办", credit_code="")
    Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="版权局", credit_code="  ")
    first.refresh_from_db()
    assert first.credit_code is None
