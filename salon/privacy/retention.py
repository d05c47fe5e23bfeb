"""Retention: personal data is kept only as long as the privacy page says.

Each app registers what it deletes or strips when its time is up
(:class:`~salon.privacy.registry.RetentionTask`); this runs them all in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from salon.privacy.registry import retention_tasks


def apply_retention() -> dict[str, int]:
    """Run every registered retention task once; how many records each deleted or stripped."""
    now = timezone.now()
    with transaction.atomic():
        return {task.name: task.run(now) for task in retention_tasks}


def retention_round() -> str:
    """Apply retention once and say what it did (a job for the background loop)."""
    done = apply_retention()
    return (
        "Retention: "
        + "; ".join(task.report % {"count": done[task.name]} for task in retention_tasks)
        + "."
    )
