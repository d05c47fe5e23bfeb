"""WordPress beside Salon: Debian's ``wordpress`` package (6.1) with the same conversations.

The site is set up as the WordPress test's (``tests/antispam/wordpress.py``, whose router and
form reader it uses): a temporary directory of symbolic links to the package's files, its own
``wp-config.php`` and ``wp-content`` (the themes Debian ships in
``wordpress-theme-twentytwentythree`` and ``wordpress-theme-twentytwentyone``; no plugin
but the must-use one below), served by PHP's built-in server (one process, OPcache on) on loopback. Its database
is a MariaDB server of its own (``mariadbd`` on a socket in the temporary directory, the
compiled-in defaults), so that the CPU and memory read are WordPress's alone.

Figures: the CPU time (user + system) of the PHP server per request, and apart that of
MariaDB, from their ``/proc`` counters before and after N sequential requests (10 ms ticks, so
N is chosen to spend about 2 s of CPU); the post page with 2 and 500 comments for a new reader
in the default theme (Twenty Twenty-Three, a block theme) and a classic one (Twenty
Twenty-One), and a comment posted through ``wp-comments-post.php``; the memory (PSS) of PHP
and MariaDB after the load. WordPress's flood limit is told to let the comments through (its
query still runs) and it sends no mail (no notification settings on), as Isso here.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from anchors.processes import cpu_seconds, free_port, pss_mib, stop

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # the WordPress test's site helpers

from tests.antispam.wordpress import (  # noqa: E402
    ROUTER,
    WORDPRESS,
    forms,
    wp_config_php,
)

THEMES = {"default": "twentytwentythree", "classic": "twentytwentyone"}
CPU_BUDGET_S = 2.0  # of CPU per case, to choose N (the counters tick every 10 ms)
COMMENTS_POSTED = 20

SETUP = """<?php
// Install WordPress into this site's database and write the two posts with their comments.
define( 'ABSPATH', $argv[1] );
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = $argv[2];
$_SERVER['REQUEST_URI'] = '/';
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install( 'Salon bench', 'admin', 'admin@example.org', true, '', wp_generate_password( 24 ) );
// Every comment on one page, threaded, as Salon shows them; no mail.
update_option( 'page_comments', 0 );
update_option( 'thread_comments', 1 );
update_option( 'comments_notify', 0 );
update_option( 'moderation_notify', 0 );
$posts = json_decode( file_get_contents( $argv[3] ), true );
$out = array();
foreach ( $posts as $name => $post ) {
    $date = gmdate( 'Y-m-d H:i:s', (int) $post['published'] );
    $id = wp_insert_post( array(
        'post_title'     => $post['title'],
        'post_content'   => $post['body'],
        'post_status'    => 'publish',
        'post_date'      => $date,
        'post_date_gmt'  => $date,
        'comment_status' => 'open',
    ) );
    $ids = array();
    foreach ( $post['comments'] as $c ) {
        $at = gmdate( 'Y-m-d H:i:s', (int) $c['created'] );
        $ids[] = wp_insert_comment( array(
            'comment_post_ID'      => $id,
            'comment_parent'       => null === $c['parent'] ? 0 : $ids[ $c['parent'] ],
            'comment_author'       => $c['author'],
            'comment_author_email' => $c['email'],
            'comment_author_url'   => $c['website'],
            'comment_author_IP'    => '192.0.2.1',
            'comment_content'      => $c['text'],
            'comment_date'         => $at,
            'comment_date_gmt'     => $at,
            'comment_approved'     => 1,
        ) );
    }
    $out[ $name ] = array( 'id' => $id, 'comments' => count( $ids ) );
}
echo json_encode( $out );
"""

THEME = """<?php
define( 'ABSPATH', $argv[1] );
$_SERVER['HTTP_HOST'] = $argv[2];
require ABSPATH . 'wp-load.php';
switch_theme( $argv[3] );
echo get_stylesheet();
"""

SITE_PLUGIN = """<?php
/**
 * Plugin Name: Benchmark site settings
 * Description: All the benchmark's comments come from 127.0.0.1: WordPress still looks for a
 * flood (its query runs) but lets them through.
 */
