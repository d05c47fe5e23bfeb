"""The federation test's two servers on loopback: Salon over HTTPS (a live server with a
test certificate authority made here), and a fediverse peer run by Fedify (``peer/peer.mjs``).

Fedify looks handles up by WebFinger over HTTPS only, so Salon is served with TLS; node
trusts the test authority through NODE_EXTRA_CA_CERTS. Fedify's ``allowPrivateAddress``
lets it fetch loopback addresses, and Salon's ``SALON_REBLOG_ALLOW_PRIVATE`` (the
``allow_loopback`` fixture) lets Salon fetch the peer.

The peer's node modules are installed from ``peer/package-lock.json`` with ``npm ci`` the
first time they are needed; without node and npm the test is skipped, saying why.
"""

from __future__ import annotations

import datetime
import fcntl
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import connections
from django.test.testcases import (
    LiveServerThread,
    QuietWSGIRequestHandler,
    _StaticFilesHandler,
)

PEER = Path(__file__).parent / "peer"


# --- Salon over HTTPS ------------------------------------------------------------------------


@dataclass(frozen=True)
class TestAuthority:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_authority(directory: Path) -> TestAuthority:
    """A certificate authority and a certificate for 127.0.0.1 signed by it (a day long)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Salon test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = TestAuthority(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    paths.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class _TLSLiveServerThread(LiveServerThread):
    """Django's live server (the test database, threaded), its socket wrapped in TLS."""

    tls: ssl.SSLContext

    def _create_server(self, connections_override=None):
        server = self.server_class(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )
        server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        return server


@contextmanager
def https_live_server(authority: TestAuthority) -> Iterator[str]:
    """Serve Salon at https://127.0.0.1:<port> until the block ends; yields the address."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(authority.cert_file, authority.key_file)
    overrides = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in overrides.values():
        conn.inc_thread_sharing()  # as Django's LiveServerTestCase does
    thread = _TLSLiveServerThread(
        "127.0.0.1", _StaticFilesHandler, connections_override=overrides, port=0
    )
    thread.tls = tls
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"https://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in overrides.values():
            conn.dec_thread_sharing()


# --- the Fedify peer --------------------------------------------------------------------------


def ensure_node_modules() -> None:
    """Install the peer's node modules (exact versions from the lockfile) if missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip(
            "the federation test needs node and npm (apt-get install nodejs npm) to run "
            "Fedify, the fediverse peer"
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0] or 0) if version[:1] == "v" else 0
    if major < 20:
        pytest.skip(
            f"the federation test runs Fedify, which needs Node.js 20 or later, not {version}"
        )
    installed = PEER / "node_modules" / "@fedify" / "fedify" / "package.json"
    if installed.is_file():
        return
    # The two runs of the test may start at once on two pytest-xdist workers: one installs.
    with open(PEER / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed.is_file():
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(PEER)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    if result.returncode != 0:
        pytest.fail(f"npm ci for the fediverse peer (Fedify) failed:\n{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Peer:
    """A running Fedify peer with one account, alice, driven through its control API."""

    def __init__(
        self, origin: str, process: subprocess.Popen, log: list[str], first_knock: str
    ) -> None:
        self.origin = origin
        self.first_knock = first_knock
        self.process = process
        self.log = log
        self.http = httpx.Client(base_url=origin, timeout=60)

    @property
    def alice(self) -> str:
        return f"{self.origin}/users/alice"

    def call(self, name: str, **arguments) -> dict | list:
        response = self.http.post(f"/_control/{name}", json=arguments)
        if response.status_code != 200:
            raise AssertionError(
                f"the peer's {name} failed: {response.text}\n--- peer log ---\n"
                + "".join(self.log[-60:])
            )
        return response.json()

    def received(self) -> list[dict]:
        return self.http.get("/_control/received").json()

    def wait_for(self, predicate, timeout: float = 20.0) -> dict:
        """The first received activity ``predicate`` accepts, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.received():
                if predicate(item):
                    return item
            time.sleep(0.1)
        raise AssertionError(
            f"the peer did not receive the expected activity; it has {self.received()}\n"
            "--- peer log ---\n" + "".join(self.log[-60:])
        )


@contextmanager
def running_peer(authority: TestAuthority, first_knock: str = "rfc9421") -> Iterator[Peer]:
    """Run the peer; ``first_knock`` is the signature dialect it tries first with a server
    it does not know ("rfc9421" or "draft-cavage-http-signatures-12")."""
    ensure_node_modules()
    port = _free_port()
    env = {
        **os.environ,
        "PEER_PORT": str(port),
        "NODE_EXTRA_CA_CERTS": str(authority.ca_file),
        "NODE_NO_WARNINGS": "1",
        "PEER_FIRST_KNOCK": first_knock,
    }
    process = subprocess.Popen(
        [shutil.which("node") or "node", str(PEER / "peer.mjs")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            log.append(line)
            if "peer ready" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(30):
        process.kill()
        raise AssertionError("the Fedify peer did not start:\n" + "".join(log))
    peer = Peer(f"http://127.0.0.1:{port}", process, log, first_knock)
    try:
        yield peer
    finally:
        peer.http.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
