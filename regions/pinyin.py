"""The pinyin search key of a place name: its initials and its full pinyin, for typing a place.

浔中镇 → `` xzz xunzhongzhen ``. A character with several readings (长 chang/zhang) adds the
other spellings, a few at most, so 长坑 is found by "ck" as well as by "zk". The key starts
and ends with a space and separates its spellings with one, so a search tells an exact
spelling (`` " xzz " ``) from a prefix (`` " xz" ``) from a fragment (``"zz"``) with one
substring test each, on any database.
"""

from __future__ import annotations

import re
from itertools import islice, product

from pypinyin import Style, lazy_pinyin, pinyin

# Spellings kept per style besides the usual one (a name full of polyphones would explode).
MAX_SPELLINGS = 8
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _clean(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _spellings(name: str, style: Style) -> list[str]:
    """The spellings of ``name`` in ``style``: the usual reading first (pypinyin knows
    phrases), then the other readings of its polyphones. A run of latin letters or digits
    ("ABC社区", "第1网格") is kept whole."""
    usual = lazy_pinyin(name, style=style)
    readings = pinyin(name, style=style, heteronym=True)
    others = islice(product(*readings), MAX_SPELLINGS)
    return [_clean("".join(s)) for s in [usual, *others]]


def pinyin_key(name: str) -> str:
    """`` initials… full… `` of ``name``, lower case, each spelling once."""
    spellings = _spellings(name, Style.FIRST_LETTER) + _spellings(name, Style.NORMAL)
    unique = [s for s in dict.fromkeys(spellings) if s]
    return f" {' '.join(unique)} " if unique else ""


def normalise_query(text: str) -> str:
    """A typed pinyin query as the key spells it: lower case, no spaces, apostrophes or tones."""
    return _clean(text)