add_filter( 'comment_flood_filter', '__return_false', 99 );
"""


def missing() -> str | None:
    """Why WordPress cannot be run here, or None."""
    install = "apt-get install wordpress php-cli php-mysql mariadb-server"
    if not (WORDPRESS / "wp-load.php").exists():
        return f"WordPress is not installed ({WORDPRESS}); {install}"
    if shutil.which("php") is None:
        return f"PHP's command line is not installed; {install}"
    probe = subprocess.run(
        ["php", "-r", "exit(function_exists('mysqli_connect') ? 0 : 1);"], capture_output=True
    )
    if probe.returncode != 0:
        return f"PHP has no MySQL driver; {install}"
    for program in ("mariadbd", "mariadb-install-db", "mysql"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            return f"MariaDB's {program} is not installed; {install}"
    themes = WORDPRESS / "wp-content" / "themes"
    absent = [name for name in THEMES.values() if not (themes / name / "style.css").exists()]
    if absent:
        packages = " ".join(f"wordpress-theme-{name}" for name in absent)
        return f"the theme(s) {', '.join(absent)} are not installed; apt-get install {packages}"
    return None


class MariaDB:
    """A MariaDB server of the benchmark's own, on a socket in ``root``, stopped by its PID."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.socket = root / "mysql.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.data.mkdir(parents=True)
        done = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.data}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed: {done.stderr[-400:]}")
        mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        self.process = subprocess.Popen(
            [
                mariadbd,
                "--no-defaults",
                f"--datadir={self.data}",
                f"--socket={self.socket}",
                f"--pid-file={self.root / 'mariadbd.pid'}",
                f"--log-error={self.root / 'mariadbd.log'}",
                "--skip-networking",
                "--user=root",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                log = (self.root / "mariadbd.log").read_text(errors="replace")[-400:]
                raise RuntimeError(f"mariadbd exited: {log}")
            try:
                self.sql("SELECT 1")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def sql(self, statement: str, database: str = "") -> str:
        command = ["mysql", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B"]
        done = subprocess.run(
            [*command, "-e", statement, *([database] if database else [])],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"MariaDB refused {statement!r}: {done.stderr.strip()}")
        return done.stdout

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGTERM, timeout=60)


class Site:
    """One WordPress site on PHP's built-in server, on the benchmark's MariaDB."""

    def __init__(self, root: Path, db: MariaDB) -> None:
        self.root = root
        self.site = root / "site"
        self.db = db
        self.database = f"salon_bench_wp_{secrets.token_hex(4)}"
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        self.server: subprocess.Popen | None = None

    def write_files(self) -> None:
        self.site.mkdir(parents=True)
        for entry in WORDPRESS.iterdir():
            if entry.name not in ("wp-config.php", "wp-content"):
                (self.site / entry.name).symlink_to(entry)
        content = self.site / "wp-content"
        (content / "mu-plugins").mkdir(parents=True)
        (content / "mu-plugins" / "bench-site.php").write_text(SITE_PLUGIN)
        for name in ("themes", "plugins"):
            (content / name).symlink_to(WORDPRESS / "wp-content" / name)
        (self.site / "router.php").write_text(ROUTER)
        (self.root / "setup.php").write_text(SETUP)
        (self.root / "theme.php").write_text(THEME)
        (self.site / "wp-config.php").write_text(
            wp_config_php(self.database, f"localhost:{self.db.socket}", self.url)
        )

    def php(self, script: str, *args: str) -> str:
        done = subprocess.run(
            ["php", str(self.root / script), f"{self.site}/", self.host, *args],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script} failed: {(done.stdout + done.stderr)[-600:]}")
        return done.stdout.strip().splitlines()[-1]

    def start(self, posts: dict) -> dict:
        self.write_files()
        self.db.sql(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4")
        (self.root / "posts.json").write_text(json.dumps(posts))
        seeded = json.loads(self.php("setup.php", str(self.root / "posts.json")))
        self.server = subprocess.Popen(
            [
                "php",
                "-d",
                "opcache.enable=1",
                "-d",
                "display_errors=0",
                "-d",
                "log_errors=1",
                "-d",
                f"error_log={self.root / 'php-errors.log'}",
                "-S",
                self.host,
                "-t",
                str(self.site),
                str(self.site / "router.php"),
            ],
            cwd=self.site,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={"PATH": "/usr/bin:/bin"},  # one process: no PHP_CLI_SERVER_WORKERS
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return seeded
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise RuntimeError("PHP's built-in server did not start") from None
                time.sleep(0.1)

    def close(self) -> None:
        if self.server is not None:
            stop(self.server)
        try:
            self.db.sql(f"DROP DATABASE IF EXISTS `{self.database}`")
        except RuntimeError:
            pass


def _opcache_on(site: Site, httpx) -> bool:
    probe = site.site / "bench-opcache.php"
    probe.write_text(
        "<?php echo function_exists('opcache_get_status') "
        "&& opcache_get_status(false)['opcache_enabled'] ? 'on' : 'off';"
    )
    try:
        return httpx.get(f"{site.url}/bench-opcache.php", timeout=30).text.strip() == "on"
    finally:
        probe.unlink()


def _per_request(site: Site, call, requests: int) -> tuple[float, float]:
    """CPU ms per request of PHP's server and of MariaDB over ``requests`` calls."""
    php0, db0 = cpu_seconds(site.server.pid), cpu_seconds(site.db.process.pid)
    for _ in range(requests):
        call()
    php1, db1 = cpu_seconds(site.server.pid), cpu_seconds(site.db.process.pid)
    return 1000 * (php1 - php0) / requests, 1000 * (db1 - db0) / requests


def _requests_for(seconds: float) -> int:
    """How many requests spend about CPU_BUDGET_S when one costs ``seconds``."""
    return max(5, min(80, math.ceil(CPU_BUDGET_S / max(seconds, 0.01))))


def measure(posts: dict, work: Path) -> dict:
    """WordPress's figures on ``posts`` (the exported conversations), in ``work``."""
    import httpx

    db = MariaDB(work / "mariadb")
    site = Site(work, db)
    figures: dict = {"requests": {}}
    try:
        db.start()
        seeded = site.start(posts)
        figures["opcache"] = _opcache_on(site, httpx)
        with httpx.Client(base_url=site.url, timeout=120) as client:

            def page(post_id: int, comments: int):
                def get() -> str:
                    client.cookies.clear()  # a new reader
                    answer = client.get("/", params={"p": str(post_id)})
                    if answer.status_code != 200:
                        raise RuntimeError(f"WordPress answered {answer.status_code}")
                    return answer.text

                return get

            for theme_key, theme in THEMES.items():
                if site.php("theme.php", theme) != theme:
                    raise RuntimeError(f"WordPress did not switch to {theme}")
                for name in ("demo", "busy"):
                    post = seeded[name]
                    get = page(post["id"], post["comments"])
                    html = get()  # warm: OPcache, MariaDB's buffers
                    shown = len(re.findall(r'<li id="comment-\d+"', html))
                    if shown != post["comments"]:
                        raise RuntimeError(
                            f"{theme} shows {shown} comments, not {post['comments']}"
                        )
                    n = _requests_for(sum(_per_request(site, get, 1)) / 1000)
                    php_ms, db_ms = _per_request(site, get, n)
                    figures[f"{name}_{theme_key}"] = (php_ms, db_ms)
                    figures["requests"][f"{name}_{theme_key}"] = n

            # Posting: the default theme, the demo post's form as a new reader sees it.
            if site.php("theme.php", THEMES["default"]) != THEMES["default"]:
                raise RuntimeError("WordPress did not switch back to its default theme")
            client.cookies.clear()
            demo_page = client.get("/", params={"p": str(seeded["demo"]["id"])}).text
            fields = next(
                (f for attributes, f in forms(demo_page) if attributes.get("id") == "commentform"),
                None,
            )
            if fields is None:
                raise RuntimeError("no comment form on the post's page")
            counter = iter(range(10**6))
            run_id = secrets.token_hex(4)

            def post_comment() -> None:
                n = next(counter)
                client.cookies.clear()
                answer = client.post(
                    "/wp-comments-post.php",
                    data={
                        **fields,
                        "comment": f"Thank you for this, it made me think again about point "
                        f"{n}. The second paragraph is the one I keep coming back to "
                        f"({run_id}).",
                        "author": f"Bench Reader {n}",
                        "email": f"bench{n}@example.net",
                        "url": "",
                    },
                )
                if answer.status_code != 302:
                    raise RuntimeError(
                        f"wp-comments-post.php answered {answer.status_code}: {answer.text[:300]}"
                    )

            for _ in range(3):
                post_comment()
            figures["comment"] = _per_request(site, post_comment, COMMENTS_POSTED)
            figures["requests"]["comment"] = COMMENTS_POSTED
        time.sleep(1)
        figures["memory_php_mib"] = pss_mib([site.server.pid])
        figures["memory_db_mib"] = pss_mib([db.process.pid])
        return figures
    finally:
        site.close()
        db.stop()
