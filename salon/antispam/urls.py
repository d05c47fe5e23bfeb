"""The Akismet-compatible API's addresses: Akismet's own paths, so clients only change the host."""

from django.urls import path

from salon.antispam import api

urlpatterns = [
    path("1.1/verify-key", api.verify_key, name="akismet-verify-key"),
    path("1.1/comment-check", api.comment_check, name="akismet-comment-check"),
    path("1.1/submit-spam", api.submit_spam, name="akismet-submit-spam"),
    path("1.1/submit-ham", api.submit_ham, name="akismet-submit-ham"),
    path("1.2/key-sites", api.key_sites, name="akismet-key-sites"),
    path("1.2/usage-limit", api.usage_limit, name="akismet-usage-limit"),
]
