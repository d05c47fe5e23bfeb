"""Isso beside Salon: installed from the package index into a throw-away virtual environment,
seeded with the same conversations, and measured in the same run.

Figures, as Salon's: the CPU time (``time.process_time``) of Isso's WSGI application per
request, in one process of that environment (the request built once, no socket): the
500-comment thread as JSON (``GET /?uri=``), the 2-comment one, and a new comment
(``POST /new?uri=``). Then ``isso run`` (its own server) on a free port takes the same load
over HTTP and its memory (PSS) is read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from anchors.processes import free_port, pss_mib, stop

ISSO_VERSION = "0.14.0"
HOST = "http://127.0.0.1:{port}/"  # the site that embeds the threads: never answers
URIS = {"demo": "/2019/07/13/demo/", "busy": "/2024/03/01/a-busy-conversation/"}

# Runs with the throw-away environment's Python: seeds Isso's database through Isso's own
# storage layer, then times its WSGI application.
CHILD = textwrap.dedent(
    """
    import io, json, statistics, sys, time
    from isso import config, make_app
    from isso.db import SQLite3
    from werkzeug.test import EnvironBuilder

    conf = config.load(config.default_file(), sys.argv[1])
    data = json.load(open(sys.argv[2]))
    uris, repeat, host = data["uris"], data["repeat"], data["host"]
    db = SQLite3(conf.get("general", "dbpath"), conf)
    for name, uri in uris.items():
        post = data["posts"][name]
        db.threads.new(uri, post["title"])
        ids = []
        for c in post["comments"]:
            stored = db.comments.add(uri, {
                "parent": None if c["parent"] is None else ids[c["parent"]],
                "text": c["text"], "author": c["author"], "email": c["email"] or None,
                "website": c["website"] or None, "mode": 1, "remote_addr": "192.0.2.1",
                "created": c["created"], "notification": 0,
            })
            ids.append(stored["id"])
            db.execute("UPDATE comments SET likes=? WHERE id=?", (c["likes"], stored["id"]))
    app = make_app(conf)

    def count(replies):
        return sum(1 + count(c.get("replies") or []) for c in replies)

    def timed(make, expect):
        environ = make()
        statuses = []
        began = time.process_time()
        answer = app(environ, lambda status, headers, *_: statuses.append(status))
        body = b"".join(answer)
        if hasattr(answer, "close"):
            answer.close()
        spent = time.process_time() - began
        if not statuses[0].startswith(str(expect)):
            raise SystemExit(f"{environ['PATH_INFO']} answered {statuses[0]}: {body[:300]}")
        return spent, body

    def thread(uri):
        return lambda: EnvironBuilder(
            path="/", query_string={"uri": uri}, headers={"Origin": host.rstrip("/")},
            environ_base={"REMOTE_ADDR": "192.0.2.10"},
        ).get_environ()

    figures = {}
    for name, uri in uris.items():
        expected = len(data["posts"][name]["comments"])
        first, body = timed(thread(uri), 200)
        shown = count(json.loads(body)["replies"])
        if shown != expected:
            raise SystemExit(f"Isso's thread {uri} has {shown} comments, not {expected}")
        samples = [timed(thread(uri), 200)[0] for _ in range(repeat)]
        figures[f"thread_{name}"] = 1000 * statistics.median(samples)
        figures[f"thread_{name}_first"] = 1000 * first

    counter = iter(range(10**6))

    def comment():
        n = next(counter)
        return EnvironBuilder(
            path="/new", method="POST", query_string={"uri": uris["demo"]},
            headers={"Origin": host.rstrip("/")},
            environ_base={"REMOTE_ADDR": f"198.51.{n // 250 % 250}.{n % 250 + 1}"},
            json={
                "text": "Thank you for this, it made me think again about point "
                f"{n}. The second paragraph is the one I keep coming back to.",
                "author": f"Bench Reader {n}", "email": f"bench{n}@example.net",
                "website": None,
            },
        ).get_environ()

    for _ in range(3):
        timed(comment, 201)
    samples = [timed(comment, 201)[0] for _ in range(max(10, repeat // 4))]
    figures["comment"] = 1000 * statistics.median(samples)
    print(json.dumps(figures))
    """
)


def config(work: Path, listen: int, host: str) -> Path:
    path = work / "isso.cfg"
    path.write_text(
        textwrap.dedent(
            f"""
            [general]
            dbpath = {work / "comments.db"}
            host = {host}
            notify = stdout
            [server]
            listen = http://127.0.0.1:{listen}/
            [guard]
            enabled = false
            [moderation]
            enabled = false
            """
        )
    )
    return path


def install(work: Path, *more: str) -> Path:
    """A throw-away virtual environment with Isso from the package index (and ``more``
    requirements); its bin directory."""
    venv = work / "isso-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"isso=={ISSO_VERSION}", *more],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        tail = [line for line in lines if line.startswith("ERROR")][-2:] or lines[-2:]
        raise RuntimeError(f"pip could not install isso=={ISSO_VERSION}: {' / '.join(tail)}")
    return venv / "bin"


def measure(posts: dict, work: Path, repeat: int) -> dict[str, float]:
    """Isso's figures on ``posts`` (the exported conversations), in ``work``."""
    started = time.perf_counter()
    bin_dir = install(work)
    installed = time.perf_counter() - started
    port = free_port()
    host = HOST.format(port=free_port())
    cfg = config(work, port, host)
    (work / "data.json").write_text(
        json.dumps({"uris": URIS, "posts": posts, "repeat": repeat, "host": host})
    )
    (work / "child.py").write_text(CHILD)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work)}
    done = subprocess.run(
        [str(bin_dir / "python"), str(work / "child.py"), str(cfg), str(work / "data.json")],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Isso's measurement failed: {(done.stderr or done.stdout)[-600:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["installed_s"] = installed
    figures.update(serve_and_weigh(bin_dir, cfg, port, host, posts, work))
    return figures


def serve_and_weigh(
    bin_dir: Path, cfg: Path, port: int, host: str, posts: dict, work: Path
) -> dict[str, float]:
    """``isso run`` under the same load over HTTP: its PSS afterwards (MiB)."""
    import httpx

    log = open(work / "server.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [str(bin_dir / "isso"), "-c", str(cfg), "run"],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(work)},
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    origin = {"Origin": host.rstrip("/")}
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"isso run exited with status {server.returncode}")
            try:
                if httpx.get(base + "/info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("isso run did not answer within 60 s")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=60, headers=origin) as client:
            for round_ in range(2):
                for name in ("demo", "busy"):
                    for _ in range(10):
                        answer = client.get("/", params={"uri": URIS[name]})
                        if answer.status_code != 200:
                            raise RuntimeError(f"isso run answered {answer.status_code}")
                for n in range(12):
                    client.post(
                        "/new",
                        params={"uri": URIS["demo"]},
                        json={
                            "text": f"A thought number {n} about this post ({round_}).",
                            "author": f"Memory Reader {n}",
                            "email": f"memory{n}@example.net",
                        },
                    )
        time.sleep(1)
        return {"memory_mib": pss_mib([server.pid])}
    finally:
        stop(server, signal.SIGTERM)
        log.close()
