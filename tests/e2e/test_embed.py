"""The conversation embedded in another site's pages, in a real browser.

A static site (plain HTML files) is served on 127.0.0.1, another site than Salon's live
server on localhost, so the widget runs exactly where it would on a reader's blog: in a
third-party context. The same conversation is held twice, with third-party cookies allowed
and then blocked (each verified by a probe frame that tries to store something from a third
site), and must work alike: the widget keeps its token in the host page's localStorage and
sends no cookie at all. A page of a site that is not allowed gets nothing.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.accessibility import serious_violations
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

# The thread hands the widget a signed stamp of when it was shown; the spam filter takes a
# comment sent within two seconds of it for a bot's. The tests wait as a quick reader would.
READING_SECONDS = 2.5
TITLE = "First light on the ridge"
SCREENSHOTS = "/tmp/salon-e2e-embed-{mode}-{width}.png"

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:Georgia,serif;max-width:42rem;margin:0 auto;padding:1rem;color:#222;background:#fdfdf8}}
@media (prefers-color-scheme:dark){{body{{color:#eee;background:#111}}}}</style></head>
<body><main><article><h1>{title}</h1>
<p>We left the hut at four and reached the ridge as the first light came over the valley.</p>
</article>
<div id="salon-comments"></div>
</main>
<script src="{salon}/embed.js" async></script>
</body></html>"""

INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notes from the hills</title></head>
<body><main><h1>Notes from the hills</h1><ul>
<li><a href="/notes/first-light/">{title}</a> · <a id="count-first" href="/notes/first-light/#comments" data-salon-count>Comments</a></li>
<li><a href="/notes/quiet/">A quiet walk</a> · <a id="count-quiet" href="/notes/quiet/" data-salon-count>Comments</a></li>
</ul></main><script src="{salon}/embed.js" async></script></body></html>"""

# Opened in a frame of another site: can a third site store anything here?
PROBE = """<!doctype html><script>
let cookie = false, storage = false;
try { localStorage.setItem("probe", "1"); storage = true; } catch (e) {}
document.cookie = "probe=1; SameSite=None; Secure";
cookie = document.cookie.includes("probe");
parent.postMessage({ cookie, storage }, "*");
</script>"""
PROBE_HOST = """<!doctype html><html lang="en"><head><title>probe</title></head><body>
<script>addEventListener("message", (e) => {{ document.body.dataset.probe = JSON.stringify(e.data); }});</script>
<iframe title="probe" src="{probe}"></iframe></body></html>"""


@dataclass
class StaticSite:
    """A directory of HTML files served over HTTP on loopback."""

    root: Path
    server: ThreadingHTTPServer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def write(self, path: str, html: str) -> str:
        target = (
            self.root / path.strip("/") / "index.html"
            if path.endswith("/")
            else self.root / path.strip("/")
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        return self.base + path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def _serve(root: Path) -> Iterator[StaticSite]:
    root.mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield StaticSite(root, server)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def blog(tmp_path, live_server, settings, django_user_model) -> Iterator[StaticSite]:
    """The reader's blog: a static site allowed to embed Salon's conversation. Salon may
    fetch its pages (loopback) to check the titles the widget gives."""
    django_user_model.objects.create_superuser("owner", "owner@example.org", "pw-owner-1")
    with _serve(tmp_path / "blog") as site:
        settings.SALON = {
            **settings.SALON,
            "EMBED_ORIGINS": [site.base],
            "REBLOG_ALLOW_PRIVATE": True,
            # Each test writes several comments from 127.0.0.1 within seconds; the flood
            # guard itself is tested without a browser.
            "FLOOD_SECONDS": 0,
        }
        site.write("/notes/first-light/", ARTICLE.format(title=TITLE, salon=live_server.url))
        site.write("/", INDEX.format(title=TITLE, salon=live_server.url))
        site.write("/probe.html", PROBE)
        probe = site.base.replace("127.0.0.1", "localhost") + "/probe.html"
        site.write("/probe-host.html", PROBE_HOST.format(probe=probe))
        yield site


@pytest.fixture(params=["allowed", "blocked"])
def reader(request, browser, tmp_path) -> Iterator:
    """A browser profile with third-party cookies allowed, or blocked (as Safari, Firefox
    and Chrome's tracking protection do): Chromium's own setting, in a fresh profile."""
    profile = tmp_path / f"profile-{request.param}"
    (profile / "Default").mkdir(parents=True)
    mode = 0 if request.param == "allowed" else 1
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": mode}})
    )
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.mode = request.param
    try:
        yield context
    finally:
        context.close()


def _third_sites_may_store(page, blog: StaticSite) -> dict:
    page.goto(blog.base + "/probe-host.html")
    page.wait_for_function("document.body.dataset.probe")
    return json.loads(page.evaluate("document.body.dataset.probe"))


def _wait_as_a_reader(page) -> None:
    """Let READING_SECONDS pass since the thread (and its stamp) last arrived."""
    waited = time.monotonic() - page.thread_at
    if waited < READING_SECONDS:
        page.wait_for_timeout(1000 * (READING_SECONDS - waited))


def _watch_thread(page) -> None:
    page.thread_at = time.monotonic()

    def seen(response) -> None:
        if "/api/v1/thread" in response.url:
            page.thread_at = time.monotonic()

    page.on("response", seen)


def _salon_traffic(page, salon: str) -> list:
    """Every request the page makes to Salon, with its response, as they happen."""
    seen = []
    page.on(
        "requestfinished",
        lambda request: seen.append(request) if request.url.startswith(salon) else None,
    )
    return seen


def test_a_reader_converses_under_a_page_of_another_site(reader, blog, live_server, browser):
    from salon.discussion.models import Comment, DiscussionSettings
    from salon.publishing.models import Post

    page = reader.new_page()
    # The profile really is what it says: a third site's frame may store nothing when
    # third-party cookies are blocked, and may when they are allowed.
    allowed = reader.mode == "allowed"
    assert _third_sites_may_store(page, blog) == {"cookie": allowed, "storage": allowed}

    traffic = _salon_traffic(page, live_server.url)
    everything: list[str] = []
    page.on("request", lambda request: everything.append(request.url))
    _watch_thread(page)
    article = blog.base + "/notes/first-light/"
    page.goto(article)
    widget = page.locator(".salon-embed")
    expect(widget.locator("h2")).to_have_text("Comments")
    expect(widget).to_contain_text("No comments yet")
    expect(
        widget.get_by_role("link", name="Learn how your comment data is processed.")
    ).to_have_attribute("href", live_server.url + "/privacy/")

    # A guest's first comment opens the page's conversation.
    _wait_as_a_reader(page)
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "The light on those rocks must have been something to see at that hour."
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("Ada Walker")
    page.get_by_role("textbox", name="Email", exact=True).fill("ada@example.net")
    page.get_by_label("Save my name, email, and website").check()
    page.get_by_role("button", name="Post Comment").click()
    expect(widget.locator("h2")).to_have_text(f"One thought on “{TITLE}”")
    first = widget.locator(".salon-comment").first
    expect(first.locator(".salon-author")).to_have_text("Ada Walker")
    expect(first.locator(".salon-number")).to_have_text("1.")
    first_id = int(first.get_attribute("id").split("-")[1])
    assert Post.objects.get(kind=Post.Kind.ELSEWHERE).title == TITLE  # as the page says

    # A reply, under the comment it answers (the saved name and e-mail fill the form).
    first.get_by_role("button", name="Reply to Ada Walker").click()
    expect(widget.locator(".salon-reply-title")).to_contain_text("Leave a Reply to Ada Walker")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Ada Walker")
    _wait_as_a_reader(page)
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "Teh valley was still in shadow when we came down."
    )
    page.get_by_role("button", name="Post Comment").click()
    reply = page.locator(f"#comment-{first_id} > ol.salon-children > li")
    expect(reply).to_have_count(1)
    expect(reply.locator(".salon-number")).to_have_text("2.")
    expect(widget.locator("h2")).to_have_text(f"2 thoughts on “{TITLE}”")

    # A like, shown at once and kept for this reader.
    like = first.locator(":scope > article .salon-like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(first.locator(":scope > article .salon-likes")).to_have_text("Liked by 1 person")

    # Editing one's own reply within the window: the text as typed comes back to be fixed.
    reply.get_by_role("button", name="Edit").click()
    editor = reply.get_by_role("textbox", name="Comment", exact=True)
    expect(editor).to_have_value("Teh valley was still in shadow when we came down.")
    editor.fill("The valley was still in shadow when we came down.")
    reply.get_by_role("button", name="Save").click()
    expect(reply.locator(".salon-content")).to_have_text(
        "The valley was still in shadow when we came down."
    )

    # A comment held for moderation is shown to its author, saying so, and to no one else.
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    page.reload()
    _wait_as_a_reader(page)
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "One more thought, for the moderator to read first."
    )
    page.get_by_role("button", name="Post Comment").click()
    held = widget.locator(".salon-awaiting")
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held).to_contain_text("One more thought")
    assert Comment.objects.get(content__startswith="One more thought").status == "pending"
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(article)
        expect(stranger.locator(".salon-comment")).to_have_count(2)
        expect(stranger.locator(".salon-embed")).not_to_contain_text("One more thought")
    finally:
        other.close()

    # The page asked no one but its own site and Salon; nothing Salon answered set a
    # cookie, and the page sent it none.
    assert all(url.startswith((blog.base, live_server.url)) for url in everything), everything
    assert traffic
    for request in traffic:
        assert "cookie" not in request.headers
        assert "set-cookie" not in request.response().headers
    assert page.evaluate("Object.keys(localStorage).some(k => k.startsWith('salon:'))")

    # Readable by everyone, in light and dark, on a phone and a desktop.
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert serious_violations(page, ".salon-embed") == []
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            shot = SCREENSHOTS.format(mode=f"{reader.mode}-{scheme}", width=width)
            page.screenshot(path=shot, full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The index page shows how many comments each page has.
    page.goto(blog.base + "/")
    expect(page.locator("#count-first")).to_have_text("2 comments")
    expect(page.locator("#count-quiet")).to_have_text("0 comments")


def test_a_page_of_a_site_not_allowed_gets_nothing(page, blog, live_server, tmp_path):
    with _serve(tmp_path / "stranger") as stranger:
        address = stranger.write(
            "/post/", ARTICLE.format(title="Not allowed", salon=live_server.url)
        )
        refused = []
        page.on("requestfailed", lambda request: refused.append(request.url))
        with page.expect_request(re.compile(r"/api/v1/thread")):
            page.goto(address)
        page.wait_for_load_state("networkidle")
        # The browser refused the answer to the page's script (no CORS for that site).
        assert any("/api/v1/thread" in url for url in refused)
        assert page.locator("#salon-comments").inner_html() == ""
        expect(page.locator(".salon-embed")).to_have_count(0)


@pytest.fixture
def social_login(blog, live_server):
    """A real OpenID Connect provider (node-oidc-provider), configured as a social log-in."""
    from allauth.socialaccount.models import SocialApp

    from tests.e2e.test_login import PROVIDER_ID, PROVIDER_NAME
    from tests.identity.oidc_server import running_provider

    callback = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    with running_provider(callback, host="127.0.0.1") as server:
        SocialApp.objects.create(
            provider="openid_connect",
            provider_id=PROVIDER_ID,
            name=PROVIDER_NAME,
            client_id=server.client_id,
            secret=server.client_secret,
            settings={"server_url": server.issuer, "oauth_pkce_enabled": True},
        )
        yield server


def test_social_log_in_from_the_embed_opens_a_pop_up_that_returns_a_token(
    page, blog, live_server, social_login
):
    """Third-party cookies are blocked in this browser context (Chromium's default for
    such contexts): the log-in happens in a first-party pop-up, which hands the page a
    token for its localStorage."""
    from salon.discussion.models import Comment
    from tests.e2e.test_login import PROVIDER_ID, PROVIDER_NAME, _log_in_at_the_provider

    local = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?/")
    page.context.route(
        re.compile(r"^https?://"),
        lambda route: route.continue_() if local.match(route.request.url) else route.abort(),
    )
    _watch_thread(page)
    page.goto(blog.base + "/notes/first-light/")
    widget = page.locator(".salon-embed")
    with page.expect_popup() as opened:
        widget.get_by_role("button", name="Log in").click()
    popup = opened.value
    popup.get_by_role("link", name=PROVIDER_NAME).click()
    popup.get_by_role("button", name="Continue").click()
    _log_in_at_the_provider(popup, social_login)
    popup.wait_for_event("close")

    expect(widget.locator(".salon-identity")).to_contain_text(
        "You are commenting as Octavia Idris."
    )
    expect(widget.get_by_role("textbox", name="Name", exact=True)).to_have_count(0)
    _wait_as_a_reader(page)
    widget.get_by_role("textbox", name="Comment", exact=True).fill(
        "Said from the pop-up's account, on a page of another site."
    )
    widget.get_by_role("button", name="Post Comment").click()
    expect(widget.locator(".salon-comment .salon-author")).to_have_text("Octavia Idris")
    comment = Comment.objects.select_related("user").get()
    assert comment.user.email == "octavia@oidc.example"
    assert comment.identity_provider == PROVIDER_ID

    widget.get_by_role("button", name="Log out").click()
    expect(widget.get_by_role("button", name="Log in")).to_be_visible()
