"""WordPress's own Akismet plugin, unchanged, runs on Salon.

A real WordPress (Debian's ``wordpress`` package, with its bundled Akismet plugin) is served by
PHP's built-in server on loopback with a MariaDB database of its own, and Salon's must-use
plugin (``integrations/wordpress/salon-akismet.php``) in ``wp-content/mu-plugins`` pointing at
a live Salon. The site blocks every request to another machine, so whatever reaches Salon went
through the must-use plugin, and nothing can have gone to Akismet. Skipped, saying why, where
WordPress, PHP or MariaDB is missing.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from salon.antispam import engine, filtering
from salon.antispam.keys import create_key
from salon.antispam.models import DailyTally, SpamFilterSite
from tests.antispam import wordpress

pytestmark = pytest.mark.django_db(transaction=True)

ORDINARY = (
    "We walked the same stretch last spring. The boats at low tide really do look like "
    "sleeping dogs; my daughter still calls them that."
)
# An ordinary comment too, but sent with the plugin's honeypot filled in, as a bot does.
BOT = "Lovely photos of the harbour, I would like to visit there one day with my family."
WATCHED = "My sister lost weight with trimfire, you should all try it too!"
LINK_SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)


@pytest.fixture(scope="module")
def site(live_server):
    why = wordpress.missing()
    if why:
        pytest.skip(f"WordPress test skipped: {why}")
    root = Path(tempfile.mkdtemp(prefix="salon-wordpress-"))
    wp = wordpress.WordPressSite(root, live_server.url)
    try:
        wp.start()
        wp.activate_akismet()
        yield wp
    finally:
        wp.close()


def connect(site: wordpress.WordPressSite, **key_options) -> tuple[str, str]:
    """Issue a Salon key for the site and enter it on the Akismet plugin's settings page."""
    issued = create_key([site.url], **key_options)
    page = site.enter_key(issued.key)
    notices = re.findall(r'class="akismet-key-status[^"]*">\s*([^<]*?)\s*<', page)
    assert "Akismet is now protecting your site from spam" in page, (notices, site.logs())
    assert site.option("wordpress_api_key") == issued.key
    return issued.key, f"api:{issued.row.pk}:127.0.0.1"


def no_banner(page: str) -> None:
    for banner in (
        "akismet-critical",
        "notice-error",
        "can&#8217;t connect to the Akismet servers",
        "Akismet Error Code",
    ):
        assert banner not in page, banner


def salon_statistics(client, owner, site_name: str) -> dict[str, float]:
    """The numbers Salon's own statistics page shows for a site (its last 183 days)."""
    client.force_login(owner)
    page = client.get("/admin/antispam/spamstatistics/", {"site": site_name, "days": 183})
    text = re.sub(r"\s+", " ", page.content.decode())
    checked = re.search(r"(\d+) checked: (\d+) spam caught, (\d+) ham passed", text)
    corrections = re.search(r"Corrections: (\d+) missed spam, (\d+) false positives", text)
    accuracy = re.search(r"counted as right\): ([\d.]+) in a hundred", text)
    return {
        "checked": int(checked.group(1)),
        "spam": int(checked.group(2)),
        "missed_spam": int(corrections.group(1)),
        "false_positives": int(corrections.group(2)),
        "accuracy": float(accuracy.group(1)),
    }


