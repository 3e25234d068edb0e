"""The units and categories a ledger row names, found among the registry's rows.

A ledger's 承办单位 reads "县住建局" where the registry holds "德化县住房和城乡建设局" (short name
"住建局"), its 协办单位 "县自然资源局、浔中镇", its 类别 "城乡建设-违章搭建". The resolvers here
load their rows once per file (a constant number of queries) and answer every word from memory.

A unit word is compared with each unit's name, short name and aliases (别名, kept in the
registry) at successive levels of leniency; the first level where the word meets any unit
decides:

1. as written (normalised: half-width, no spaces, no bracketed notes);
2. with the usual abbreviations applied on both sides (:data:`ABBREVIATIONS`):
   住房和城乡建设局 and 住建局 are one word, 浔中镇人民政府 and 浔中镇政府 read 浔中镇;
3. without a leading county prefix (德化县, 德化, 县, 市, 区, 中共): "县住建局" is 住建局;
4. with a leading town name read as its stem: "浔中镇派出所" is 浔中派出所;
5. without a leading town: "浔中镇综治中心" meets every unit called 综治中心 (a question, not a
   guess, when there are several).

One unit met: resolved. Several: the candidates, for the user to choose. None: the reason, and
:meth:`UnitResolver.suggestions` ranks near spellings (difflib) for the wizard; a fuzzy match is
never taken on its own. The user's choices come back as ``picks`` (word → primary key) and are
applied first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from cases.models import CaseType, Category
from ledgers.places import stem
from ledgers.vocabulary import normalise
from orgs.models import Organisation
from regions.models import Region, RegionLevel

# Below this a fuzzy suggestion is not worth showing.
MIN_SUGGESTION_SCORE = 0.35
# At least this much of a word must remain once a prefix is taken off it ("县政府" stays whole).
MIN_REMAINDER = 2

# How offices shorten units' names, as (pattern, replacement) applied in order to both the
# ledger's word and every name, short name and alias: each family of spellings becomes one word.
# Older names of merged bureaus (国土局, 工商局, 安监局) are listed as the later bureau: history
# ledgers use them. "资源局" alone is left out: it may be 自然资源局 or 人力资源和社会保障局.
# fmt: off
ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # 公安局浔中派出所 → 浔中派出所; 司法局浔中司法所 → 浔中司法所.
        (r"公安局(.+派出所)", r"\1"),
        (r"司法局(.+司法所)", r"\1"),
        # 浔中镇人民政府, 浔中镇政府 → 浔中镇 (the town's own name stands for its government).
        (r"(?<=[镇乡])(人民)?政府$", ""),
        (r"街道办事处$|街道办$", "街道"),
        # 浔中村两委, 浔中村委会, 浔中村村民委员会 → 浔中村; 丁溪社区居委会 → 丁溪社区.
        (r"两委$", ""),
        (r"村?(村民委员会|村委会|村委)$", "村"),
        (r"(社区)?(居民委员会|居委会)$", "社区"),
        (r"住房和城乡建设局|住房城乡建设局|城乡建设局|住建局", "住建局"),
        (r"自然资源和规划局|自然资源规划局|资源规划局|资规局|国土资源局|国土局|自然资源局",
         "自然资源局"),
        (r"市场监督管理局|市场监管局|市监局|工商行政管理局|工商局", "市场监管局"),
        (r"人力资源和社会保障局|人力资源社会保障局|人社局|劳动和社会保障局|劳动保障局|劳保局",
         "人社局"),
        (r"卫生健康局|卫生和计划生育局|卫计局|卫健局|卫生局", "卫健局"),
        (r"工业和信息化局|工业信息化局|经济和信息化局|经信局|工信局", "工信局"),
        (r"应急管理局|安全生产监督管理局|安监局|应急局", "应急局"),
        (r"交通运输局|交通局", "交通局"),
        (r"生态环境分局|生态环境局|环境保护局|环保局", "环保局"),
        (r"农业农村局|农业局", "农业局"),
        (r"城市管理和综合执法局|城市管理综合执法局|城市管理局|城管执法局|城管局", "城管局"),
        (r"发展和改革局|发展改革局|发展和改革委员会|发改委|发改局", "发改局"),
        (r"文化体育和旅游局|文化和旅游局|文体旅局|文旅局", "文旅局"),
        (r"消防救援大队|消防大队", "消防大队"),
    )
)
# fmt: on
# Prefixes of any county (besides the tree's own county names) and of party bodies.
GENERIC_PREFIXES = ("中共", "县", "市", "区")
WORD_SEPARATORS = re.compile(r"[、,;/\n\r]+")
CATEGORY_SEPARATORS = re.compile(r"[-—–_/\\>›|:·→]+")


def _display(word: str) -> str:
    """A ledger word as shown: half-width, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", word or ""))


