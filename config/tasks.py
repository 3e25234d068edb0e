"""The task backend for one machine: django-tasks' database backend, its rows written the way a
move writes its event (``config.prepared.insert_row``: the INSERT built once, not compiled per
task). A move enqueues up to two tasks; through the ORM their rows cost about as much as the
move's own UPDATE and event together."""

from __future__ import annotations

from typing import Any

from django_tasks_db import DatabaseBackend as OrmDatabaseBackend
from django_tasks_db.compat import normalize_json

from config.prepared import insert_row


class DatabaseBackend(OrmDatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        from django_tasks_db.models import DBTaskResult

        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        insert_row(row)
        return row
