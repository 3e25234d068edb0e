"""Load the demo county: registries, meetings and a year of cases, in one transaction.

Reference data first, then the county (bulk inserts), then every case through the engine's
services under a controlled clock. A second run finds the county and changes nothing.
"""

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import Case, CaseEvent, Channel, Status
from cases.reference import ensure_reference_data
from cases.tasks import check_case_deadline
from demo.assessment import load_assessment
from demo.briefings import load_briefings
from demo.catalogue import load_catalogue
from demo.county import CountyBuilder
from demo.enterprise_file import fill_enterprise_files
from demo.hotspots import load_hotspots
from demo.households import load_households
from demo.inspections import load_inspections
from demo.ip import load_ip
from demo.knowledge import load_knowledge
from demo.logins import FEATURED
from demo.places import COUNTY_CODE
from demo.plan import Planner
from demo.policies import load_policies
from demo.projects import load_projects
from demo.replay import Replayer, suggest_units
from demo.surveys import load_surveys
from demo.themes import load_repeat_caller, load_themes
from demo.visits import load_visits
from demo.work_briefings import load_work_briefings
from demo.workshops import load_workshops
from notify import services as notices
from notify import sms
from notify.models import Channel as NoticeChannel
from notify.models import DeliveryStatus, Notification
from people.models import User
from regions.models import Region, RegionLevel

DEFAULT_SEED = 20250601
# While history is replayed, the deadline checks a move schedules are collected and dropped:
# the replay runs each check at its own moment instead. Afterwards only the checks still in
# the future are queued, as a live installation would have them.
REPLAY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# Told ``(stage, done, total)`` as the load goes; ``demo.progress.Progress`` draws it.
ProgressReport = Callable[[str, int, int], None]
STAGE_COUNTY = "演示县：区域、单位、人员"
STAGE_PLAN = "会议与事项计划"
STAGE_REPLAY = "事项流转"
STAGE_SERVICE = "企业走访、政策宣讲、项目、共富工坊、户情、知识产权与隐患排查"
STAGE_TASKS = "到期检查排期"
STAGE_NOTICES = "近期消息"
# The last week's moves leave their messages in the inboxes, as a running office would have.
RECENT_NOTICE_DAYS = 7


