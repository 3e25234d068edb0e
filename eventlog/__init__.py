"""The one rule of every event log (a case's moves, a domain's records): written once, never
changed or deleted. Lowest in the layers so every registry and domain can use it."""

from typing import Any, NoReturn


class AppendOnly:
    """A log written once and never changed or deleted: a move's event, a domain's record.

    Put it before ``models.Model`` in the bases; a second save of a row or a delete raises.
    (A queryset's ``delete()`` and cascades bypass it: they are for tests and data removal.)"""

    pk: Any

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not kwargs.get("force_insert"):
            raise RuntimeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(f"{type(self).__name__} rows are append-only.")
