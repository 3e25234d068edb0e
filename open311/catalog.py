"""The services Open311 publishes: each case type's active categories, plus the type itself.

A service code is derived, never stored: ``<case type code>-<category code>``
(``resident_issue-05``), or the bare case type code (``resident_issue``) for a request the
dispatcher classifies at triage. A case's code therefore follows its category: a request filed
unclassified shows the category's code once triage sets one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseType, Category
from open311.models import CatalogVersion
from regions.models import Region, RegionLevel

ENTERPRISE_TYPE = "enterprise_demand"


def service_code(type_code: str, category_code: str | None) -> str:
    return f"{type_code}-{category_code}" if category_code else type_code


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: str
    case_type: CaseType
    category: Category | None

    def as_data(self) -> dict:
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": self.description,
            # Every service has attributes (at least the region and the title).
            "metadata": True,
            # The request id is returned at once: requests are created synchronously.
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    # Required and never empty: clients show it beside the field as the hint on what to enter.
    datatype_description: str
    values: tuple[tuple[str, str], ...] = field(default=())

    def as_data(self) -> dict:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


def _keywords(*words: str) -> str:
    return ", ".join(dict.fromkeys(w for w in words if w))


def load_services() -> dict[str, Service]:
    """Every published service by code, in display order (two queries)."""
    types = list(CaseType.objects.order_by("ordering", "code"))
    categories: dict[int, list[Category]] = {}
    for category in (
        Category.objects.filter(is_active=True)
        .select_related("suggested_unit")
        .order_by("case_type_id", "code")
    ):
        categories.setdefault(category.case_type_id, []).append(category)
    services: dict[str, Service] = {}
    for case_type in types:
        intro = case_type.description.strip()
        for category in categories.get(case_type.pk, []):
            unit = category.suggested_unit
            text = _("%(type)s：%(category)s。") % {
                "type": case_type.name,
                "category": category.name,
            }
            if unit:
                text += _("一般由%(unit)s承办。") % {"unit": unit.name}
            code = service_code(case_type.code, category.code)
            services[code] = Service(
                code=code,
                name=category.name,
                description=f"{text}{intro}",
                group=case_type.name,
                keywords=_keywords(case_type.name, category.name, unit.short_name if unit else ""),
                case_type=case_type,
                category=category,
            )
        services[case_type.code] = Service(
            code=case_type.code,
            name=_("%(type)s（未分类）") % {"type": case_type.name},
            description=_("%(type)s，暂不确定分类的，由研判人员受理后分类。")
            % {"type": case_type.name}
            + intro,
            group=case_type.name,
            keywords=_keywords(case_type.name, _("其他"), _("未分类")),
            case_type=case_type,
            category=None,
        )
    return services


def region_choices() -> tuple[tuple[str, str], ...]:
    """The places a requester can name, as (code, full name from the county down), in tree order
    (one query): county, towns, villages and pieces (片, where grids usually sit). Finer nodes
    (groups, neighbourhoods) are hundreds per town and known only inside; a client may still send
    their code as address_id."""
    names: dict[str, str] = {}
    choices = []
    rows = Region.objects.order_by("path").values_list("code", "name", "path", "level")
    for code, name, path, level in rows:
        parent_path = path[: path.rstrip(".").rfind(".") + 1]
        full = f"{names[parent_path]} {name}" if parent_path in names else name
        names[path] = full
        if level <= RegionLevel.PIECE:
            choices.append((code, full))
    return tuple(choices)


def attributes(service: Service, regions: tuple[tuple[str, str], ...]) -> list[Attribute]:
    """The questions a client asks before posting a request of ``service``."""
    result = [
        Attribute(
            code="region",
            datatype="singlevaluelist",
            required=False,
            order=1,
            description=_(
                "事项发生地所在的镇、村（社区）或片区网格（区划代码）。更细的区域（组、邻）请用 address_id 传入；"
                "都未提供时记入提交系统所属区域，由研判人员核定。"
            ),
            datatype_description=_("从列表中选择一个区划代码（key）"),
            values=regions,
        ),
        Attribute(
            code="title",
            datatype="string",
            required=False,
            order=2,
            description=_("诉求标题，不超过 200 字；不填时取诉求内容的开头。"),
            datatype_description=_("不超过 200 字的文本"),
        ),
    ]
    if service.case_type.code == ENTERPRISE_TYPE:
        result.append(
            Attribute(
                code="enterprise_credit_code",
                datatype="string",
                required=False,
                order=3,
                description=_("提出诉求的企业的统一社会信用代码。"),
                datatype_description=_("18 位统一社会信用代码"),
            )
        )
    return result


def definition_data(service: Service, regions: tuple[tuple[str, str], ...]) -> dict:
    return {
        "service_code": service.code,
        "attributes": [a.as_data() for a in attributes(service, regions)],
    }


def changeset() -> datetime:
    """When the catalog last changed: the first time its current digest was seen (see model)."""
    services = load_services()
    regions = region_choices()
    payload = [
        {**s.as_data(), "definition": definition_data(s, regions)} for s in services.values()
    ]
    digest = hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    version = CatalogVersion.objects.filter(digest=digest).first()
    if version is None:
        try:
            with transaction.atomic():
                version = CatalogVersion.objects.create(digest=digest, first_seen_at=timezone.now())
        except IntegrityError:  # a concurrent request recorded it first
            version = CatalogVersion.objects.get(digest=digest)
    return version.first_seen_at