def abbreviate(text: str) -> str:
    """A normalised name with the usual abbreviations applied (:data:`ABBREVIATIONS`)."""
    for pattern, replacement in ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


def _strip_prefixes(text: str, prefixes: Sequence[str]) -> str:
    """``text`` without the leading ``prefixes`` (longest first), as long as a name remains."""
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) - len(prefix) >= MIN_REMAINDER:
                text = text[len(prefix) :]
                changed = True
                break
    return text


@dataclass(frozen=True)
class UnitResult:
    """The unit a ledger word names: ``unit``, or the ``candidates`` to choose from, or the
    ``error``. A blank word gives none of them."""

    unit: Organisation | None
    word: str
    candidates: tuple[Organisation, ...] = ()
    error: str = ""


class UnitResolver:
    """Handling units (``Organisation.objects.handling_units()``: departments, town governments,
    village committees, working groups, associations) named by ledger words. Two queries when
    built (the units, the county and town names); none when resolving."""

    def __init__(self, picks: Mapping[str, str] | None = None) -> None:
        places = list(
            Region.objects.filter(level__lte=RegionLevel.TOWN).values_list("name", "level")
        )
        counties = {normalise(n) for n, level in places if level == RegionLevel.COUNTY}
        counties |= {stem(name, RegionLevel.COUNTY) for name in counties}
        self._county_prefixes = sorted(counties | set(GENERIC_PREFIXES), key=len, reverse=True)
        towns = {normalise(n) for n, level in places if level == RegionLevel.TOWN}
        self._town_stems = {
            name: stem(name, RegionLevel.TOWN) for name in sorted(towns, key=len, reverse=True)
        }
        self._town_prefixes = sorted(towns | set(self._town_stems.values()), key=len, reverse=True)
        self._units = list(Organisation.objects.handling_units().order_by("name", "pk"))
        self._by_pk = {str(unit.pk): unit for unit in self._units}
        self._levels: list[dict[str, list[Organisation]]] = [
            defaultdict(list) for _level in range(5)
        ]
        self._spellings: dict[int, set[str]] = defaultdict(set)
        for unit in self._units:
            for spelling in (unit.name, unit.short_name, *unit.alias_list):
                forms = self._forms(spelling)
                for level, form in enumerate(forms):
                    if form and unit not in self._levels[level][form]:
                        self._levels[level][form].append(unit)
                self._spellings[unit.pk].update(f for f in forms if f)
        self._picks = {normalise(word): pk for word, pk in (picks or {}).items()}
        # A file names the same few units on thousands of rows: each word is worked out once.
        self._cache: dict[str, UnitResult] = {}
        self._cells: dict[str, list[UnitResult]] = {}

    def _forms(self, text: str) -> tuple[str, str, str, str, str]:
        """A name at each level of leniency (see the module's docstring)."""
        written = normalise(text)
        short = abbreviate(written)
        local = _strip_prefixes(short, self._county_prefixes)
        stemmed = local
        for town, town_stem in self._town_stems.items():
            if local.startswith(town):
                stemmed = town_stem + local[len(town) :]
                break
        bare = _strip_prefixes(stemmed, self._town_prefixes)
        return written, short, local, stemmed, bare

    def resolve(self, word: str) -> UnitResult:
        """The unit one ledger word names."""
        shown = _display(word)
        if shown not in self._cache:
            self._cache[shown] = self._resolve(shown)
        return self._cache[shown]

    def _resolve(self, shown: str) -> UnitResult:
        normal = normalise(shown)
        if not normal:
            return UnitResult(None, shown)
        picked = self._by_pk.get(str(self._picks.get(normal, "")))
        if picked is not None:
            return UnitResult(picked, shown)
        for level, form in enumerate(self._forms(normal)):
            found = self._levels[level].get(form) if form else None
            if found and len(found) == 1:
                return UnitResult(found[0], shown)
            if found:
                return UnitResult(None, shown, candidates=tuple(found))
        return UnitResult(
            None,
            shown,
            error=_("未找到单位“%(v)s”，请在映射中选择或在机构管理中添加别名") % {"v": shown},
        )

    def resolve_many(self, text: str) -> list[UnitResult]:
        """Every unit a cell lists ("县住建局、县自然资源局；浔中镇"), in order, each once.

        Units are separated by 、,，;；/ or line breaks; spaces separate them too unless the whole
        spaced part names one unit ("德化县 住建局")."""
        text = text or ""
        if text not in self._cells:
            self._cells[text] = self._resolve_many(text)
        return list(self._cells[text])

    def _resolve_many(self, text: str) -> list[UnitResult]:
        words: list[str] = []
        for part in WORD_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
            pieces = part.split()
            if len(pieces) > 1 and not self._meets(part):
                words.extend(pieces)
            else:
                words.append(part)
        results: dict[str, UnitResult] = {}
        for word in words:
            key = normalise(word)
            if key and key not in results:
                results[key] = self.resolve(word)
        return list(results.values())

    def _meets(self, word: str) -> bool:
        result = self.resolve(word)
        return result.unit is not None or bool(result.candidates)

    def suggestions(self, word: str, limit: int = 3) -> list[tuple[Organisation, float]]:
        """The units nearest to a word, best first, with a score in 0–1: for the wizard."""
        forms = {form for form in self._forms(word) if form}
        if not forms:
            return []
        scored = []
        for unit in self._units:
            score = max(
                (
                    _similarity(form, spelling)
                    for form in forms
                    for spelling in self._spellings[unit.pk]
                ),
                default=0.0,
            )
            if score >= MIN_SUGGESTION_SCORE:
                scored.append((unit, round(score, 3)))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit]


