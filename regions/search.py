"""Find a place by typing: a fragment of its Chinese name, its pinyin initials or its pinyin.

浔中镇 is found by "浔中", "中镇", "xzz", "xz", "xunzhong" and "xun zhong". Matches rank
exact before prefix before fragment, then higher levels first (a town before its villages),
then in tree order; each comes with its full path (德化县 › 浔中镇 › 浔中村). The search stays
inside the subtrees it is given (a user's scope), which the caller works out: this registry
knows regions, not people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region
from regions.pinyin import normalise_query

MAX_QUERY_LENGTH = 50
MAX_RESULTS = 20
PATH_JOINER = " › "
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EXACT, PREFIX, FRAGMENT = 0, 1, 2


@dataclass(frozen=True)
class RegionMatch:
    region: Region
    path_names: tuple[str, ...]  # from the top of the tree down to the region itself

    @property
    def path_label(self) -> str:
        return PATH_JOINER.join(self.path_names)


def clean_query(text: str) -> str:
    """The typed text, trimmed; refused when it cannot be a place name."""
    if "\x00" in text:
        raise ValidationError(_("查询内容包含无效字符。"), code="invalid")
    text = text.strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("查询内容过长（最多 %(max)d 个字）。"),
            code="too_long",
            params={"max": MAX_QUERY_LENGTH},
        )
    return text


def _rank(query: str) -> tuple[Q, Case] | None:
    """The filter of the regions ``query`` finds and the annotation that ranks them."""
    if _HAN.search(query):
        exact, prefix, fragment = (
            Q(name=query),
            Q(name__startswith=query),
            Q(name__contains=query),
        )
    else:
        key = normalise_query(query)
        if not key:
            return None
        # The key is lower case and space-delimited (regions/pinyin.py); a latin name matches
        # by its own letters too.
        exact = Q(pinyin__contains=f" {key} ") | Q(name__iexact=query)
        prefix = Q(pinyin__contains=f" {key}") | Q(name__istartswith=query)
        fragment = Q(pinyin__contains=key) | Q(name__icontains=query)
    rank = Case(
        When(exact, then=Value(EXACT)),
        When(prefix, then=Value(PREFIX)),
        default=Value(FRAGMENT),
        output_field=IntegerField(),
    )
    return fragment, rank


def in_subtrees(roots: Iterable[Region]) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__gte=root.path, path__lt=root.path_range_end)
    return q


def _ancestor_paths(path: str) -> list[str]:
    segment = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
    return [path[: i + segment] for i in range(0, len(path), segment)]


def search_regions(
    query: str, roots: Sequence[Region] | None, *, limit: int = MAX_RESULTS
) -> list[RegionMatch]:
    """The places ``query`` finds under ``roots`` (None: everywhere), best first; two queries."""
    ranked = _rank(query.strip())
    if ranked is None or (roots is not None and not roots):
        return []
    fragment, rank = ranked
    regions = Region.objects.filter(fragment)
    if roots is not None:
        regions = regions.filter(in_subtrees(roots))
    found = list(
        regions.annotate(match=rank)
        .order_by("match", "level", "path")
        .only("pk", "name", "level", "path", "is_grid")[:limit]
    )
    paths = {p for region in found for p in _ancestor_paths(region.path)}
    names = dict(Region.objects.filter(path__in=paths).values_list("path", "name"))
    return [
        RegionMatch(region, tuple(names.get(p, "") for p in _ancestor_paths(region.path)))
        for region in found
    ]
