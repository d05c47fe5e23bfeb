"""The Akismet-compatible API's addresses: Akismet's own paths, so clients only change the host."""

from django.urls import path, re_path

from salon.antispam import api

urlpatterns = [
    path("1.1/verify-key", api.verify_key, name="akismet-verify-key"),
    path("1.1/comment-check", api.comment_check, name="akismet-comment-check"),
    path("1.1/submit-spam", api.submit_spam, name="akismet-submit-spam"),
    path("1.1/submit-ham", api.submit_ham, name="akismet-submit-ham"),
    # What WordPress's Akismet plugin calls besides: its settings page, and when it is turned off.
    path("1.1/get-subscription", api.get_subscription, name="akismet-get-subscription"),
    path("1.1/get-stats", api.get_stats, name="akismet-get-stats"),
    path("1.1/deactivate", api.deactivate, name="akismet-deactivate"),
    path("1.1/verify-wpcom-key", api.verify_wpcom_key, name="akismet-verify-wpcom-key"),
    path("1.1/test", api.connection_test, name="akismet-test"),
    # Salon's own: the page the must-use plugin shows in the settings page's statistics frames.
    path("1.1/stats-page", api.stats_page, name="akismet-stats-page"),
    path("1.2/key-sites", api.key_sites, name="akismet-key-sites"),
    path("1.2/usage-limit", api.usage_limit, name="akismet-usage-limit"),
    # Anything else under Akismet's prefixes is answered in plain text, not the site's 404 page.
    re_path(r"^1\.[12]/", api.unknown_endpoint, name="akismet-unknown"),
]
