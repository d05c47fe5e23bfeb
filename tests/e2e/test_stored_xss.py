"""Stored XSS: public cheat sheets' payloads go in through every way a text or an address
arrives, and the pages that show them are rendered in Chromium.

Ways in, and the fields each payload is written into (every payload into every field):

- the comment form: comment, name, website, e-mail;
- a WordPress export (``salon import_wxr``): post title, body and excerpt, category and tag
  names, attachment title and address, comment author, e-mail, website and text;
- a Disqus export (``salon import_disqus``): message, author name, e-mail, website;
- Webmentions and pingbacks from another site (a real HTTP server on loopback): the source
  page's title, its site name, the text around the link, and the page's own address.

Pages, read by an anonymous reader and, for the admin, by a logged-in superuser: every post
page, the home page, the feeds, RSS and Atom (served as XML, so a script in the XHTML namespace
would run), search results, a date, a category and a tag archive; the admin's comment list (all
of its pages), post list, attachment list, every post's change form, a sample of comments'
change forms, and about twenty pages of the moderation screen spread over all comments.

A page fails on any dialog, any uncaught script error (a payload's script ran and tripped),
any request for a script or a frame elsewhere, any element with an ``on…`` attribute, any
``<script>`` not the site's own, any frame, object, embed, base or refresh, and any ``href``,
``src`` (or other address attribute) whose scheme is not http(s), mailto or relative.

Payloads are batched: a post page shows hundreds of comments, so the test loads about a
hundred pages in all, in a minute or two.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.forms import CommentForm
from salon.discussion.models import Comment
from salon.interchange.models import Attachment
from salon.publishing.models import Post
from tests.mentions.article_server import ArticleServer

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss"
# In the order of PROVENANCE.md; a payload found in two lists counts once.
LISTS = (
    "IntrudersXSS.txt",
    "RSNAKE_XSS.txt",
    "XSS_Polyglots.txt",
    "BRUTELOGIC-XSS-STRINGS.txt",
    "JHADDIX_XSS.txt",
    "xss_payloads_quick.txt",
    "MarioXSSVectors.txt",
)
WXR_POSTS = 20
COMMENT_SAMPLE = 15  # comments whose admin change form is opened


def payloads() -> list[str]:
    """The corpus: every non-empty line of every list, once."""
    seen: dict[str, None] = {}
    for name in LISTS:
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(line, None)
    return list(seen)


PAYLOADS = payloads()


def test_the_corpus_is_large_enough_and_comes_with_its_provenance():
    assert len(PAYLOADS) >= 300
    provenance = (CORPUS / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in LISTS:
        assert name in provenance
    assert "MIT License" in provenance


# --------------------------------------------------------------------------------------------
# What the browser checks on each page

SCAN = """() => {
  const found = [];
  const safe = new Set(["http:", "https:", "mailto:"]);
  const addressAttributes = new Set(["href", "src", "action", "formaction", "xlink:href",
    "poster", "data", "background", "cite", "longdesc", "lowsrc", "dynsrc", "manifest",
    "codebase", "ping", "archive", "icon", "profile", "usemap"]);
  const check = (el, name, value) => {
    let scheme;
    try { scheme = new URL(value, document.baseURI).protocol; } catch (e) { return; }
    if (!safe.has(scheme)) found.push(`${el.tagName.toLowerCase()} ${name}="${value.slice(0, 100)}"`);
  };
  // The post editor's preview: the site's own frame, sandboxed without scripts. What it shows is
  // scanned like the page itself.
  const ownPreview = (el) => el.tagName === "IFRAME" && el.classList.contains("salon-editor-preview")
    && el.hasAttribute("sandbox") && !el.sandbox.contains("allow-scripts");
  const frames = [];
  const scan = (doc) => { for (const el of doc.querySelectorAll("*")) {
    if (ownPreview(el)) { frames.push(el); continue; }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName.toLowerCase()} ${name}= (event handler)`);
      else if (name === "srcdoc") found.push(`${el.tagName.toLowerCase()} srcdoc=`);
      else if (name === "srcset" || name === "imagesrcset") {
        for (const part of attr.value.split(",")) {
          const url = part.trim().split(/\\s+/)[0];
          if (url) check(el, name, url);
        }
      } else if (addressAttributes.has(name)) check(el, name, attr.value);
    }
    const tag = el.tagName.toLowerCase();
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "portal"].includes(tag))
      found.push(`<${tag}> element`);
    // A <base> that only sets where links open (the preview's) cannot redirect them.
    if (tag === "base" && el.hasAttribute("href")) found.push("<base href> element");
    if (tag === "meta" && (el.getAttribute("http-equiv") || "").toLowerCase() === "refresh")
      found.push("<meta http-equiv=refresh>");
    if (tag === "script") {
      const path = el.src ? new URL(el.src).pathname : "";
      const own = el.src ? path.startsWith("/static/") || path === "/admin/jsi18n/"
                         : el.type === "application/json";
      if (!own) found.push(`<script> not the site's own: ${el.outerHTML.slice(0, 100)}`);
    }
  } };
  scan(document);
  for (const frame of frames) if (frame.contentDocument) scan(frame.contentDocument);
  return found;
}"""

FOREIGN_RESOURCE_TYPES = {"script", "document", "xhr", "fetch", "websocket", "eventsource"}


@dataclass
class Findings:
    """Everything that went wrong, by page, and what was looked at."""

    problems: list[str] = field(default_factory=list)
    pages: int = 0
    elements: int = 0

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


class Inspector:
    """Loads pages in one browser context and records what a payload did there."""

    def __init__(self, context, origin: str, findings: Findings) -> None:
        self.page = context.new_page()
        self.origin = origin
        self.findings = findings
        self.current = ""
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: findings.add(self.current, f"script error {error}"))

        def route(route) -> None:
            request = route.request
            if request.resource_type in FOREIGN_RESOURCE_TYPES:
                findings.add(self.current, f"{request.resource_type} from {request.url[:100]}")
            route.abort()

        # Only requests elsewhere are intercepted (the site's own go straight through).
        self.page.route(re.compile(rf"^(?!{re.escape(origin)}/)"), route)

    def _dialog(self, dialog) -> None:
        self.findings.add(self.current, f"{dialog.type} dialog: {dialog.message[:80]!r}")
        dialog.dismiss()

    def visit(self, path: str, *, as_xml: bool = False) -> None:
        """Load ``path`` and record anything a payload made happen on it."""
        self.current = path
        if as_xml:
            # Feeds are downloaded by Chromium as RSS; served as XML they are parsed, and an
            # element in the XHTML namespace (a <script>) would run.
            def as_text_xml(route) -> None:
                response = route.fetch()
                route.fulfill(response=response, headers={"content-type": "text/xml"})

            self.page.route(self.origin + path, as_text_xml)
        response = self.page.goto(self.origin + path, wait_until="load")
        if as_xml:
            self.page.unroute(self.origin + path)
        if response is None or response.status != 200:
            self.findings.add(path, f"answered {response.status if response else 'nothing'}")
        if urlsplit(self.page.url).path != urlsplit(self.origin + path).path:
            self.findings.add(path, f"navigated away to {self.page.url[:100]}")
            return
        self.findings.pages += 1
        if not as_xml:
            for problem in self.page.evaluate(SCAN):
                self.findings.add(path, problem)
            self.findings.elements += self.page.evaluate(
                "() => document.querySelectorAll('*').length"
            )


# --------------------------------------------------------------------------------------------
# Ways in


@dataclass
class Stored:
    """How many submissions each way in made, and how many were refused."""

    sent: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)

    def count(self, way: str, accepted: bool) -> None:
        self.sent[way] = self.sent.get(way, 0) + 1
        if not accepted:
            self.refused[way] = self.refused.get(way, 0) + 1


def through_the_comment_form(post: Post, other_post: Post, stored: Stored) -> None:
    """Each payload posted as a comment's text and name. Each also as its website, and as
    its e-mail, through the form's own validation (the view's first step): what the form
    accepts is then posted under ``other_post``; what it refuses would be refused there."""
    client = Client()
    addresses = (f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}" for n in itertools.count())

    def send(way: str, on: Post = post, **fields: str) -> None:
        n = stored.sent.get(way, 0)
        data = {
            "post": str(on.pk),
            "comment": f"Comment {n}.",
            "author": f"Reader {n}",
            "email": f"reader{n}@example.net",
            "url": "",
            **fields,
        }
        response = client.post("/comments/post/", data, REMOTE_ADDR=next(addresses))
        # 400: a field refused; 409: the same text as an earlier payload once spaces are trimmed.
        assert response.status_code in (302, 400, 409), (way, response.status_code, fields)
        stored.count(way, response.status_code == 302)

    for payload in PAYLOADS:
        send("form: comment and name", comment=payload, author=payload[:245])
        for way, name, valid in (
            ("form: website", "url", {"email": "a@example.net"}),
            ("form: e-mail", "email", {"url": ""}),
        ):
            data = {"post": other_post.pk, "comment": "x", "author": "A", **valid, name: payload}
            if CommentForm(data).is_valid():
                send(way, on=other_post, **{name: payload})
            else:
                stored.count(way, accepted=False)


def _xml(text: str) -> str:
    return html.escape(text, quote=True)


def through_a_wordpress_export(tmp_path: Path) -> list[list[str]]:
    """WXR_POSTS posts sharing the payloads: each post's title, body, excerpt, category, tag
    and attachment carry its share; each payload is also one comment's every field."""
    chunks = [PAYLOADS[j::WXR_POSTS] for j in range(WXR_POSTS)]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Old blog</title>'
        "<link>http://old.example</link><wp:wxr_version>1.2</wp:wxr_version>"
        "<wp:base_blog_url>http://old.example</wp:base_blog_url>\n"
    ]
    comment_id = itertools.count(1)
    for j, chunk in enumerate(chunks):
        title = " ".join(chunk)[:300]
        body = "\n".join(f"<p>{p}</p>" for p in chunk)
        comments = "".join(
            f"<wp:comment><wp:comment_id>{next(comment_id)}</wp:comment_id>"
            f"<wp:comment_author>{_xml(p[:245])}</wp:comment_author>"
            f"<wp:comment_author_email>{_xml(p[:100])}</wp:comment_author_email>"
            f"<wp:comment_author_url>{_xml(p[:200])}</wp:comment_author_url>"
            f"<wp:comment_date_gmt>2020-05-02 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content>{_xml(p)}</wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved></wp:comment>"
            for p in chunk
        )
        parts.append(
            f"<item><title>{_xml(title)}</title><dc:creator>editor</dc:creator>"
            f"<content:encoded>{_xml(body)}</content:encoded>"
            f"<excerpt:encoded>{_xml(body)}</excerpt:encoded>"
            f"<wp:post_id>{j + 1}</wp:post_id><wp:post_date_gmt>2020-05-01 10:00:{j:02d}"
            f"</wp:post_date_gmt><wp:post_name>xss-{j}</wp:post_name>"
            f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="xss-cat-{j}">{_xml(chunk[0][:200])}</category>'
            f'<category domain="post_tag" nicename="xss-tag-{j}">{_xml(chunk[1][:200])}</category>'
            f"{comments}</item>\n"
        )
        for k, p in enumerate(chunk):
            parts.append(
                f"<item><title>{_xml(p[:300])}</title><wp:post_id>{1000 + j * 100 + k}"
                f"</wp:post_id><wp:post_parent>{j + 1}</wp:post_parent>"
                f"<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                f"<wp:attachment_url>{_xml(p[:1000])}</wp:attachment_url></item>\n"
            )
    parts.append("</channel></rss>\n")
    path = tmp_path / "hostile.wxr.xml"
    path.write_text("".join(parts), encoding="utf-8")
    call_command("import_wxr", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return chunks


def through_a_disqus_export(tmp_path: Path, posts: list[Post]) -> None:
    """Each payload as one Disqus comment's message, author name, e-mail and website, under
    the imported posts."""
    parts = [
        '<?xml version="1.0"?><disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
    ]
    for j, post in enumerate(posts):
        parts.append(
            f'<thread dsq:id="t{j}"><link>http://old.example{post.get_absolute_url()}</link>'
            f"<title>{_xml(PAYLOADS[j])}</title></thread>\n"
        )
    for n, payload in enumerate(PAYLOADS):
        parts.append(
            f'<post dsq:id="p{n}"><message>{_xml(payload)}</message>'
            f"<createdAt>2021-01-01T10:00:00Z</createdAt><isDeleted>false</isDeleted>"
            f"<isSpam>false</isSpam><author><name>{_xml(payload)}</name>"
            f"<email>{_xml(payload)}</email><url>{_xml(payload)}</url></author>"
            f'<thread dsq:id="t{n % len(posts)}"/></post>\n'
        )
    parts.append("</disqus>\n")
    path = tmp_path / "hostile.disqus.xml"
    path.write_text("".join(parts), encoding="utf-8")
    call_command("import_disqus", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def through_mentions(post: Post, server: ArticleServer, stored: Stored) -> None:
    """Other sites' pages whose title, site name, words around the link and address each
    carry a payload; every other one is sent as a Webmention, the rest as pingbacks."""
    client = Client()
    target = f"http://testserver{post.get_absolute_url()}"
    groups = [PAYLOADS[i : i + 4] for i in range(0, len(PAYLOADS), 4)]
    for n, group in enumerate(groups):
        title, site, words, address = (group * 4)[:4]
        path = f"/m{n}/" + quote(address, safe="")
        source = server.page(
            path,
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:site_name' content='{_xml(site)}'>"
            f"<meta property='og:title' content='{_xml(title)}'></head><body><article>"
            f"<p>{words} <a href='{target}'>this post</a> {words}</p>"
            f"<p>More words of the page's own, enough to read as an article.</p>"
            "</article></body></html>",
        )
        if n % 2 == 0:
            way = "webmention"
            response = client.post("/webmention/", {"source": source, "target": target})
            accepted = response.status_code == 202
            assert response.status_code in (202, 400), (response.status_code, response.content)
        else:
            way = "pingback"
            call = xmlrpc.client.dumps((source, target), methodname="pingback.ping")
            response = client.post("/xmlrpc/", call, content_type="text/xml")
            assert response.status_code == 200
            try:
                xmlrpc.client.loads(response.content)
                accepted = True
            except xmlrpc.client.Fault:
                accepted = False
        stored.count(way, accepted)


# --------------------------------------------------------------------------------------------


@pytest.fixture
def open_house(settings, allow_loopback):
    """The site set up to store everything it is sent, so every payload reaches a page: no
    spam filter, no flood guard, generous rate limits, all posts on the home page."""
    settings.SALON = {
        **settings.SALON,
        "SPAM_FILTER": "",
        "FLOOD_SECONDS": 0,
        "COMMENT_RATE": "100000/m",
        "MENTION_RATE": "100000/m",
        "POSTS_PER_PAGE": 100,
    }
    return settings


def test_no_payload_runs_a_script_or_leaves_a_dangerous_link_on_any_page(
    open_house, transactional_db, live_server, browser, owner, make_post, other_site, tmp_path
):
    started = time.monotonic()
    stored = Stored()
    form_post = make_post(title="Comments from the form")
    address_post = make_post(title="Websites and e-mail addresses from the form")
    mention_post = make_post(title="Mentioned by other sites")

    through_the_comment_form(form_post, address_post, stored)
    through_a_wordpress_export(tmp_path)
    imported = list(Post.objects.filter(slug__startswith="xss-").order_by("slug"))
    assert len(imported) == WXR_POSTS
    through_a_disqus_export(tmp_path, imported)
    through_mentions(mention_post, other_site, stored)
    # Whatever the moderation rules held (links, words) is approved: every payload is shown.
    Comment.objects.update(status=Comment.Status.APPROVED)
    refresh_comment_counts(Post.objects.values_list("pk", flat=True))
    filled = time.monotonic() - started

    findings = Findings()
    reader = browser.new_context(java_script_enabled=True)
    staff = browser.new_context(java_script_enabled=True)
    staff_client = Client()
    staff_client.force_login(owner)
    session = staff_client.cookies["sessionid"].value
    staff.add_cookies(
        [{"name": "sessionid", "value": session, "url": live_server.url, "httpOnly": True}]
    )
    try:
        public = Inspector(reader, live_server.url, findings)
        for post in Post.objects.order_by("pk"):
            public.visit(post.get_absolute_url())
        public.visit("/")
        public.visit("/feed/", as_xml=True)
        public.visit("/comments/feed/", as_xml=True)
        for post in (form_post, mention_post, imported[0]):
            public.visit(post.get_absolute_url() + "feed/", as_xml=True)
        public.visit("/feed/atom/", as_xml=True)
        # Pages that list the imported posts' titles and excerpts, and their terms' names.
        public.visit("/search/?q=script")
        public.visit("/2020/05/")
        public.visit("/category/xss-cat-0/")
        public.visit("/tag/xss-tag-1/")

        admin = Inspector(staff, live_server.url, findings)
        comments = Comment.objects.count()
        for page_number in range((comments + 99) // 100):
            admin.visit(f"/admin/discussion/comment/?p={page_number + 1}")
        admin.visit("/admin/publishing/post/")
        # The moderation screen renders every comment whole: pages spread over all of them.
        moderation_pages = (comments + 19) // 20
        for page_number in range(1, moderation_pages + 1, max(1, moderation_pages // 20)):
            admin.visit(f"/admin/moderation/?status=all&page={page_number}")
        for page_number in range((Attachment.objects.count() + 99) // 100):
            admin.visit(f"/admin/interchange/attachment/?p={page_number + 1}")
        for post in Post.objects.order_by("pk"):
            admin.visit(f"/admin/publishing/post/{post.pk}/change/")
        step = max(1, comments // COMMENT_SAMPLE)
        for pk in list(Comment.objects.order_by("pk").values_list("pk", flat=True))[::step]:
            admin.visit(f"/admin/discussion/comment/{pk}/change/")
    finally:
        reader.close()
        staff.close()

    stored_urls = Comment.objects.exclude(author_url="").values_list("author_url", flat=True)
    print(
        f"\n{len(PAYLOADS)} payloads; submissions {stored.sent}, refused {stored.refused}; "
        f"{Comment.objects.count()} comments, {Post.objects.count()} posts, "
        f"{Attachment.objects.count()} attachments stored, {len(stored_urls)} with a website; "
        f"{findings.pages} pages ({findings.elements:,} elements) in "
        f"{time.monotonic() - started - filled:.0f} s after {filled:.0f} s of filling; "
        f"{len(findings.problems)} problems"
    )
    assert not findings.problems, "\n".join(findings.problems[:50])
    assert all(url.lower().startswith(("http://", "https://")) for url in stored_urls)