def _silent(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class LoadResult:
    created: bool
    seconds: float = 0.0
    cases: int = 0
    events: int = 0
    sweeps: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    on_spot: int = 0


class DemoConflict(Exception):
    """Demo accounts would collide with existing users of a non-demo installation."""


def _recent_notices(now: datetime, progress: ProgressReport) -> None:
    """The messages of the last week's moves, made by the outbox's own service at each move's
    moment, and the 回访到期 notices as of now. Texts go to the in-memory SMS outbox (no real
    phone is ever sent one), delivered at the moment they were made."""
    events = list(
        CaseEvent.objects.filter(created_at__gte=now - timedelta(days=RECENT_NOTICE_DAYS))
        .order_by("created_at", "pk")
        .values_list("pk", "created_at")
    )
    progress(STAGE_NOTICES, 0, len(events))
    with (
        override_settings(
            TASKS=REPLAY_TASKS,
            NOTIFY_SMS_BACKEND="notify.sms.OutboxSmsBackend",
            NOTIFY_QUIET_HOURS="",
        ),
        time_machine.travel(now - timedelta(days=RECENT_NOTICE_DAYS), tick=False) as traveller,
    ):
        for done, (pk, moment) in enumerate(events, start=1):
            traveller.move_to(moment.astimezone(UTC))
            notices.produce_for_event(pk)
            progress(STAGE_NOTICES, done, len(events))
        traveller.move_to(now.astimezone(UTC))
        notices.notify_visits_due(now)
        queued = Notification.objects.filter(status=DeliveryStatus.PENDING).exclude(
            channel=NoticeChannel.INBOX
        )
        for pk, made in queued.values_list("pk", "created_at"):
            notices.deliver_notification(pk, now=made)
    sms.outbox.clear()


def demo_exists() -> bool:
    return Region.objects.filter(code=COUNTY_CODE, level=RegionLevel.COUNTY).exists()


def load(
    cases: int = 2000, seed: int = DEFAULT_SEED, progress: ProgressReport = _silent
) -> LoadResult:
    """Create the demo county with ``cases`` cases, unless it exists already.

    ``progress`` hears each stage's start, its count as it goes (one per case replayed) and its end.
    """
    ensure_reference_data()
    if demo_exists():
        return LoadResult(created=False)
    taken = list(User.objects.filter(username__in=FEATURED).values_list("username", flat=True)[:5])
    if taken:
        raise DemoConflict(", ".join(taken))
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    types = ensure_reference_data()
    replayer = None
    # One outer transaction: all or nothing, and SQLite syncs once instead of per move.
    with transaction.atomic():
        progress(STAGE_COUNTY, 0, 1)
        planner_start = now - timedelta(days=365)
        county = CountyBuilder(rng, joined=planner_start - timedelta(days=30)).build()
        suggest_units(county, types)
        # The dispatch catalogue in force before the first case, so every hand-over records it.
        load_catalogue(county, planner_start)
        # Their own draws, so the plan stays as it was: the firms' files and the chain's
        # policies (which the replay's answers cite).
        fill_enterprise_files(county, random.Random(seed + 11))
        load_policies(county, random.Random(seed + 13))
        progress(STAGE_COUNTY, 1, 1)
        progress(STAGE_PLAN, 0, 1)
        planner = Planner(county, rng, now, cases)
        planner.plan_meetings(county.users)
        specs = planner.plan()
        progress(STAGE_PLAN, 1, 1)
        with (
            override_settings(TASKS=REPLAY_TASKS),
            time_machine.travel(planner.start, tick=False) as traveller,
        ):

            def move_clock(moment: datetime) -> None:
                # UTC, so time-machine does not switch the process time zone on every move.
                traveller.move_to(moment.astimezone(UTC))

            replayer = Replayer(county, types, rng, now, move_clock)
            progress(STAGE_REPLAY, 0, len(specs))
            for done, spec in enumerate(specs, start=1):
                replayer.play(spec)
                progress(STAGE_REPLAY, done, len(specs))
        progress(STAGE_SERVICE, 0, 1)
        load_visits(county, random.Random(seed + 17), now)
        load_briefings(county, random.Random(seed + 19), now)
        load_projects(county, random.Random(seed + 23), now)
        load_workshops(county, random.Random(seed + 29), now)
        load_households(county, random.Random(seed + 31), now)
        load_surveys(county, random.Random(seed + 43), now)
        load_ip(county, random.Random(seed + 37), now)
        load_inspections(county, random.Random(seed + 41), now)
        load_assessment(county, random.Random(seed + 47), now)
        load_hotspots(county, random.Random(seed + 53), now)
        load_repeat_caller(county, random.Random(seed + 61), now)
        load_themes(county, now)
        load_knowledge(county, random.Random(seed + 59), now)
        # Last: the briefing counts everything above.
        load_work_briefings(county, now)
        progress(STAGE_SERVICE, 1, 1)
        pending = list(
            Case.objects.in_handling().filter(deadline__gt=now).values_list("pk", "deadline")
        )
        progress(STAGE_TASKS, 0, len(pending))
        for done, (pk, deadline) in enumerate(pending, start=1):
            check_case_deadline.using(run_after=deadline).enqueue(pk)
            progress(STAGE_TASKS, done, len(pending))
        _recent_notices(now, progress)
    result = LoadResult(created=True, seconds=time.perf_counter() - started, sweeps=replayer.sweeps)
    county_cases = Case.objects.all()
    result.cases = county_cases.count()
    result.events = CaseEvent.objects.count()
    statuses = dict(county_cases.values_list("status").annotate(n=Count("id")))
    result.by_status = {str(Status(s).label): statuses.get(s, 0) for s in Status.values}
    result.by_type = dict(Counter(county_cases.values_list("case_type__name", flat=True)))
    channels = dict(county_cases.values_list("channel").annotate(n=Count("id")))
    result.by_channel = {str(Channel(c).label): channels.get(c, 0) for c in Channel.values}
    result.on_spot = county_cases.filter(resolved_on_spot=True).count()
    return result
