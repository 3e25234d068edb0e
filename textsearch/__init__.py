"""Chinese text search over querysets: one interface on SQLite and PostgreSQL.

``terms(query)`` cuts a query into search terms with jieba; ``ranked(queryset, query, fields)``
keeps the rows where any term occurs in any of the weighted fields and annotates each with its
``relevance``, in one SQL query of ``CASE WHEN … LIKE …`` expressions that both databases run
the same way::

    ranked(cases, "路灯不亮", {"title": 3, "description": 1, "answer": 1})

This is the lowest layer of the project: it imports Django and jieba, nothing else.

PostgreSQL could rank with a Chinese text-search configuration instead (``zhparser`` or
``pg_jieba``; ``SELECT cfgname FROM pg_ts_config`` lists them): ``ranked`` is the one place to
switch to ``SearchVector(..., config="chinese")`` and ``SearchRank``. No server this project
runs on has one (only ``simple`` and the Western languages), so the portable ``LIKE`` path below
is what runs on both databases; it reads every row in scope, which is fine for a county's cases
and policies (tens of thousands), not for millions.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import reduce
from operator import add, or_
from typing import Any, TypeVar

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

__all__ = ["MAX_TERMS", "PHRASE_BONUS", "ranked", "terms"]

_Q = TypeVar("_Q", bound=QuerySet)

# More terms add little to the ranking and grow the query: each costs one LIKE per field.
MAX_TERMS = 8
# The whole query found as a phrase in a field counts this many times the field's weight,
# so a title that says exactly what was typed beats one that has the words scattered.
PHRASE_BONUS = 2
# Longer input is cut here before segmentation: nobody types more, and jieba's time grows with it.
MAX_QUERY_CHARS = 200

# Function words that match nearly every text: searching for them only adds noise.
STOP_WORDS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 而 在 是 也 都 就 把 被 对 从 向 给 等 之 其 为 以 于 "
    "吗 呢 吧 啊 呀 么 这 那 个 我 你 他 她 它 不 没 有".split()
)
_PUNCTUATION = re.compile(r"^[\W_]+$")

_lock = threading.Lock()
_tokenizer: Any = None  # a jieba.Tokenizer (jieba has no type hints)


def _jieba() -> Any:
    """The process's own tokenizer, its dictionary loaded on first use (about a second).

    A private ``Tokenizer`` rather than jieba's global one, so an ``add_word`` elsewhere cannot
    change how a query is cut: the same query gives the same terms in every process.
    """
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # type: ignore[import-untyped]

                # jieba logs "Building prefix dict…" at DEBUG on its own logger at every load.
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def terms(query: str) -> list[str]:
    """The search terms of ``query``, in the order they appear, at most ``MAX_TERMS``.

    jieba's search cut (dictionary words and the shorter words inside them, without HMM guesses
    of unknown words, which vary with the text around them), minus punctuation, whitespace and
    single-character stop words; Latin and number tokens stay (``LX2025``, ``12``). Duplicates
    count once, ignoring case. When there are more than ``MAX_TERMS``, the longest are kept. The
    whole query is not among them: ``ranked`` tries it as a phrase by itself.
    """
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return []
    found: dict[str, str] = {}
    for token in _jieba().cut_for_search(query, HMM=False):
        token = token.strip()
        if not token or _PUNCTUATION.match(token) or token in STOP_WORDS:
            continue
        found.setdefault(token.casefold(), token)
    words = list(found.values())
    if len(words) > MAX_TERMS:
        longest = sorted(range(len(words)), key=lambda i: (-len(words[i]), i))[:MAX_TERMS]
        words = [words[i] for i in sorted(longest)]
    return words


def ranked(
    queryset: _Q,
    query: str,
    fields: dict[str, int],
    *,
    phrase_fields: dict[str, int] | None = None,
) -> _Q:
    """The rows of ``queryset`` that contain a term of ``query`` (or the whole query) in one of
    ``fields``, annotated with ``relevance`` and ordered by it, the newest first among equals.

    ``relevance`` = Σ over terms and fields of the field's weight where the field contains the
    term, + ``PHRASE_BONUS`` × the weight of each field that contains the whole query. Matching
    is case-insensitive containment (``icontains``), so a document number such as
    ``德政〔2025〕12号`` matches as typed. ``phrase_fields`` (numbers, codes) are tried with the
    whole query only, never with its terms, and count their weight when it occurs in them: a
    case number typed whole or in part finds its case, and the "2025" of "2025年路灯" does not
    find every case numbered in 2025. A blank query returns ``queryset`` as it is, without
    ``relevance``. The fields are text fields of the row (or of a single-valued relation: a
    many-valued one would repeat rows).
    """
    # Bounded as ``terms`` bounds it (a 10,000-character phrase is one LIKE per field still,
    # but no search needs it), and without NUL, which PostgreSQL refuses in any text.
    phrase = query.replace("\x00", "").strip()[:MAX_QUERY_CHARS].strip()
    if not phrase or not (fields or phrase_fields):
        return queryset
    words = terms(phrase)
    # A one-word query is its own phrase: one CASE per field then, worth the same.
    phrase_value = PHRASE_BONUS + (phrase.casefold() in {word.casefold() for word in words})
    words = [word for word in words if word.casefold() != phrase.casefold()]
    tries = [(field, word, weight) for word in words for field, weight in fields.items()]
    tries += [(field, phrase, weight * phrase_value) for field, weight in fields.items()]
    tries += [(field, phrase, weight) for field, weight in (phrase_fields or {}).items()]
    found = [Q(**{f"{field}__icontains": text}) for field, text, _ in tries]
    scores = [
        Case(When(hit, then=Value(value)), default=Value(0), output_field=IntegerField())
        for hit, (_, _, value) in zip(found, tries, strict=True)
    ]
    return (
        queryset.filter(reduce(or_, found))
        .annotate(relevance=reduce(add, scores))
        .order_by("-relevance", "-pk")
    )
