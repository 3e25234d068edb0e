"""Briefings are made in the background (django-tasks): a month's numbers, two charts and two
files take a second or more, longer than a page should wait."""

from django_tasks import task

from briefings.models import Briefing


@task()
def make_briefing(briefing_id: int) -> str:
    from briefings import services

    briefing = Briefing.objects.filter(pk=briefing_id).first()
    if briefing is None:
        return "gone"
    return services.make_briefing(briefing).status
