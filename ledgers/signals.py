"""An import job's files go with it: the uploaded ledger holds personal data (names, phones)."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from ledgers.models import ImportJob


@receiver(post_delete, sender=ImportJob)
def _delete_job_files(sender: type[ImportJob], instance: ImportJob, **kwargs: Any) -> None:
    files = [f for f in (instance.file, instance.report) if f]
    # Only once the deletion commits: a rolled-back delete keeps its job and so its files.
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
