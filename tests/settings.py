"""Settings for the test suite: Salon's own, with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("SALON_DATA_DIR", tempfile.mkdtemp(prefix="salon-test-"))

from salon.settings import *  # noqa: E402,F403

# Hashing passwords properly is slow by design; tests create many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The shared cache in a directory of each test process's own: pytest-xdist's workers inherit
# the environment (and so SALON_DATA_DIR), and one worker's cache.clear() must not reset the
# counters another worker's test is reading.
if CACHES["default"]["BACKEND"] == "salon.shared_cache.SharedDiskCache":  # noqa: F405
    CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="salon-test-cache-")  # noqa: F405

# The whole suite runs with post pages served from the cache whenever a new reader asks, so
# every test that looks at a page after a change also checks that no stored page is stale.
SALON = {**SALON, "PAGE_CACHE": "on"}  # noqa: F405
