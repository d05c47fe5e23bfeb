"""``salon spam_train``: retrain the base spam model from the shipped corpora."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from salon.antispam.engine import build_base_model


class Command(BaseCommand):
    help = (
        "Train the base spam model on the corpora in data/spam (YouTube, SMS, "
        "SpamAssassin) and write it, with the SmokeDetector index, beside them. "
        "Sites keep their own learning: it is stored per site, not in this file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=None, help="model file (default data/spam/model.npz)"
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        output = options["output"]
        model = build_base_model(
            Path(str(output)) if output else None,
            progress=lambda line: self.stdout.write(
                f"[{time.perf_counter() - started:5.1f} s] {line}"
            ),
        )
        meta = model.metadata
        for medium, chosen in sorted(meta.get("thresholds", {}).items()):
            rows = meta.get("training_rows_by_medium", {}).get(medium, 0)
            self.stdout.write(
                f"  {medium}: {rows} rows, calibrated on {meta['calibrated_on'][medium]}; "
                "spam thresholds "
                + ", ".join(f"{name} {value:.3f}" for name, value in sorted(chosen.items()))
            )
        self.stdout.write(
            f"trained {meta['model_version']} on {meta['training_rows']} rows "
            f"({meta['training_spam']} spam) in {time.perf_counter() - started:.1f} s"
        )
