"""The ``salon`` command: Django's management commands with Salon's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command (``salon serve``, ``salon demo``, ``salon migrate`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["salon", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
