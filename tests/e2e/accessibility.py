"""axe-core's serious and critical findings on a page, and whether it scrolls sideways.

axe-core is pinned in ``tests/e2e/axe/package-lock.json`` and installed with ``npm ci`` the
first time it is needed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "axe"


def axe_script() -> Path:
    script = AXE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if not npm:
            pytest.skip("the accessibility check needs npm (apt-get install npm) for axe-core")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(AXE)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script


def serious_violations(page, selector: str = "body") -> list[dict]:
    """axe-core's serious and critical findings inside ``selector``."""
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        "async (selector) => (await axe.run(selector, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))",
        selector,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")