def akismet_statistics(page: str) -> dict[str, float]:
    """The numbers on the Akismet plugin's settings page (its "Statistics" card)."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    six = re.search(r"Past six months ([\d,]+) Spam blocked", text)
    total = re.search(r"All time ([\d,]+) Spam blocked", text)
    accuracy = re.search(
        r"Accuracy ([\d.]+)% ([\d,]+) missed spam \| ([\d,]+) false positives?", text
    )
    assert six and total and accuracy, text[:2000]
    return {
        "six_months": int(six.group(1).replace(",", "")),
        "spam": int(total.group(1).replace(",", "")),
        "accuracy": float(accuracy.group(1)),
        "missed_spam": int(accuracy.group(2).replace(",", "")),
        "false_positives": int(accuracy.group(3).replace(",", "")),
    }


def score(site_name: str, submission: engine.Submission) -> float:
    return engine.check(submission, site=filtering.site_state(site_name)).score


def test_the_akismet_plugin_checks_and_learns_through_salon(site, client, owner):
    key, site_name = connect(site)
    assert len(key) == 12

    # A reader's comment: Salon says ham, WordPress publishes it, with the plugin's record.
    answer = site.post_comment(f"{ORDINARY} [ordinary]", "Ann Reader")
    assert answer.status_code == 302, site.logs()
    ordinary = site.comment("[ordinary]")
    assert ordinary.approved == "1"
    assert ordinary.meta["akismet_result"] == ["false"]
    assert any("check-ham" in event for event in ordinary.meta["akismet_history"])
    assert "POST_ak_js" in ordinary.meta["akismet_as_submitted"][0]

    # The same kind of words with the plugin's honeypot filled: Salon reads the honeypot
    # (POST_ak_hp_textarea, no honeypot_field_name) and says spam; WordPress files it there,
    # with Salon's tip that it was blatant.
    site.post_comment(f"{BOT} [bot]", "Bea Visitor", ak_hp_textarea="http://pills.example/")
    bot = site.comment("[bot]")
    assert bot.approved == "spam"
    assert bot.meta["akismet_result"] == ["true"]
    assert bot.meta["akismet_pro_tip"] == ["discard"]
    assert any("check-spam" in event for event in bot.meta["akismet_history"])

    # Link spam, by its words and links alone.
    site.post_comment(f"{LINK_SPAM} [links]", "Money Maker")
    links = site.comment("[links]")
    assert (links.approved, links.meta["akismet_result"]) == ("spam", ["true"])

    # A comment Salon would have a person look at: not spam, and held (Salon's plugin).
    site.post_comment(f"{WATCHED} [watched]", "Cy Curious")
    watched = site.comment("[watched]")
    assert (watched.approved, watched.meta["akismet_result"]) == ("0", ["false"])

    # The owner marks the reader's comment spam and the bot's not spam, from the comments
    # screen; the plugin reports both, and Salon's filter for this blog learns both.
    as_ham = engine.Submission(content=f"{ORDINARY} [ordinary]", author="Ann Reader")
    as_spam = engine.Submission(content=f"{BOT} [bot]", author="Bea Visitor")
    before = score(site_name, as_ham), score(site_name, as_spam)
    comments = site.admin_page("edit-comments.php", comment_status="all")
    site.follow_link(comments, rf"comment\.php\?c={ordinary.id}&action=spamcomment&")
    spam_folder = site.admin_page("edit-comments.php", comment_status="spam")
    site.follow_link(spam_folder, rf"comment\.php\?c={bot.id}&action=unspamcomment&")
    assert site.comment("[ordinary]").approved == "spam"
    assert site.comment("[bot]").approved == "0", "out of spam, WordPress puts it in the queue"
    assert site.comment("[ordinary]").meta["akismet_user_result"] == ["true"]
    assert site.comment("[bot]").meta["akismet_user_result"] == ["false"]

    learned = SpamFilterSite.objects.get(name=site_name)
    assert (learned.spam_lessons, learned.ham_lessons) == (1, 1)
    after = score(site_name, as_ham), score(site_name, as_spam)
    assert after[0] > before[0], "the filter learned that the marked comment was spam"
    assert after[1] < before[1], "and that the other one was not"
    filtering.flush_counts()
    tally = DailyTally.objects.get(site=learned)
    assert (tally.checked, tally.spam, tally.missed_spam, tally.false_positives) == (4, 2, 1, 1)

    # The plugin's settings page shows Salon's numbers, those of Salon's statistics page,
    # with no error banner; its statistics frames come from Salon, not from Akismet.
    page = site.akismet_settings()
    no_banner(page)
    shown = akismet_statistics(page)
    salon = salon_statistics(client, owner, site_name)
    assert shown["spam"] == shown["six_months"] == salon["spam"] == 2
    assert (shown["missed_spam"], shown["false_positives"]) == (
        salon["missed_spam"],
        salon["false_positives"],
    )
    assert shown["accuracy"] == salon["accuracy"]

    # Its statistics frames (a snapshot here, the whole page under "Detailed Stats") show
    # Salon's page, fetched by WordPress; the owner's browser never asks Akismet.
    detailed = site.admin_page("options-general.php", page="akismet-key-config", view="stats")
    for settings_page, view in ((page, "snapshot"), (detailed, "detailed")):
        assert "tools.akismet.com" not in settings_page
        frame = site.frame(settings_page)
        assert f"view={view}" in frame.url.query.decode()
        assert "sandbox" in frame.headers["Content-Security-Policy"]
        assert "4 checked: 2 spam caught, 2 ham passed" in frame.text
        assert "Corrections: 1 missed spam, 1 false positives" in frame.text

    # Every request WordPress made went to Salon or was refused; none went to Akismet.
    made = site.requests_made()
    assert sum(url.startswith(site.salon_url) for url in made) >= 8
    assert not [url for url in made if "akismet.com" in url]


def test_a_throttled_key_has_its_held_comments_checked_when_it_may_be_used_again(site):
    # A window long enough that a slow machine still sends two comments inside one.
    key, site_name = connect(site, rate="1/15s")
    held = None
    for n in range(5):
        site.post_comment(f"{ORDINARY} [busy {n}]", f"Reader {n}")
        comment = site.comment(f"[busy {n}]")
        if comment.approved == "0":
            held = (n, comment)
            break
        assert comment.approved == "1"
    assert held, "one comment over the key's rate was held"
    n, comment = held
    assert "akismet_error" in comment.meta
    assert any("check-error" in event for event in comment.meta["akismet_history"])
    assert site.option("akismet_alert_code") == "90003"

    # The plugin would recheck in 20 minutes; Salon's plugin moved it to when Salon said.
    retry_at = int(site.option("salon_akismet_retry_at"))
    assert retry_at - time.time() <= 15
    assert site.next_recheck() == retry_at

    # The owner sees Salon's alert on the comments screen.
    screen = site.admin_page("edit-comments.php")
    assert "Akismet Error Code: 90003" in screen
    assert "over its request limit (1 every 15 seconds)" in screen
    assert "This alert comes from your Salon spam filter" in screen

    # When the key may be used again, WordPress's scheduled job checks the comment, and
    # publishes it as Salon says; the alert is gone.
    time.sleep(max(0.0, retry_at - time.time()) + 1)
    site.run_cron()
    rechecked = site.comment(f"[busy {n}]")
    assert rechecked.approved == "1", site.logs()
    assert rechecked.meta["akismet_result"] == ["false"]
    assert "akismet_error" not in rechecked.meta
    assert any("cron-retry-ham" in event for event in rechecked.meta["akismet_history"])
    assert site.option("akismet_alert_code") is None


def test_a_revoked_key_is_shown_to_the_owner(site):
    key, _ = connect(site)
    call_command("akismet_key", "revoke", key)
    site.post_comment(f"{ORDINARY} [after revoking]", "Dee Reader")
    comment = site.comment("[after revoking]")
    assert comment.approved == "0" and "akismet_error" in comment.meta
    screen = site.admin_page("edit-comments.php")
    assert "Akismet Error Code: 90001" in screen
    assert "revoked by the Salon administrator" in screen
    # The settings page says the key is no longer valid.
    assert "Your API key is no longer valid" in site.akismet_settings()


CHECKS = """<?php
define( 'ABSPATH', $argv[1] );
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require ABSPATH . 'wp-load.php';
$out = array();
foreach ( json_decode( $argv[2], true ) as $url ) {
    $parsed = salon_akismet_parse_address( $url );
    $out[] = is_wp_error( $parsed ) ? 'error: ' . $parsed->get_error_message() : $parsed;
}
$requests = array(
    array( 'https://rest.akismet.com/1.1/comment-check', array() ),
    array( 'http://0123456789ab.rest.akismet.com/1.1/verify-key', array() ),
    array( 'http://192.0.66.2/1.1/verify-key', array( 'headers' => array( 'Host' => 'rest.akismet.com' ) ) ),
    array( 'https://api.wordpress.org/core/version-check/1.7/', array() ),
    array( 'https://rest.akismet.com.example.net/1.1/comment-check', array() ),
);
foreach ( $requests as $request ) {
    $out[] = salon_akismet_is_api_request( $request[0], $request[1] );
}
echo json_encode( $out );
"""


def test_the_must_use_plugin_sends_the_key_only_over_https_or_to_this_machine(site):
    script = site.root / "checks.php"
    script.write_text(CHECKS)
    addresses = [
        "https://spam.example.org/",
        "https://spam.example.org/salon",
        "http://localhost:8000",
        "http://127.0.0.1:8000/",
        "http://[::1]:8000",
        "http://spam.example.org",
        "ftp://spam.example.org",
        "https://spam.example.org/?key=1",
        "",
        "spam.example.org",
    ]
    done = subprocess.run(
        ["php", str(script), f"{site.site}/", json.dumps(addresses)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    results = json.loads(done.stdout.strip().splitlines()[-1])
    parsed, api = results[: len(addresses)], results[len(addresses) :]
    assert parsed[:5] == [
        "https://spam.example.org",
        "https://spam.example.org/salon",
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
    ]
    assert "must start with https://" in parsed[5] and "must start with https://" in parsed[6]
    assert "no query" in parsed[7]
    assert "SALON_AKISMET_URL is not set" in parsed[8]
    assert "is not an address" in parsed[9]
    assert api == [True, True, True, False, False]
