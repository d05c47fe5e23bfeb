"""Every kind of public page, in Chromium at a phone's width (390 px) and a laptop's (1280 px):
nothing scrolls sideways, axe-core finds nothing serious or critical, and the pages that take
input (search) work with JavaScript off.

The demo post carries an 800-px image, and one more post a 1600-px one: the home page and the
archives show them in their summaries, where they once made a phone's page 1016 px wide.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.e2e.accessibility import page_width, serious_violations
from tests.e2e.conftest import _open_context

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

WIDE_IMAGE = (
    '<p>A panorama.</p><p><img src="/static/salon/apple-touch-icon.png" alt="A wide panorama" '
    'width="1600" height="400"></p><pre>a_long_line_of_code_that_would_push_the_page_sideways'
    "_if_it_were_not_kept_in_its_box()_" + "x" * 120 + "</pre>"
)


@pytest.fixture
def site(demo, live_server):
    """The demo site, plus a page, a post with a very wide image, and an account to log in."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from salon.publishing.models import Category, Post, Tag

    owner = get_user_model().objects.get(username="admin")
    wide = Post.objects.create(
        title="A panorama too wide for a phone",
        slug="panorama",
        author=owner,
        body=WIDE_IMAGE,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    category = Category.objects.order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    wide.categories.add(category)
    wide.tags.add(tag)
    Post.objects.create(
        title="About this blog",
        slug="about",
        kind=Post.Kind.PAGE,
        author=owner,
        body="<p>Who writes here, and why.</p>",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    local = timezone.localtime(wide.published_at)
    demo_post = demo.url.removeprefix(live_server.url)
    year, month, day = demo_post.strip("/").split("/")[:3]
    return {
        "home": "/",
        "post": demo_post,
        "wide post": wide.get_absolute_url(),
        "page": "/about/",
        "category": category.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": f"/author/{owner.username}/",
        "year": f"/{year}/",
        "month": f"/{year}/{month}/",
        "day": f"/{year}/{month}/{day}/",
        "this month": f"/{local.year}/{local.month:02d}/",
        "search results": "/search/?q=panorama",
        "search, nothing found": "/search/?q=zzzqqq",
        "search form": "/search/",
        "not found": "/no-such-page/",
        "log in": "/accounts/login/",
        "sign up": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "privacy": "/privacy/",
        "your data": "/privacy/your-data/",
    }


def fit_and_access_problems(page, label: str, width: int) -> list[str]:
    """What is wrong with the loaded page at this window width: sideways scroll, and axe-core's
    serious or critical findings."""
    problems = []
    wide = page_width(page)
    if wide > width:
        problems.append(f"{label}: {wide} px wide at {width} px")
    problems += [f"{label}: axe {violation}" for violation in serious_violations(page)]
    return problems


@pytest.mark.parametrize("width", [390, 1280])
def test_every_public_page_fits_and_passes_axe(browser, live_server, site, width):
    context = _open_context(browser, viewport={"width": width, "height": 900})
    problems = []
    try:
        page = context.new_page()
        for name, path in site.items():
            response = page.goto(live_server.url + path)
            expected = 404 if name == "not found" else 200
            if response.status != expected:
                problems.append(f"{name} ({path}): HTTP {response.status}")
            page.wait_for_load_state("load")
            problems += fit_and_access_problems(page, f"{name} ({path})", width)
    finally:
        context.close()
    assert problems == []


def test_images_in_post_summaries_shrink_to_a_phone(phone_page, live_server, site):
    page = phone_page
    for path in (site["home"], site["category"]):
        page.goto(live_server.url + path)
        image = page.get_by_role("img", name="A wide panorama")
        expect(image).to_be_visible()
        box = image.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (path, box)
        # Shrunk in proportion (height: auto), not squashed by its width and height attributes.
        natural = image.evaluate("img => img.naturalWidth / img.naturalHeight")
        assert abs(box["width"] / box["height"] - natural) < 0.05, (box, natural)
        assert page_width(page) <= 375, path


CODE_COMMENT = (
    "Here is how I did it:\n\n```python\n"
    + "def fetch_everything(address, timeout_in_seconds, retries_before_giving_up):"
    + "  # a line longer than a phone\n```\n"
)


@pytest.mark.parametrize("width", [390, 1280])
def test_code_in_a_comment_wraps_in_the_column(browser, live_server, demo, width):
    """A comment's code block wraps as a post's does, instead of pushing the page sideways,
    even four replies deep on a phone."""
    from salon.discussion.counts import refresh_comment_counts
    from salon.discussion.models import Comment
    from salon.discussion.rendering import render_comment

    parent = Comment.objects.get(pk=demo.reply_id)  # two deep: Sha’Tara's, then its reply
    for depth in (3, 4):
        parent = Comment.objects.create(
            post=parent.post,
            parent=parent,
            author_name=f"Reader {depth}",
            author_email=f"reader{depth}@example.org",
            content=CODE_COMMENT,
            content_html=render_comment(CODE_COMMENT),
            status=Comment.Status.APPROVED,
        )
    refresh_comment_counts([parent.post_id])

    context = _open_context(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(demo.url)
        code = page.locator(f"#comment-{parent.pk} pre")
        expect(code).to_contain_text("retries_before_giving_up")
        assert code.evaluate("pre => pre.scrollWidth <= pre.clientWidth"), "the code overflows"
        assert page_width(page) <= width
    finally:
        context.close()


def test_search_from_the_header_works_without_javascript(page_without_js, live_server, site):
    page = page_without_js
    page.goto(live_server.url + site["post"])
    page.get_by_role("searchbox", name="Search posts").fill("panorama")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=panorama$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “panorama”")
    page.get_by_role("link", name="A panorama too wide for a phone", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A panorama too wide for a phone")


def test_notify_me_boxes_sit_on_their_labels_line(phone_page, live_server, site, settings):
    # The boxes are offered only when the site can send mail (nothing is sent here).
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": "smtp://127.0.0.1:2525",
        "MAIL_FROM": "blog@example.org",
    }
    page = phone_page
    page.goto(live_server.url + site["post"])
    for box_id in ("notify_replies", "notify_posts", "save_identity"):
        box = page.locator(f"#{box_id}").bounding_box()
        # The label's first line (it may wrap onto more on a phone).
        first = page.locator(f"label[for={box_id}]").evaluate(
            "label => { const r = label.getClientRects()[0];"
            " return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
        )
        middle = box["y"] + box["height"] / 2
        # The box is beside the label's first line, not on a line of its own above it.
        assert first["y"] <= middle <= first["y"] + first["height"], (box_id, box, first)
        assert box["x"] + box["width"] <= first["x"] + 1, (box_id, box, first)


def test_spam_statistics_chart_fits_a_phone(browser, live_server, transactional_db, owner):
    from django.test import Client

    client = Client()
    client.force_login(owner)
    context = _open_context(browser, viewport={"width": 390, "height": 800})
    try:
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + "/admin/antispam/spamstatistics/")
        chart = page.locator("figure svg")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page_width(page) <= 390
        assert serious_violations(page, "#content") == []
    finally:
        context.close()


def test_admin_lists_of_media_and_sent_mentions_have_no_nameless_links(
    browser, live_server, transactional_db, owner
):
    """An image's thumbnail links to it, and the protocol filter offers "none found" for
    links whose page named no endpoint: each link says where it goes."""
    from django.core.files.base import ContentFile
    from django.test import Client
    from django.utils import timezone

    from salon.mentions.models import SentMention
    from salon.publishing.models import Media, Post

    media = Media(alt_text="", uploaded_by=owner)
    media.file.save("harbour.png", ContentFile(_png()), save=True)
    post = Post.objects.create(
        title="Links", slug="links", author=owner, body="<p>x</p>", published_at=timezone.now()
    )
    SentMention.objects.create(
        post=post, target="https://quiet.example.org/", outcome=SentMention.Outcome.NO_ENDPOINT
    )
    client = Client()
    client.force_login(owner)
    context = _open_context(browser, viewport={"width": 1280, "height": 900})
    problems = []
    try:
        context.add_cookies([_session_for(live_server, client)])
        page = context.new_page()
        for path in ("/admin/publishing/media/", "/admin/mentions/sentmention/"):
            page.goto(live_server.url + path)
            problems += [f"{path}: {v}" for v in serious_violations(page, "#content")]
        page.get_by_role("link", name="None found").click()
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
    finally:
        context.close()
    assert problems == []


def test_date_and_time_inputs_in_the_admin_have_labels(
    browser, live_server, transactional_db, owner
):
    """Django's date-and-time field shows "Date:" and "Time:" as bare text; in Salon's admin
    they label their inputs (axe-core: label, critical, on every form with such a field)."""
    from django.test import Client

    client = Client()
    client.force_login(owner)
    context = _open_context(browser, viewport={"width": 390, "height": 900})
    try:
        context.add_cookies([_session_for(live_server, client)])
        page = context.new_page()
        page.goto(live_server.url + "/admin/notifications/subscription/add/")
        expect(page.get_by_label("Date:").first).to_have_attribute("name", "created_at_0")
        expect(page.get_by_label("Time:").first).to_have_attribute("name", "created_at_1")
        assert serious_violations(page, "#content") == []
        assert page_width(page) <= 390
    finally:
        context.close()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 90, 140)).save(out, "PNG")
    return out.getvalue()


