"""The place a ledger row names, found in the region tree: by town, village, address or code.

Offices write places their own way: a town column ("浔中镇", "浔中"), a village column
("石山村", "石山村委会", "石山村民委员会"), free address text ("德化县龙浔镇英山村委会旁") and
sometimes a 区划代码. :class:`PlaceResolver` loads the regions once per file (one query) and then
answers every row from dictionaries, with no query:

- names match after normalising (half-width, no spaces) and with or without their suffix: the
  long forms (村委会, 居委会, 街道办事处, 人民政府…) read as the short ones, and the stem
  ("石山") matches when the full name does not;
- a village named in two towns is settled by the row's town column, or by a town found in the
  address;
- an address is scanned for the longest region names it holds (county, town, village); a village
  found there counts only under the town found, or when it is the only one of its name in scope;
- only a town found: the town (a case may sit at town level);
- several regions fit: none is guessed; the result carries the value to ask the user about
  (``key``, with the town when there is one) and the candidates. The user's answer comes back as
  ``picks`` (value → region code, kept in the mapping profile) and is applied first.

A place outside the user's scope (``within``) is never returned. Towns outside it are loaded too
(a few hundred rows at most): a row naming another town is then refused rather than matched
to a village of the same name inside the scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from ledgers.vocabulary import normalise
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region, RegionLevel
from regions.search import in_subtrees

FIELDS = ("id", "name", "code", "level", "parent_id", "path", "is_grid")
LABEL_JOINER = "/"
# Official 区划代码 have 12 digits (350526100000 for a town); the tree may keep them shorter.
FULL_CODE_LENGTH = 12
STEM_MIN_LENGTH = 2

# Long forms of a place name read as the short one, longest first (applied anywhere in a value,
# so "英山村委会旁" reads "英山村旁").
LONG_FORMS: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
    ("街道办事处", "街道"),
    ("街道办", "街道"),
    ("人民政府", ""),
    ("镇政府", "镇"),
    ("乡政府", "乡"),
)
# The suffixes a name's stem drops, per level ("石山村" → "石山", "龙浔街道" → "龙浔").
SUFFIXES: dict[int, tuple[str, ...]] = {
    RegionLevel.COUNTY: ("自治县", "县", "区", "市"),
    RegionLevel.TOWN: ("街道", "镇", "乡"),
    RegionLevel.VILLAGE: ("社区", "村"),
}
# Levels a village column may name, the village level first (a grid may sit at any of them).
VILLAGE_LEVELS = (
    RegionLevel.VILLAGE,
    RegionLevel.PIECE,
    RegionLevel.GROUP,
    RegionLevel.NEIGHBOURHOOD,
)
# Levels an address is scanned for.
SCANNED_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE)


def canonical(text: str) -> str:
    """A normalised place text with the long forms of its names read as the short ones."""
    for long, short in LONG_FORMS:
        text = text.replace(long, short)
    return text


def stem(name: str, level: int) -> str:
    """A canonical name without its level's suffix ("浔中镇" → "浔中"); itself when the suffix
    is missing or the stem would be shorter than two characters."""
    for suffix in SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= STEM_MIN_LENGTH:
            return name[: -len(suffix)]
    return name


def _clean(value: str) -> str:
    """A cell as compared and shown: normalised, long forms read as short ones."""
    return canonical(normalise(value))


def _same(name: str, level: int) -> str:
    return name


def ancestor_paths(path: str) -> list[str]:
    """The paths from the top of the tree down to ``path`` itself."""
    segment = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
    return [path[: i + segment] for i in range(0, len(path), segment)]


def _under(region: Region, ancestors: Iterable[Region]) -> bool:
    return any(region.path.startswith(ancestor.path) for ancestor in ancestors)


def _by_path(regions: Iterable[Region]) -> list[Region]:
    return sorted({region.pk: region for region in regions}.values(), key=lambda r: r.path)


@dataclass(frozen=True)
class PlaceResult:
    """The region of one row, or what to ask the user about it.

    Resolved: ``region`` set. Ambiguous: ``region`` None, ``key`` the value to ask about and
    ``candidates`` every region it may be (in tree order). Unknown or out of scope: ``region``
    None, ``key`` the value and ``error`` the reason. All blank: nothing set (the caller decides
    whether a place is required).
    """

    region: Region | None
    key: str = ""
    candidates: tuple[Region, ...] = ()
    error: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.region is None and bool(self.candidates)


@dataclass(frozen=True)
class _Hit:
    """A region name found in a text: where, and whether by its full name or only its stem."""

    start: int
    end: int
    region: Region
    strong: bool

    @property
    def length(self) -> int:
        return self.end - self.start

    def inside(self, other: _Hit) -> bool:
        return other.start <= self.start and self.end <= other.end and other.length > self.length


class _Scan:
    """The region names found in one text, each kept only if no longer name holds it: in
    "浔中镇浔中村" the stem 浔中 of the town inside 浔中村 is not a second town."""

    def __init__(self, hits: list[_Hit]) -> None:
        self.hits = [h for h in hits if not any(h.inside(other) for other in hits)]

    def at(self, level: int, *, weak: bool = True) -> list[_Hit]:
        """Hits of one level: by full name if any, else (when ``weak``) by stem. Only towns are
        indexed by stem: a village's stem is too often a road's name too (浔中路)."""
        found = [h for h in self.hits if h.region.level == level]
        strong = [h for h in found if h.strong]
        return strong if strong or not weak else found

    def regions(self, level: int, *, weak: bool = True) -> list[Region]:
        return _by_path(h.region for h in self.at(level, weak=weak))

    def towns(self) -> list[Region]:
        """The towns named, under the county named if that leaves any (namesake towns)."""
        towns = self.regions(RegionLevel.TOWN)
        counties = self.regions(RegionLevel.COUNTY, weak=False)
        return [t for t in towns if _under(t, counties)] or towns


class PlaceResolver:
    """Regions named by ledger rows, under ``within`` (the user's subtrees; None: everywhere).

    Built once per file with one query; :meth:`resolve` does no query and remembers each
    distinct (town, village, address) it has answered.
    """

    def __init__(
        self, within: Iterable[Region] | None = None, picks: Mapping[str, str] | None = None
    ) -> None:
        regions = Region.objects.only(*FIELDS).order_by("path")
        roots = None if within is None else list(within)
        if roots is not None:
            paths = {path for root in roots for path in ancestor_paths(root.path)}
            regions = regions.filter(
                in_subtrees(roots) | Q(level__lte=RegionLevel.TOWN) | Q(path__in=paths)
            )
        self._name_at: dict[str, str] = {}
        self._scope: set[int] = set()
        self._by_code: dict[str, Region] = {}
        # level → canonical name (or stem) → regions
        self._names: dict[int, dict[str, list[Region]]] = defaultdict(lambda: defaultdict(list))
        self._stems: dict[int, dict[str, list[Region]]] = defaultdict(lambda: defaultdict(list))
        # For scanning text: a name form → (region, by full name?)
        self._forms: dict[str, list[tuple[Region, bool]]] = defaultdict(list)
        for region in regions:
            self._add(region, roots)
        self._lengths = sorted({len(form) for form in self._forms}, reverse=True)
        self._first = {form[0] for form in self._forms}
        self._picks = {_clean(value): code for value, code in (picks or {}).items()}
        self._cache: dict[tuple[str, str, str], PlaceResult] = {}

    def _add(self, region: Region, roots: list[Region] | None) -> None:
        self._name_at[region.path] = region.name
        if roots is None or _under(region, roots):
            self._scope.add(region.pk)
        code = normalise(region.code)
        self._by_code[code] = region
        if code.isdigit() and len(code) < FULL_CODE_LENGTH:
            self._by_code.setdefault(code.ljust(FULL_CODE_LENGTH, "0"), region)
        name = _clean(region.name)
        if not name:
            return
        short = stem(name, region.level)
        self._names[region.level][name].append(region)
        if short != name:
            self._stems[region.level][short].append(region)
        if region.level in SCANNED_LEVELS:
            self._forms[name].append((region, True))
            if short != name and region.level == RegionLevel.TOWN:
                self._forms[short].append((region, False))

    # --- Public -----------------------------------------------------------------------------

    def resolve(self, *, town: str = "", village: str = "", address: str = "") -> PlaceResult:
        """The region of a row from its town, village and address cells (any may be blank)."""
        values = (_clean(town), _clean(village), _clean(address))
        if values not in self._cache:
            self._cache[values] = self._resolve(*values)
        return self._cache[values]

    def covers(self, region: Region) -> bool:
        """Whether ``region`` lies in the importer's scope (no query)."""
        return region.pk in self._scope

    def label(self, region: Region) -> str:
        """The region's place in the tree, for the wizard's choices: "德化县/浔中镇/石山村"."""
        names = [self._name_at.get(path, "") for path in ancestor_paths(region.path)[:-1]]
        return LABEL_JOINER.join([*(name for name in names if name), region.name])

    # --- Rules ------------------------------------------------------------------------------

    def _resolve(self, town: str, village: str, address: str) -> PlaceResult:
        if not (town or village or address):
            return PlaceResult(None)
        towns: list[Region] | None = None  # None: the row names no town
        if town:
            towns = self._towns(town)
            if not towns:
                return self._unknown(town)
        if village:
            key = f"{town}{LABEL_JOINER}{village}" if town else village
            return self._village(village, key, towns, address)
        if address:
            return self._address(address, towns, town)
        assert towns is not None
        return self._found(towns, town)

    def _towns(self, town: str) -> list[Region]:
        """The towns a town column may name: the user's pick, a code, a name, a name inside."""
        picked = self._picked(town) or self._by_code.get(town)
        if picked is not None:
            return [picked]
        return self._match(town, (RegionLevel.TOWN,)) or self._scan(town).regions(
            RegionLevel.TOWN, weak=False
        )

    def _village(
        self, village: str, key: str, towns: list[Region] | None, address: str
    ) -> PlaceResult:
        """A village column, narrowed by the town column or else by a town in the address."""
        picked = self._picked(key) or self._by_code.get(village)
        if picked is not None:
            return self._found([picked], key)
        villages = self._match(village, VILLAGE_LEVELS)
        if not villages:
            # "浔中镇石山村" in the village column: the names it holds.
            scan = self._scan(village)
            villages = scan.regions(RegionLevel.VILLAGE)
            if towns is None:
                towns = scan.towns() or None
        if not villages:
            return self._unknown(key)
        if towns is not None:
            inside = [v for v in villages if _under(v, towns)]
            # A village outside the town the row names: the user chooses among its namesakes.
            return self._found(inside, key) if inside else self._ask(villages, key)
        if address and len(villages) > 1:
            # A town in the address settles namesakes; a town that holds none of them is noise.
            inside = [v for v in villages if _under(v, self._scan(address).towns())]
            villages = inside or villages
        return self._found(villages, key)

    def _address(self, address: str, towns: list[Region] | None, town: str) -> PlaceResult:
        """Free address text: the most specific region it names, under the town if any."""
        picked = self._picked(address) or self._by_code.get(address)
        if picked is not None:
            return self._found([picked], address)
        scan = self._scan(address)
        if towns is None:
            towns = scan.towns() or None
        villages = scan.regions(RegionLevel.VILLAGE)
        if towns is not None:
            # A village counts only under the town found.
            inside = [v for v in villages if _under(v, towns)]
            return self._found(inside, address) if inside else self._found(towns, town or address)
        if villages:
            # No town in the row: a village counts when it is the only one of its name in scope.
            texts = {address[h.start : h.end] for h in scan.at(RegionLevel.VILLAGE)}
            key = texts.pop() if len(texts) == 1 else address
            picked = self._picked(key)
            return self._found([picked] if picked is not None else villages, key)
        counties = scan.regions(RegionLevel.COUNTY)
        return self._found(counties, address) if counties else self._unknown(address)

    # --- Look-ups ---------------------------------------------------------------------------

    def _match(self, value: str, levels: tuple[int, ...]) -> list[Region]:
        """Regions of ``levels`` named ``value``: by name, else by stem, each level in turn.

        "石山村委会" and "石山村" are 石山村 by name; "石山" and "石山社区" only by stem."""
        for index, key in ((self._names, _same), (self._stems, stem), (self._names, stem)):
            for level in levels:
                found = index.get(level, {}).get(key(value, level))
                if found:
                    return list(found)
        return []

    def _scan(self, text: str) -> _Scan:
        hits = []
        for start, char in enumerate(text):
            if char not in self._first:
                continue
            for length in self._lengths:
                form = text[start : start + length]
                if len(form) < length:
                    continue
                for region, strong in self._forms.get(form, ()):
                    hits.append(_Hit(start, start + length, region, strong))
        return _Scan(hits)

    def _picked(self, value: str) -> Region | None:
        code = self._picks.get(value)
        return self._by_code.get(normalise(code)) if code else None

    # --- Results ----------------------------------------------------------------------------

    def _found(self, regions: Iterable[Region], key: str) -> PlaceResult:
        """The one region in scope among ``regions``, else the question, else the refusal."""
        inside = [r for r in _by_path(regions) if r.pk in self._scope]
        if len(inside) == 1:
            return PlaceResult(inside[0])
        if inside:
            return PlaceResult(None, key=key, candidates=tuple(inside))
        return self._unknown(key)

    def _ask(self, regions: Iterable[Region], key: str) -> PlaceResult:
        inside = tuple(r for r in _by_path(regions) if r.pk in self._scope)
        return PlaceResult(None, key=key, candidates=inside) if inside else self._unknown(key)

    def _unknown(self, key: str) -> PlaceResult:
        return PlaceResult(
            None,
            key=key,
            error=_("未找到地点“%(v)s”（不在您的管辖范围内或名称有误）") % {"v": key},
        )
