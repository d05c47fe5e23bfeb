"""Static files under names that carry a hash of their content, so browsers keep them for good.

``collect()`` copies every app's static files into ``STATIC_ROOT`` under hashed names, with
gzip and Brotli copies beside them (WhiteNoise's ``CompressedManifestStaticFilesStorage``);
WhiteNoise then serves each hashed name with ``Cache-Control: max-age=315360000, public,
immutable``. ``salon serve`` calls it before it starts, so there is no step to forget; it
copies nothing when no source file changed since the last time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

STAMP = ".salon-sources"


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names once ``collect()`` has run in this data directory; before then (a
    management command, a shell), the plain names, which WhiteNoise serves from the apps."""

    def url(self, name, force=False):
        if not self.hashed_files and not force:
            return StaticFilesStorage.url(self, name)
        return super().url(name, force)


def _sources() -> str:
    """What the collected files depend on: every source file's name, size and change time."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect() -> bool:
    """Bring ``STATIC_ROOT`` up to date with the apps' static files; True if it copied any.

    Serves at the same data directory wait for each other's run (a lock file), and a run finds
    nothing to do when the sources' fingerprint matches the last run's."""
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = _sources()
        stamp = root / STAMP
        manifest = root / "staticfiles.json"
        if manifest.exists() and stamp.exists() and stamp.read_text() == sources:
            return False
        with open(os.devnull, "w") as quiet:
            call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
        stamp.write_text(sources)
        return True
