"""Keep the in-process working calendar in step with administrator edits."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.deadlines import invalidate_calendar_cache
from cases.models import WorkCalendarDay


@receiver([post_save, post_delete], sender=WorkCalendarDay)
def _calendar_changed(**kwargs: object) -> None:
    invalidate_calendar_cache()
