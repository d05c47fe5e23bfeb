"""What WordPress's Akismet plugin (5.0.2, Debian's) calls and reads, answered in its shapes.

Each expectation comes from the plugin's source: ``Akismet::verify_key`` refuses keys that
are not 12 characters, ``Akismet_Admin::enter_api_key`` strips all but hex digits,
``save_key`` needs get-subscription's ``status`` to be ``active``, ``get_stats`` reads
``spam``, ``accuracy``, ``missed_spam`` and ``false_positives``, ``check_server_connectivity``
wants ``connected`` from ``/1.1/test``, ``update_alert`` stores ``X-akismet-alert-*``, and
``auto_check_comment`` forwards every form field as ``POST_<name>``.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import call_command

from salon.antispam import statistics
from salon.antispam.keys import create_key
from salon.antispam.models import SpamFilterSite

pytestmark = pytest.mark.django_db

BLOG = "http://blog.example.org"
ORDINARY = "My sister told me about the harbour walk, and your photos made me want to go."
SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)


@pytest.fixture
def key() -> str:
    return create_key([BLOG]).key


def check(client, key, content=ORDINARY, **fields):
    data = {"api_key": key, "blog": BLOG, "user_ip": "192.0.2.1", "comment_content": content}
    return client.post("/1.1/comment-check", {**data, **fields})


def reasons(response) -> dict[str, float]:
    return {
        name: float(weight)
        for name, weight in (part.split("=") for part in response["X-Salon-Reasons"].split(";"))
    }


def test_keys_are_what_the_plugin_accepts(key):
    # strlen( $key ) != 12 → 'invalid'; preg_replace( '/[^a-f0-9]/i', '', $_POST['key'] ).
    assert len(key) == 12 and re.fullmatch(r"[a-f0-9]+", key, flags=re.IGNORECASE)


def test_get_subscription_is_an_active_subscription(client, key):
    answer = client.post("/1.1/get-subscription", {"key": key, "blog": BLOG})
    assert answer["Content-Type"] == "application/json"
    subscription = answer.json()
    assert subscription["status"] == "active"
    # Not "free-api-key": the plugin would then ask the owner to pay Akismet a token amount.
    assert subscription["account_type"] != "free-api-key"
    assert "Salon" in subscription["account_name"]
    assert "X-akismet-alert-code" not in answer

    wrong_blog = client.post("/1.1/get-subscription", {"key": key, "blog": "https://else.test/"})
    assert wrong_blog.content == b"invalid"
    assert wrong_blog["X-akismet-alert-code"] == "90002"
    assert "else.test" in wrong_blog["X-akismet-alert-msg"]
    unknown = client.post("/1.1/get-subscription", {"key": "0123456789ab", "blog": BLOG})
    assert unknown.content == b"invalid" and "X-akismet-alert-code" not in unknown


def test_get_stats_gives_the_statistics_pages_numbers(client, key):
    for _ in range(3):
        check(client, key)
    for _ in range(2):
        check(client, key, SPAM, comment_author="Money")
    base = {"api_key": key, "blog": BLOG, "user_ip": "192.0.2.9"}
    client.post("/1.1/submit-spam", {**base, "comment_content": ORDINARY})
    client.post("/1.1/submit-ham", {**base, "comment_content": SPAM})

    stats = client.post("/1.1/get-stats", {"key": key, "blog": BLOG, "from": "all"}).json()
    site = SpamFilterSite.objects.get(blog="blog.example.org")
    page = statistics.summarise(site, days=30)
    assert (stats["spam"], stats["ham"]) == (page.spam, page.ham) == (2, 3)
    assert (stats["missed_spam"], stats["false_positives"]) == (1, 1)
    assert stats["accuracy"] == round(100 * page.estimated_accuracy, 1) == 60.0
    month = next(iter(stats["breakdown"]))
    assert re.fullmatch(r"\d{4}-\d{2}", month) and stats["breakdown"][month]["spam"] == 2

    six = client.post("/1.1/get-stats", {"key": key, "blog": BLOG, "from": "6-months"}).json()
    assert len(six["breakdown"]) == 6 and six["spam"] == 2
    days = client.post("/1.1/get-stats", {"key": key, "blog": BLOG, "from": "60-days"}).json()
    assert len(days["breakdown"]) == 60 and days["ham"] == 3
    bad = client.post("/1.1/get-stats", {"key": key, "blog": BLOG, "from": "forever"})
    assert bad.status_code == 400 and b"6-months" in bad.content

    # A blog with nothing checked yet: zeros, and no accuracy to speak of.
    other = create_key([BLOG]).key
    empty = client.post("/1.1/get-stats", {"key": other, "blog": BLOG, "from": "all"}).json()
    assert (empty["spam"], empty["accuracy"], len(empty["breakdown"])) == (0, None, 1)


def test_deactivate_verify_wpcom_key_and_test(client, key):
    assert client.post("/1.1/deactivate", {"key": key, "blog": BLOG}).content == b"deactivated"
    assert client.post("/1.1/verify-key", {"key": key, "blog": BLOG}).content == b"valid"
    account = client.post(
        "/1.1/verify-wpcom-key", {"api_key": key, "user_id": "7", "get_account_type": "true"}
    ).json()
    assert (account["api_key"], account["status"]) == (key, "active")
    # No WordPress.com accounts here: the plugin reads anything not JSON as "no account".
    assert client.post("/1.1/verify-wpcom-key", {"token": "1-" + "a" * 20}).content == (b"invalid")
    connected = client.get("/1.1/test")
    assert (connected.status_code, connected.content) == (200, b"connected")


@pytest.mark.parametrize(
    "path", ["/1.1/no-such-thing", "/1.2/no-such-thing", "/1.1/comment-check/", "/1.2/"]
)
def test_unknown_paths_are_answered_in_plain_text(client, path):
    answer = client.post(path, {"key": "whatever"})
    assert answer.status_code == 404
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.content.startswith(b"Unknown Akismet API endpoint")
    assert "comment-check" in answer["X-akismet-debug-help"]


def test_the_plugins_honeypot_is_read(client, key):
    human = check(client, key, POST_ak_hp_textarea="")
    assert human.content == b"false" and "honeypot" not in reasons(human)
    bot = check(client, key, POST_ak_hp_textarea="https://cheap-pills.example/")
    assert bot.content == b"true"
    assert reasons(bot)["honeypot"] > 0


def test_the_time_the_form_was_open_is_read_from_ak_js(client, key):
    loaded = int(time.time() * 1000) - 40_000
    # ak_bfs (sent) − ak_js (loaded), both the browser's clock.
    hasty = check(client, key, POST_ak_js=str(loaded), POST_ak_bfs=str(loaded + 600))
    assert reasons(hasty)["too_fast"] > 0
    calm = check(client, key, POST_ak_js=str(loaded), POST_ak_bfs=str(loaded + 40_000))
    assert "too_fast" not in reasons(calm)
    # Only ak_js: measured against Salon's clock.
    now = int(time.time() * 1000)
    assert reasons(check(client, key, POST_ak_js=str(now - 500)))["too_fast"] > 0
    assert "too_fast" not in reasons(check(client, key, POST_ak_js=str(loaded)))
    # The script did not run: ak_js keeps its random placeholder, which says nothing.
    assert "too_fast" not in reasons(check(client, key, POST_ak_js="143"))


def test_a_comment_to_hold_is_not_spam_and_says_so(client, key):
    watched = check(client, key, "My sister lost weight with trimfire, you should all try it too!")
    assert watched.content == b"false"
    assert watched["X-Salon-Hold"] == "true"
    assert "X-Salon-Hold" not in check(client, key)


def test_unknown_keys_are_limited_per_address(client, key, settings):
    settings.SALON = {**settings.SALON, "AKISMET_INVALID_KEY_RATE": "3/m"}
    for n in range(3):
        guess = client.post(
            "/1.1/verify-key", {"key": f"abcdef12345{n}", "blog": BLOG}, REMOTE_ADDR="198.51.100.7"
        )
        assert guess.content == b"invalid"
    # From then on every key from that address is refused, the right one too (else a guesser
    # would learn which guess was right), until the window ends.
    for attempt in ({"key": "abcdef123459"}, {"key": key}):
        refused = client.post(
            "/1.1/verify-key", {**attempt, "blog": BLOG}, REMOTE_ADDR="198.51.100.7"
        )
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert refused["X-akismet-alert-code"] == "90004"
    other_address = client.post(
        "/1.1/verify-key", {"key": key, "blog": BLOG}, REMOTE_ADDR="198.51.100.8"
    )
    assert other_address.content == b"valid"
    # Valid keys are not counted; an IPv6 /64 is one address.
    for _ in range(5):
        client.post("/1.1/verify-key", {"key": key, "blog": BLOG}, REMOTE_ADDR="2001:db8::1")
    for n in range(3):
        client.post(
            "/1.1/verify-key",
            {"key": f"abcdef12345{n}", "blog": BLOG},
            REMOTE_ADDR=f"2001:db8::{n}",
        )
    neighbour = client.post(
        "/1.1/verify-key", {"key": key, "blog": BLOG}, REMOTE_ADDR="2001:db8::ffff"
    )
    assert neighbour.status_code == 429


def test_the_key_being_verified_is_key_not_the_saved_api_key(client, key):
    # Akismet::http_post adds the key the plugin has saved as api_key to every request, also
    # when its settings page verifies a new key sent as key.
    old = create_key([BLOG])
    call_command("akismet_key", "revoke", old.key)
    for path in ("/1.1/verify-key", "/1.1/get-subscription"):
        answer = client.post(path, {"key": key, "blog": BLOG, "api_key": old.key})
        assert answer.content != b"invalid", path


def test_the_statistics_page_for_the_plugins_frames(client, key):
    check(client, key)
    check(client, key, SPAM, comment_author="Money")
    for view, days in (("snapshot", 30), ("detailed", 183)):
        page = client.post("/1.1/stats-page", {"key": key, "blog": BLOG, "view": view})
        assert page["Content-Type"] == "text/html; charset=utf-8"
        # Shown inside the WordPress admin: no script may run in it.
        assert page["Content-Security-Policy"].startswith("sandbox;")
        text = page.content.decode()
        assert f"the last {days} days" in text and "2 checked: 1 spam caught, 1 ham passed" in text
        assert "<svg" in text and "<script" not in text
        assert ("By month" in text) == (view == "detailed")
    refused = client.post("/1.1/stats-page", {"key": key, "blog": "https://else.test/"})
    assert refused.content == b"invalid"
