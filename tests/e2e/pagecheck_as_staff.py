"""Run the shared page checker (screenshots at 390 and 1280 px, sideways scroll, axe-core) on
pages only staff can see: log in once through the admin's form, then let the checker open
every page with that session.

    .venv/bin/python tests/e2e/pagecheck_as_staff.py http://127.0.0.1:8000 USER PASSWORD \\
        /admin/moderation/ /admin/publishing/post/add/ [--out DIR] [--no-js]

The checker is the first ``shared/tools/pagecheck.py`` found above this file (or
SALON_PAGECHECK); this only adds the
session cookie to the browser contexts it makes.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright


def _checker() -> Path:
    if os.environ.get("SALON_PAGECHECK"):
        return Path(os.environ["SALON_PAGECHECK"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "tools" / "pagecheck.py"
        if candidate.is_file():
            return candidate
    raise SystemExit("pagecheck.py not found: set SALON_PAGECHECK to its path")


CHECKER = _checker()


def log_in(base: str, user: str, password: str) -> dict:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        state = page.context.storage_state()
        browser.close()
    return state


def main() -> int:
    base, user, password, *rest = sys.argv[1:]
    state = log_in(base.rstrip("/"), user, password)
    new_context = Browser.new_context

    def with_session(self, **options):
        return new_context(self, storage_state=state, **options)

    Browser.new_context = with_session
    sys.argv = [str(CHECKER), base, *rest]
    try:
        runpy.run_path(str(CHECKER), run_name="__main__")
    except SystemExit as done:
        return int(done.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
