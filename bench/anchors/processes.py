"""The processes the anchors start: free ports, CPU time, memory, stopping them by PID."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), and of its reaped children."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def pss_mib(pids: list[int]) -> float:
    """Proportional set size (MiB) of these processes and every process under them."""
    import psutil

    seen: set[int] = set()
    total = 0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for member in family:
            if member.pid in seen:
                continue
            seen.add(member.pid)
            try:
                rollup = Path(f"/proc/{member.pid}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in rollup.splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
    return total / 2**20


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process this benchmark started, by its PID: ``sig``, then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
