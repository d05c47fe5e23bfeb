"""The `salon` command: what `make run` does, run for real in a throw-away data directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from salon.discussion.models import Comment, Like
from salon.publishing.models import Post


def _salon(data_dir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["SALON_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "salon.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.mark.django_db
def test_demo_loads_once_and_is_idempotent(capsys):
    call_command("demo")
    call_command("demo")
    assert Post.objects.count() == 1
    assert Comment.objects.count() == 2
    assert Like.objects.count() == 1
    assert "already loaded" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_steps_serve_the_demo_with_a_production_server(tmp_path):
    data = tmp_path / "data"
    assert _salon(data, "migrate", "--noinput").returncode == 0
    demo = _salon(data, "demo")
    assert demo.returncode == 0, demo.stderr
    password_file = data / "admin-password.txt"
    assert password_file.stat().st_mode & 0o777 == 0o600

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["SALON_DATA_DIR"] = str(data)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "salon.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-retention",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    home = response.read().decode()
                    server_header = response.headers.get("Server", "")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.2)
        assert "Is Turkey Now “Officially” an Ally of Russia?" in home
        assert "gunicorn" in server_header
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/salon/salon.css") as css:
            assert css.status == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert f"Salon is running at http://127.0.0.1:{port}/" in output
    assert f"password in {password_file}" in output


def test_serve_rejects_a_bad_port(tmp_path):
    result = _salon(tmp_path, "serve", "--port", "70000")
    assert result.returncode != 0
    assert "not a valid TCP port" in result.stderr
