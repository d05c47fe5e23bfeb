"""What each app holds about people, told to privacy by the app itself.

An app that stores personal data registers, in its ``AppConfig.ready``:

- a :class:`PersonalDataSource` for each kind of data it holds about an e-mail address (the
  export, the erasure, the admin's tool and ``salon personal_data`` use them all);
- a :class:`RetentionTask` for each thing it deletes or strips when its time is up (the
  hourly ``salon retention`` runs them all, in one transaction);
- a page-facts function, giving the privacy page the settings that decide what it says
  (``require_name_email``, whether mail is on, the log-in services, …);
- a :class:`PageSection`, a template of its own the privacy page includes (with the page's
  context, facts included), for data the page's own sections do not describe.

This module imports nothing of Salon's, so any app may register here without privacy
knowing that app's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class PersonalDataSource:
    """One kind of personal data, and how to export and erase it for an address."""

    name: str
    title: str
    export: Callable[[str], list[dict[str, Any]]]
    # (email, mode) -> records changed; None when this kind is kept (``note`` says why).
    erase: Callable[[str, str], int] | None = None
    note: str = ""
    # Lower runs first on erasure: likes are found through comments, so comments go last.
    erase_order: int = 50


@dataclass(frozen=True)
class RetentionTask:
    """One clean-up the privacy page promises: ``run(now)`` returns how many records it
    deleted or stripped; ``report`` says so (``%(count)d`` for the number)."""

    name: str
    run: Callable[[datetime], int]
    report: str


@dataclass(frozen=True)
class PageSection:
    """A part of the privacy page an app writes itself: ``template`` is included before
    "Your data, and having it erased"."""

    template: str


PageFacts = Callable[[HttpRequest], dict[str, Any]]

sources: list[PersonalDataSource] = []
retention_tasks: list[RetentionTask] = []
page_facts: list[PageFacts] = []
page_sections: list[PageSection] = []


def register(*items: PersonalDataSource | RetentionTask | PageSection | PageFacts) -> None:
    """Register sources, retention tasks, page sections and page-facts functions (each
    once)."""
    for item in items:
        if isinstance(item, PersonalDataSource):
            registry: list = sources
        elif isinstance(item, RetentionTask):
            registry = retention_tasks
        elif isinstance(item, PageSection):
            registry = page_sections
        elif callable(item):
            registry = page_facts
        else:
            raise TypeError(f"cannot register {item!r} with privacy")
        if item not in registry:
            registry.append(item)