def _session_for(live_server, client) -> dict:
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.mark.parametrize("width", [390, 1280])
def test_every_account_page_is_in_the_theme_fits_and_passes_axe(
    browser, live_server, site, settings, width
):
    """The pages allauth shows a reader after signing in (e-mail addresses and their
    confirmation, connected providers, a provider's sign-up, log-out, password change and set,
    confirming access) are the site's own: its header, at both widths, axe-clean."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialLogin
    from django.contrib.auth import get_user_model
    from django.test import Client

    providers = dict(settings.SOCIALACCOUNT_PROVIDERS)
    for name in ("github", "google"):
        app = {"client_id": f"{name}-id", "secret": f"{name}-secret"}
        providers[name] = {**providers[name], "APPS": [app]}
    settings.SOCIALACCOUNT_PROVIDERS = providers

    users = get_user_model().objects
    reader = users.create_user("reader", "reader@example.org", "pw-reader-1")
    EmailAddress.objects.create(user=reader, email="reader@example.org", primary=True)
    social = users.create_user("socialite", "socialite@example.org")  # no password yet
    signed_in, no_password, pending = Client(), Client(), Client()
    signed_in.force_login(reader)
    no_password.force_login(social)
    # A GitHub log-in whose e-mail address is taken: allauth asks the reader to sign up.
    account = SocialAccount(provider="github", uid="4242", extra_data={"login": "newcomer"})
    login = SocialLogin(
        account=account,
        user=users.model(username="newcomer", email="reader@example.org"),
        provider=account.get_provider(),
    )
    session = pending.session
    session["socialaccount_sociallogin"] = login.serialize()
    session.save()
    pending.cookies["sessionid"] = session.session_key

    pages = [
        (signed_in, "e-mail addresses", "/accounts/email/"),
        (signed_in, "connected accounts", "/accounts/3rdparty/"),
        (signed_in, "log out", "/accounts/logout/"),
        (signed_in, "password change", "/accounts/password/change/"),
        (signed_in, "confirm access", "/accounts/reauthenticate/"),
        (no_password, "password set", "/accounts/password/set/"),
        (pending, "provider sign-up", "/accounts/3rdparty/signup/"),
        (None, "confirmation sent", "/accounts/confirm-email/"),
        (None, "confirmation link", "/accounts/confirm-email/not-a-key/"),
        (None, "provider log-in cancelled", "/accounts/3rdparty/login/cancelled/"),
        (None, "log in with providers", "/accounts/login/"),
    ]
    problems = []
    for client, name, path in pages:
        context = _open_context(browser, viewport={"width": width, "height": 900})
        try:
            if client is not None:
                context.add_cookies([_session_for(live_server, client)])
            page = context.new_page()
            response = page.goto(live_server.url + path)
            if response.status != 200 or not page.url.endswith(path):
                problems.append(f"{name} ({path}): HTTP {response.status} at {page.url}")
                continue
            if page.locator("header.site-header").count() != 1:
                problems.append(f"{name} ({path}): not in the site's layout")
            problems += fit_and_access_problems(page, f"{name} ({path})", width)
        finally:
            context.close()
    assert problems == []
