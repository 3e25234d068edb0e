"""Suggested category and lead unit for a new case from its title and description (未诉先办),
learnt from the office's own closed cases.

The text is cut into words by jieba; each target (category, lead unit) has its own TF-IDF
(words and word pairs) + logistic regression (scikit-learn, one-vs-rest), which gives a
probability per class. ``train`` fits both on the closed cases, measures the top-1 accuracy
on the newest fifth of them (fitted on the older four fifths first), then refits on all and
stores the models with joblib in a file under ``VAR_DIR/suggester/`` and its description in a
``SuggesterModel`` row; the newest row is the one ``suggest`` reads (loaded once per process
and file).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Category, Status
from hotspots.models import SuggesterModel
from orgs.models import Organisation
from people.models import User

log = logging.getLogger("lianxin.hotspots")

TOP = 3
# Longer text is cut here: a description's first few hundred characters say what it is about.
MAX_TEXT_CHARS = 2000
# Fewer closed cases than this teach nothing worth showing.
MIN_CASES = 10
HOLDOUT_SHARE = 0.2
STOP_WORDS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 而 在 是 也 都 就 把 被 对 从 向 给 等 之 其 为 以 于 "
    "吗 呢 吧 啊 呀 么 这 那 个 我 你 他 她 它 不 没 有 请 能 要 会".split()
)
_PUNCTUATION = re.compile(r"^[\W_]+$")
_DIGITS = re.compile(r"^\d+$")

_lock = threading.Lock()
_tokenizer: Any = None
_loaded: dict[str, Any] = {}


def _jieba() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # type: ignore[import-untyped]

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """The words of ``text`` (jieba's precise cut), without punctuation, numbers and stop words.
    Module-level, so a fitted vectorizer holding it pickles by name."""
    words = []
    for token in _jieba().cut(text[:MAX_TEXT_CHARS]):
        token = token.strip()
        if not token or _PUNCTUATION.match(token) or _DIGITS.match(token) or token in STOP_WORDS:
            continue
        words.append(token.casefold())
    return words


def case_text(title: str, description: str) -> str:
    # The title says it in a few words: counted twice.
    return f"{title}。{title}。{description}"


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]
    from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]

    return make_pipeline(
        TfidfVectorizer(
            tokenizer=tokenize,
            lowercase=False,
            token_pattern=None,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=1,
        ),
        # Logistic regression fitted by stochastic gradient descent: as accurate as the exact
        # solver on the demo and twenty times faster (bench/suggester.py); seeded, so the same
        # cases give the same model.
        SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=0),
    )


@dataclass
class Model:
    """One target's fitted pipeline, or the one class it has seen (nothing to learn)."""

    pipeline: Any = None
    only: int | None = None

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[int]) -> Model | None:
        classes = set(labels)
        if not classes:
            return None
        if len(classes) == 1:
            return cls(only=next(iter(classes)))
        pipeline = _pipeline()
        pipeline.fit(list(texts), list(labels))
        return cls(pipeline=pipeline)

    def ranked(self, texts: Sequence[str]) -> list[list[tuple[int, float]]]:
        """For each text, every class with its probability, the likeliest first."""
        if self.only is not None:
            return [[(self.only, 1.0)] for _ in texts]
        probabilities = self.pipeline.predict_proba(list(texts))
        classes = [int(c) for c in self.pipeline.classes_]
        return [
            sorted(zip(classes, map(float, row), strict=True), key=lambda cp: -cp[1])
            for row in probabilities
        ]


@dataclass
class Fitted:
    category: Model | None
    unit: Model | None
    cases_used: int
    category_accuracy: float | None = None
    unit_accuracy: float | None = None
    evaluated_on: int = 0


@dataclass
class Sample:
    text: str
    category_id: int | None
    unit_id: int | None


def samples(cases: QuerySet[Case]) -> list[Sample]:
    return [
        Sample(case_text(title, description), category_id, unit_id)
        for title, description, category_id, unit_id in cases.order_by(
            "reported_at", "pk"
        ).values_list("title", "description", "category_id", "lead_unit_id")
    ]


def training_cases(until: datetime | None = None) -> QuerySet[Case]:
    """The office's closed cases with a category or a lead unit (reported before ``until``)."""
    cases = Case.objects.filter(status=Status.CLOSED).exclude(
        category__isnull=True, lead_unit__isnull=True
    )
    return cases if until is None else cases.filter(reported_at__lt=until)


def _fit(rows: Sequence[Sample]) -> tuple[Model | None, Model | None]:
    with_category = [r for r in rows if r.category_id]
    with_unit = [r for r in rows if r.unit_id]
    category = Model.fit(
        [r.text for r in with_category], [r.category_id for r in with_category if r.category_id]
    )
    unit = Model.fit([r.text for r in with_unit], [r.unit_id for r in with_unit if r.unit_id])
    return category, unit


def hits(model: Model | None, texts: Sequence[str], truth: Sequence[int], k: int) -> int:
    """How many of ``texts`` have their true class among the model's first ``k``."""
    if model is None or not texts:
        return 0
    return sum(
        truth_id in {c for c, _ in ranked[:k]}
        for ranked, truth_id in zip(model.ranked(texts), truth, strict=True)
    )


