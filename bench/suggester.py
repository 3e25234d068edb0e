"""The category and lead-unit suggester (issue 13, 未诉先办) on the demo's own cases.

Trains ``hotspots.suggest`` on the demo's closed cases reported before the last full month
(the month before the one the demo's newest case falls in), then asks it about every case of
that held-out month with a category (a lead unit), restricted as the pages are to the
categories of the case's own type, and reports top-1 and top-3 accuracy for both, against the
share of the commonest class in training (what always answering it would score), with the
training and suggestion times. Nothing is written to the database: the models stay in memory.

Run it on a demo database (built with ``manage.py load_demo``):

    DJANGO_DEBUG=1 LIANXIN_VAR_DIR=/tmp/h6var .venv/bin/python manage.py migrate
    DJANGO_DEBUG=1 LIANXIN_VAR_DIR=/tmp/h6var .venv/bin/python manage.py load_demo
    .venv/bin/python bench/suggester.py --database-url sqlite:////tmp/h6var/lianxin.sqlite3
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("LIANXIN_LOG_LEVEL", "ERROR")
    import django

    django.setup()


def held_out_month() -> tuple[datetime, datetime]:
    """The last full month: the one before the month of the newest case."""
    from django.db.models import Max
    from django.utils import timezone

    from cases.models import Case

    newest = Case.objects.aggregate(newest=Max("reported_at"))["newest"]
    if newest is None:
        sys.exit("No cases: build the demo first (manage.py load_demo).")
    day = timezone.localdate(newest)
    end_day = date(day.year, day.month, 1)
    start_day = date(end_day.year - (end_day.month == 1), (end_day.month - 2) % 12 + 1, 1)
    start = timezone.make_aware(datetime.combine(start_day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(end_day, datetime.min.time()))
    return start, end


def accuracy(model, texts, truth, allowed=None) -> tuple[float, float]:
    """Top-1 and top-3 shares of ``truth`` among the model's ranked classes; ``allowed`` (one
    set per text) restricts the ranking as the pages do."""
    if model is None or not texts:
        return 0.0, 0.0
    top1 = top3 = 0
    for i, ranked in enumerate(model.ranked(texts)):
        classes = [c for c, _ in ranked if allowed is None or c in allowed[i]]
        top1 += truth[i] in classes[:1]
        top3 += truth[i] in classes[:3]
    return top1 / len(texts), top3 / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/h6var/lianxin.sqlite3",
        help="the demo database (default: the one under /tmp/h6var)",
    )
    args = parser.parse_args()
    setup(args.database_url)

    from django.db import connection
    from django.utils import timezone

    from cases.models import Case, Category
    from hotspots import suggest

    start, end = held_out_month()
    train_rows = suggest.samples(suggest.training_cases(until=start))
    test_cases = Case.objects.filter(reported_at__gte=start, reported_at__lt=end)
    test_rows = suggest.samples(test_cases)
    type_of = dict(Category.objects.values_list("pk", "case_type_id"))
    case_types = list(
        test_cases.order_by("reported_at", "pk").values_list("case_type_id", flat=True)
    )
    by_type: dict[int, set[int]] = {}
    for category_id, type_id in type_of.items():
        by_type.setdefault(type_id, set()).add(category_id)

    began = time.perf_counter()
    fitted = suggest.fit(train_rows)
    trained_in = time.perf_counter() - began

    with_category = [(r, t) for r, t in zip(test_rows, case_types, strict=True) if r.category_id]
    with_unit = [r for r in test_rows if r.unit_id]
    began = time.perf_counter()
    cat1, cat3 = accuracy(
        fitted.category,
        [r.text for r, _ in with_category],
        [r.category_id for r, _ in with_category],
        [by_type.get(t, set()) for _, t in with_category],
    )
    unit1, unit3 = accuracy(
        fitted.unit, [r.text for r in with_unit], [r.unit_id for r in with_unit]
    )
    asked = len(with_category) + len(with_unit)
    per_case_ms = (time.perf_counter() - began) / max(asked, 1) * 1000

    def commonest(values: list[int | None], truth: list[int | None]) -> float:
        counts = Counter(v for v in values if v)
        if not counts or not truth:
            return 0.0
        top = counts.most_common(1)[0][0]
        return sum(t == top for t in truth) / len(truth)

    base_cat = commonest(
        [r.category_id for r in train_rows], [r.category_id for r, _ in with_category]
    )
    base_unit = commonest([r.unit_id for r in train_rows], [r.unit_id for r in with_unit])
    month = f"{timezone.localtime(start):%Y-%m}"
    print(f"database: {connection.vendor} {args.database_url}")
    print(
        f"training: {fitted.cases_used} closed cases reported before {month} "
        f"({len(set(r.category_id for r in train_rows if r.category_id))} categories, "
        f"{len(set(r.unit_id for r in train_rows if r.unit_id))} units), fitted in {trained_in:.1f} s"
    )
    print(
        f"held out: {month}, {len(with_category)} cases with a category, {len(with_unit)} with a lead unit"
    )
    print(f"{'target':<10}{'top-1':>8}{'top-3':>8}{'commonest':>11}")
    print(f"{'category':<10}{cat1:>8.1%}{cat3:>8.1%}{base_cat:>11.1%}")
    print(f"{'unit':<10}{unit1:>8.1%}{unit3:>8.1%}{base_unit:>11.1%}")
    print(f"suggestion: {per_case_ms:.2f} ms a case (batch), load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
