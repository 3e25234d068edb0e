"""What the outbox costs a move, and how fast it produces and delivers (issue 9).

Three measurements on one database:

1. **Added cost per move.** Assign moves (交办) with the notify receiver connected and
   disconnected, in alternating rounds: seconds and queries per move. The receiver's whole cost
   inside a move is a dictionary lookup in the in-process rule cache; after the commit it
   inserts one task row. Target: ≤ 1 extra query, < 10 % slower.
2. **Produced per second.** ``notify.services.produce_for_event`` over the events of the
   connected assignments (10,000 by default): resolve recipients, render, insert the rows,
   queue their deliveries. Each assignment makes 4 rows: the handler's inbox and SMS, the
   department head's inbox, one WeCom robot message.
3. **Delivered per second.** ``notify.services.deliver_notification`` for every queued row, to a
   threaded ``http.server`` on 127.0.0.1 standing in for the SMS gateway and the WeCom robot
   (it records the bodies; the run checks it received every message).

    .venv/bin/python bench/notifications.py --db sqlite
    .venv/bin/python bench/notifications.py --db postgres --assignments 2000 --rounds 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
)


class Recorder(BaseHTTPRequestHandler):
    """Answers like a WeCom robot and an SMS gateway (errcode 0, code 0); keeps the bodies."""

    bodies: list[bytes] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.bodies.append(body)
        answer = b'{"errcode": 0, "code": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _EnqueueNow:
    """Stands in for ``django.db.transaction`` in ``notify.signals``: the task row is inserted in
    the move's own transaction instead of after its commit (measured, not shipped)."""

    @staticmethod
    def on_commit(callback: Any) -> None:
        callback()


@contextmanager
def receiver(mode: str) -> Iterator[None]:
    from django.db.models.signals import post_save

    from cases.models import CaseEvent
    from notify import signals

    if mode == "connected":
        yield
        return
    if mode == "in-transaction":
        original = signals.transaction
        signals.transaction = _EnqueueNow  # type: ignore[assignment]
        try:
            yield
        finally:
            signals.transaction = original
        return
    post_save.disconnect(sender=CaseEvent, dispatch_uid="notify_case_event")
    try:
        yield
    finally:
        post_save.connect(
            signals.case_event_saved, sender=CaseEvent, dispatch_uid="notify_case_event"
        )


def prepare(world: Any, count: int) -> list[Any]:
    """``count`` triaged cases, ready to assign (untimed)."""
    from django.db import transaction

    from cases import services

    category = world.category("resident_issue")
    cases = []
    with transaction.atomic():
        for _ in range(count):
            case = world.report()
            cases.append(services.triage_case(case, actor=world.dispatcher, category=category))
    return cases


def assign_round(world: Any, cases: list[Any], counter: QueryCounter) -> tuple[float, int]:
    """Assign each case (one move per transaction, as a request): seconds, queries."""
    from cases import services

    before = counter.count
    start = time.perf_counter()
    with counter.counting():
        for case in cases:
            services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    return time.perf_counter() - start, counter.count - before


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name="lianxin_bench_notify")
    parser.add_argument(
        "--assignments",
        type=int,
        default=10_000,
        help="assignments with the receiver connected, notified (default 10,000)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating connected/disconnected rounds"
    )
    parser.add_argument(
        "--in-transaction",
        action="store_true",
        help="also time a variant that inserts the task row inside the move's transaction",
    )
    args = parser.parse_args(argv)
    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)

    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from cases.tests.world import World, make_user
    from notify import rules, services
    from notify.models import Channel, DeliveryStatus, Notification, NotificationRule, Webhook
    from people.models import Role

    with local_server() as url:
        settings.NOTIFY_QUIET_HOURS = ""
        settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
        settings.NOTIFY_SMS_URL = f"{url}/sms"
        world = World.build()
        make_user("dept_head", Role.DEPT_HEAD, organisation=world.dept, phone="13700000001")
        Webhook.objects.create(
            name="人社局工作群", kind="wecom", url=f"{url}/wecom?key=bench", organisation=world.dept
        )
        NotificationRule.objects.filter(kind="assigned", channel=Channel.WECOM).update(
            is_active=True
        )
        rules.invalidate()
        rules.active_rules("assigned")  # warm, as in a running server

        per_round_on = args.assignments // args.rounds
        per_round_off = max(per_round_on // 2, 1)
        modes = {"connected": per_round_on, "disconnected": per_round_off}
        if args.in_transaction:
            modes["in-transaction"] = per_round_off
        total = args.rounds * sum(modes.values())
        print(f"Preparing {total:,} triaged cases …")
        cases = prepare(world, total)
        counter = QueryCounter()
        ms: dict[str, list[float]] = {mode: [] for mode in modes}
        queries: dict[str, list[float]] = {mode: [] for mode in modes}
        for index in range(args.rounds):
            for mode, size in modes.items():
                batch, cases = cases[:size], cases[size:]
                with receiver(mode):
                    seconds, count = assign_round(world, batch, counter)
                ms[mode].append(seconds / size * 1000)
                queries[mode].append(count / size)
            print(f"  round {index + 1}: " + ", ".join(f"{m} {ms[m][-1]:.2f} ms" for m in modes))
        base_ms = statistics.median(ms["disconnected"])
        base_q = statistics.median(queries["disconnected"])
        print_table(
            ["receiver", "moves", "ms/move (median)", "min", "max", "× off", "queries/move"],
            [
                [
                    mode,
                    size * args.rounds,
                    statistics.median(ms[mode]),
                    min(ms[mode]),
                    max(ms[mode]),
                    f"{statistics.median(ms[mode]) / base_ms:.3f}",
                    f"{statistics.median(queries[mode]):g} "
                    f"(+{statistics.median(queries[mode]) - base_q:g})",
                ]
                for mode, size in modes.items()
            ],
            title=f"Assign move, notify receiver on vs off ({database_version()}, "
            f"load {load_average()})",
        )

        produce_rows = DBTaskResult.objects.filter(
            task_path="notify.tasks.produce_notifications"
        ).values_list("args_kwargs", flat=True)
        event_ids = [row["args"][0] for row in produce_rows]
        DBTaskResult.objects.filter(task_path="notify.tasks.produce_notifications").delete()
        start = time.perf_counter()
        produced = sum(services.produce_for_event(event_id) for event_id in event_ids)
        produce_seconds = time.perf_counter() - start

        pending = list(
            Notification.objects.filter(status=DeliveryStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Recorder.bodies.clear()
        start = time.perf_counter()
        outcomes = [services.deliver_notification(pk) for pk in pending]
        deliver_seconds = time.perf_counter() - start
        sent = outcomes.count(DeliveryStatus.SENT)
        assert len(Recorder.bodies) == sent == len(pending), (len(Recorder.bodies), sent)
        wecom = [json.loads(b) for b in Recorder.bodies if b.startswith(b'{"msgtype"')]
        assert all(body["msgtype"] == "text" for body in wecom)
        print_table(
            ["stage", "events", "rows", "seconds", "rows/s", "events/s"],
            [
                [
                    "produce",
                    len(event_ids),
                    produced,
                    produce_seconds,
                    produced / produce_seconds,
                    len(event_ids) / produce_seconds,
                ],
                [
                    "deliver (HTTP, 1 process)",
                    "",
                    len(pending),
                    deliver_seconds,
                    len(pending) / deliver_seconds,
                    "",
                ],
            ],
            title=f"Outbox throughput ({len(wecom):,} WeCom + {sent - len(wecom):,} SMS "
            "posts received by the local server)",
        )


if __name__ == "__main__":
    main()