def _accuracy(model: Model | None, rows: Sequence[Sample], attribute: str) -> float | None:
    labelled = [r for r in rows if getattr(r, attribute)]
    if model is None or not labelled:
        return None
    found = hits(model, [r.text for r in labelled], [getattr(r, attribute) for r in labelled], 1)
    return round(found / len(labelled), 4)


def fit(rows: Sequence[Sample]) -> Fitted:
    """Both models on ``rows`` (oldest first), with the top-1 accuracy on the newest fifth."""
    if len(rows) < MIN_CASES:
        raise ValidationError(
            _("已办结且有分类或承办单位的事项只有 %(n)d 件，至少需要 %(m)d 件才能训练。")
            % {"n": len(rows), "m": MIN_CASES},
            code="too_few",
        )
    cut = len(rows) - max(1, int(len(rows) * HOLDOUT_SHARE))
    older, newest = rows[:cut], rows[cut:]
    category, unit = _fit(older)
    category_accuracy = _accuracy(category, newest, "category_id")
    unit_accuracy = _accuracy(unit, newest, "unit_id")
    category, unit = _fit(rows)
    return Fitted(
        category=category,
        unit=unit,
        cases_used=len(rows),
        category_accuracy=category_accuracy,
        unit_accuracy=unit_accuracy,
        evaluated_on=len(newest),
    )


def _directory() -> Path:
    return Path(settings.VAR_DIR) / "suggester"


def train(*, actor: User | None = None, now: datetime | None = None) -> SuggesterModel:
    """Fit on every closed case and store the models; the new row is used from now on."""
    return store(fit(samples(training_cases())), actor=actor, now=now)


def store(
    fitted: Fitted, *, actor: User | None = None, now: datetime | None = None
) -> SuggesterModel:
    """Write ``fitted`` to its file and describe it in a new row (the one used from now on)."""
    import joblib  # type: ignore[import-untyped]

    now = now or timezone.now()
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"suggester-{now:%Y%m%d-%H%M%S}-{now.microsecond:06d}.joblib"
    joblib.dump({"category": fitted.category, "unit": fitted.unit}, directory / name)
    row = SuggesterModel.objects.create(
        trained_at=now,
        file=name,
        cases_used=fitted.cases_used,
        category_accuracy=fitted.category_accuracy,
        unit_accuracy=fitted.unit_accuracy,
        evaluated_on=fitted.evaluated_on,
        trained_by=actor,
    )
    log.info("suggester trained on %d cases: %s", fitted.cases_used, row.file)
    return row


def current() -> SuggesterModel | None:
    return SuggesterModel.objects.order_by("-trained_at", "-pk").first()


def _load(row: SuggesterModel) -> dict[str, Model | None] | None:
    """The stored models of ``row``, once per process; None when the file is gone."""
    import joblib

    name = Path(row.file).name  # never a path outside the directory
    if name in _loaded:
        return _loaded[name]
    path = _directory() / name
    if not path.is_file():
        log.warning("suggester file %s is missing; train again", path)
        return None
    models = joblib.load(path)
    with _lock:
        _loaded[name] = models
    return models


@dataclass
class Suggestions:
    model: SuggesterModel | None
    categories: list[tuple[Category, float]] = field(default_factory=list)
    units: list[tuple[Organisation, float]] = field(default_factory=list)


def _top(
    model: Model | None, text: str, allowed: Iterable[int] | None = None
) -> list[tuple[int, float]]:
    if model is None:
        return []
    ranked = model.ranked([text])[0]
    if allowed is not None:
        keep = set(allowed)
        ranked = [(c, p) for c, p in ranked if c in keep]
    return ranked[: TOP * 3]


def suggest(text: str, *, case_type_id: int | None = None) -> Suggestions:
    """The three likeliest categories (of ``case_type_id`` when given) and lead units for
    ``text``, each with its probability; empty lists before any training."""
    row = current()
    models = _load(row) if row else None
    if not models or not text.strip():
        return Suggestions(model=row if models else None)
    categories = Category.objects.select_related("case_type")
    if case_type_id is not None:
        categories = categories.filter(case_type_id=case_type_id)
    category_ranked = _top(models["category"], text)
    units_ranked = _top(models["unit"], text)
    by_id = {c.pk: c for c in categories.filter(pk__in=[c for c, _ in category_ranked])}
    unit_by_id = {
        u.pk: u
        for u in Organisation.objects.filter(pk__in=[u for u, _ in units_ranked], is_active=True)
    }
    return Suggestions(
        model=row,
        categories=[(by_id[c], p) for c, p in category_ranked if c in by_id][:TOP],
        units=[(unit_by_id[u], p) for u, p in units_ranked if u in unit_by_id][:TOP],
    )


def suggest_for_case(case: Case) -> Suggestions:
    return suggest(case_text(case.title, case.description), case_type_id=case.case_type_id)
