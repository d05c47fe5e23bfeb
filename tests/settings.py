"""Settings for the test suite: Salon's own, with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("SALON_DATA_DIR", tempfile.mkdtemp(prefix="salon-test-"))

from salon.settings import *  # noqa: E402,F403

# Hashing passwords properly is slow by design; tests create many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The whole suite runs with post pages served from the cache whenever a new reader asks, so
# every test that looks at a page after a change also checks that no stored page is stale.
SALON = {**SALON, "PAGE_CACHE": "on"}  # noqa: F405