def _similarity(word: str, known: str) -> float:
    """1.0 for the same word; a word inside the other scores by how much of it it covers;
    otherwise difflib's ratio."""
    if word == known:
        return 1.0
    ratio = SequenceMatcher(None, word, known).ratio()
    shorter, longer = sorted((word, known), key=len)
    if len(shorter) >= MIN_REMAINDER and shorter in longer:
        ratio = max(ratio, 0.6 + 0.35 * len(shorter) / len(longer))
    return ratio


# --- Categories -----------------------------------------------------------------------------


def _category_key(text: str) -> str:
    """A category word as compared: normalised, without a trailing 类 ("邻里纠纷类")."""
    key = normalise(text)
    return key[:-1] if key.endswith("类") and len(key) > MIN_REMAINDER else key


class CategoryResolver:
    """The categories of one case type named by ledger words: by name or code, a word holding a
    name or held by one ("城乡建设" → 城乡建设与管理), and for a two-level word
    ("城乡建设-违章搭建") each of its parts, the whole first, then the last, then the others.

    One query when built; ``picks`` maps a word to a category's primary key (as text).
    """

    def __init__(self, case_type: CaseType, picks: Mapping[str, str] | None = None) -> None:
        self._categories = list(
            Category.objects.filter(case_type=case_type, is_active=True).order_by("code")
        )
        self._by_pk = {str(c.pk): c for c in self._categories}
        self._keys = [(c, _category_key(c.name), normalise(c.code)) for c in self._categories]
        self._picks = {_category_key(word): pk for word, pk in (picks or {}).items()}

    def resolve(self, word: str) -> tuple[Category | None, tuple[Category, ...], str]:
        """(category, (), "") when resolved; (None, candidates, "") when several fit;
        (None, (), reason) when none does; (None, (), "") for a blank word."""
        key = _category_key(word)
        if not key:
            return None, (), ""
        picked = self._by_pk.get(str(self._picks.get(key, "")))
        if picked is not None:
            return picked, (), ""
        parts = self._parts(key)
        for matches in (self._exact, self._containing):
            for part in parts:
                found = matches(part)
                if len(found) == 1:
                    return found[0], (), ""
                if found:
                    return None, tuple(found), ""
        return (
            None,
            (),
            _("未找到分类“%(v)s”，请在映射中选择") % {"v": _display(word)},
        )

    def suggestions(self, word: str, limit: int = 3) -> list[tuple[Category, float]]:
        """The categories nearest to a word, best first, with a score in 0–1."""
        parts = self._parts(_category_key(word))
        if not parts:
            return []
        scored = []
        for category, name, _code in self._keys:
            score = max(_similarity(part, name) for part in parts)
            if score >= MIN_SUGGESTION_SCORE:
                scored.append((category, round(score, 3)))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit]

    @staticmethod
    def _parts(key: str) -> list[str]:
        """The whole word, then its last part, then the others from the end."""
        if not key:
            return []
        parts = [_category_key(p) for p in CATEGORY_SEPARATORS.split(key) if p]
        return list(dict.fromkeys([key, *reversed(parts)]))

    def _exact(self, part: str) -> list[Category]:
        return [c for c, name, code in self._keys if part in (name, code)]

    def _containing(self, part: str) -> list[Category]:
        if len(part) < MIN_REMAINDER:
            return []
        return [
            c
            for c, name, _code in self._keys
            if len(name) >= MIN_REMAINDER and (name in part or part in name)
        ]
