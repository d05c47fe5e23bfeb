"""Run the test OpenID Connect provider (``oidc/server.mjs``, node-oidc-provider) locally.

Its node modules are installed from ``oidc/package-lock.json`` with ``npm ci`` the first time
they are needed; without node and npm the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "oidc"


@dataclass(frozen=True)
class OIDCServer:
    """A running provider: where it is, and the client Salon is registered as."""

    issuer: str
    client_id: str
    client_secret: str


def ensure_node_modules() -> None:
    """Install the provider's node modules (exact versions from the lockfile) if missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip(
            "the OpenID Connect log-in test needs node and npm (apt-get install nodejs npm) "
            "to run a real provider"
        )
    if (HERE / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        pytest.fail(f"npm ci for the test OpenID Connect provider failed:\n{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_provider(redirect_uri: str, host: str = "localhost") -> Iterator[OIDCServer]:
    """Start the provider for a client whose callback is ``redirect_uri``; stop it after.

    It listens on 127.0.0.1 and calls itself ``host``: a test gives the name Salon is not
    served under, so that the browser keeps the two sites' cookies apart as it would for
    two real sites.
    """
    ensure_node_modules()
    port = _free_port()
    server = OIDCServer(
        issuer=f"http://{host}:{port}",
        client_id="salon-e2e",
        client_secret="salon-e2e-secret-0123456789abcdef",
    )
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_ISSUER": server.issuer,
        "OIDC_CLIENT_ID": server.client_id,
        "OIDC_CLIENT_SECRET": server.client_secret,
        "OIDC_REDIRECT_URI": redirect_uri,
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(
        [shutil.which("node") or "node", str(HERE / "server.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A thread reads its output all along: it reports readiness, and the pipe never fills.
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
    )
    reader.start()
    try:
        seen = []
        deadline = time.monotonic() + 20
        while not (seen and seen[-1].startswith("ready ")):
            try:
                seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise RuntimeError(
                    "the OpenID Connect provider did not start:\n" + "".join(seen)
                ) from None
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(5)
        if process.stdout:
            process.stdout.close()
