"""``salon spam_train``: retrain the base spam model from the shipped corpora."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from salon.antispam.engine import build_base_model, outcomes


class Command(BaseCommand):
    help = (
        "Train the base spam model on the corpora in data/spam (YouTube, Instagram, Stack "
        "Exchange spam and ham, SMS, SpamAssassin; see data/spam/PROVENANCE.md) and write "
        "it, with the SmokeDetector index, beside them. Prints the uncertain band it chose. "
        "Sites keep their own learning: it is stored per site, not in this file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=None, help="model file (default data/spam/model.npz)"
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        cpu_started = time.process_time()
        output = options["output"]
        model = build_base_model(
            Path(str(output)) if output else None,
            progress=lambda line: self.stdout.write(
                f"[{time.perf_counter() - started:5.1f} s] {line}"
            ),
        )
        meta = model.metadata
        for corpus, rows in sorted(meta.get("training_rows_by_corpus", {}).items()):
            weight = meta["config"]["corpus_weights"].get(corpus, 1.0)
            self.stdout.write(f"  {corpus}: {rows} rows, each weighing {weight}")
        if model.band_edges:
            for lessons in (0, 100, 400):
                band = outcomes.band(lessons, edges=model.band_edges)
                self.stdout.write(
                    f"  uncertain band after {lessons} lessons: held from {band.hold_from:.1%}, "
                    f"spam from {band.spam_from:.1%}"
                )
        self.stdout.write(
            f"trained {meta['model_version']} on {meta['training_rows']} rows "
            f"({meta['training_spam']} spam) in {time.perf_counter() - started:.1f} s "
            f"({time.process_time() - cpu_started:.1f} s of CPU)"
        )
