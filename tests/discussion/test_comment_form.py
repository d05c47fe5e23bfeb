"""The comment form as a guest meets it: limits, errors, redirects, floods and duplicates."""

from __future__ import annotations

import html
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from salon.discussion.models import Comment, DiscussionSettings

pytestmark = pytest.mark.django_db


def test_form_offers_what_a_guest_needs(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Leave a Reply" in page
    for label in ('for="comment"', 'for="author"', 'for="email"', 'for="url"'):
        assert label in page
    assert "Save my name, email, and website in this browser for the next time I comment." in page
    assert "Your email address will not be published." in page
    assert "This site filters spam on its own server." in page
    assert 'href="/privacy/">Learn how your comment data is processed.</a>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_guest_comment_redirects_to_its_anchor_and_is_shown(client, post, post_comment):
    response = post_comment(post, comment="Nice *post*, <script>x()</script> see https://a.example")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.APPROVED
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Nice <em>post</em>" in page
    assert "<script>x()" not in page
    assert '<a href="https://a.example" rel="nofollow ugc">https://a.example</a>' in page
    assert "One thought on “A post worth discussing”" in page


def test_heading_counts_thoughts_in_singular_and_plural(client, post, post_comment):
    assert "thought" not in client.get(post.get_absolute_url()).content.decode()
    post_comment(post)
    assert (
        "One thought on “A post worth discussing”"
        in client.get(post.get_absolute_url()).content.decode()
    )
    post_comment(post)
    post_comment(post)
    assert (
        "3 thoughts on “A post worth discussing”"
        in client.get(post.get_absolute_url()).content.decode()
    )


def test_email_is_never_shown_and_website_is_linked(client, post, post_comment):
    post_comment(post, author="Ada", email="ada.secret@example.net", url="ada.example")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "ada.secret@example.net" not in page
    assert '<a href="https://ada.example" rel="external nofollow ugc">Ada</a>' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author", "x" * 246, "Your name can be at most 245 characters (it has 246)."),
        ("email", "a" * 90 + "@example.net", "Your email address can be at most 100 characters"),
        ("url", "https://e.example/" + "p" * 190, "Your website address can be at most 200"),
        ("comment", "w" * 65526, "Your comment can be at most 65525 characters (it has 65526)."),
        ("comment", "   ", "Please type your comment."),
        ("author", "", "Please enter your name."),
        ("email", "", "Please enter your email address."),
        ("email", "not-an-address", "Please enter a valid email address."),
        ("url", "http://", "Please enter a valid web address"),
    ],
)
def test_bad_fields_get_a_clear_message_and_nothing_is_saved(
    client, post, post_comment, field, value, message
):
    response = post_comment(post, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_limits_at_exactly_wordpress_sizes_are_accepted(post, post_comment):
    response = post_comment(
        post, author="n" * 245, email="e" * 88 + "@example.net", comment="c" * 65525
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert len(comment.author_name) == 245 and len(comment.content) == 65525


def test_what_was_typed_is_kept_when_the_form_comes_back_with_errors(post, post_comment):
    response = post_comment(post, comment="Keep my words", email="broken")
    assert response.status_code == 400
    assert "Keep my words</textarea>" in response.content.decode()


def test_name_and_email_are_optional_when_the_owner_says_so(post, post_comment):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"require_name_email": False})
    response = post_comment(post, author="", email="")
    assert response.status_code == 302
    assert Comment.objects.get().display_name == "Anonymous"


def test_each_kind_of_form_asks_for_its_own_fields_whatever_came_before(post, post_comment, owner):
    """Guests and members, on a site that requires a name and e-mail and on one that does
    not, each get their own form, however the forms before them were made."""
    nameless = {"author": "", "email": ""}
    assert post_comment(post, **nameless).status_code == 400
    member = Client()
    member.force_login(owner)
    assert (
        member.post("/comments/post/", {"post": post.pk, "comment": "From a member."}).status_code
        == 302
    )
    assert post_comment(post, **nameless).status_code == 400  # guests still give both
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"require_name_email": False})
    assert post_comment(post, comment="Nameless.", **nameless).status_code == 302
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"require_name_email": True})
    answer = post_comment(post, **nameless)
    assert answer.status_code == 400 and "Please enter your name." in answer.content.decode()
    page = member.get(post.get_absolute_url()).content.decode()
    assert 'name="comment"' in page and 'name="author"' not in page  # the member's form
    assert Comment.objects.filter(content__in=["From a member.", "Nameless."]).count() == 2


def test_comment_form_is_protected_against_csrf(post, comment_form):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/comments/post/", comment_form(post))
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_comment_refused_by_the_csrf_check_is_shown_back_with_the_reason(post, comment_form):
    """A browser that refuses cookies cannot send the form: the page says so, and keeps the
    words, as every other refusal of a comment does."""
    typed = "A long answer about <the harbour> & its boats."
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/comments/post/", comment_form(post, comment=typed))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form could not be sent" in page
    assert "Your browser seems to refuse cookies from this site" in page
    kept = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert kept and html.unescape(kept.group(1)) == typed
    assert Comment.objects.count() == 0


def test_second_comment_from_same_ip_within_15_seconds_is_a_flood(post, post_comment):
    assert post_comment(post, ip="192.0.2.7").status_code == 302
    response = post_comment(post, ip="192.0.2.7")
    assert response.status_code == 429
    assert "You are posting comments too quickly. Slow down." in response.content.decode()
    assert Comment.objects.count() == 1


def test_second_comment_from_same_email_within_15_seconds_is_a_flood(post, post_comment):
    assert post_comment(post, email="same@example.net").status_code == 302
    assert post_comment(post, email="same@example.net").status_code == 429


def test_the_flood_window_refuses_inside_it_and_accepts_once_it_has_passed(
    post, post_comment, settings
):
    settings.SALON = {**settings.SALON, "FLOOD_SECONDS": 1}
    assert post_comment(post, ip="192.0.2.8").status_code == 302
    assert post_comment(post, ip="192.0.2.8").status_code == 429
    time.sleep(1.1)
    assert post_comment(post, ip="192.0.2.8").status_code == 302
    assert Comment.objects.count() == 2


def test_a_comment_refused_as_a_flood_claims_nothing(post, post_comment):
    assert post_comment(post, ip="192.0.2.10", email="first@example.net").status_code == 302
    # Same e-mail from another address: refused, and that address is not held against…
    assert post_comment(post, ip="192.0.2.11", email="first@example.net").status_code == 429
    # …its next comment, under another e-mail.
    assert post_comment(post, ip="192.0.2.11", email="other@example.net").status_code == 302


def test_flood_seconds_zero_turns_the_guard_off(post, post_comment, settings):
    settings.SALON = {**settings.SALON, "FLOOD_SECONDS": 0}
    statuses = [post_comment(post, ip="192.0.2.9").status_code for _ in range(5)]
    assert statuses == [302] * 5


def test_the_same_comment_twice_is_a_conflict(post, post_comment):
    fields = {"author": "Echo", "email": "echo@example.net", "comment": "I said this."}
    assert post_comment(post, **fields).status_code == 302
    response = post_comment(post, **fields)
    assert response.status_code == 409
    assert "Duplicate comment detected" in response.content.decode()
    assert Comment.objects.count() == 1


def test_comments_on_a_closed_post_are_refused(post, post_comment):
    post.comments_open = False
    post.save()
    response = post_comment(post)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_closed_post_says_so_without_inviting_a_reply(client, post):
    """As WordPress: "Comments are closed." stands alone, under no "Leave a Reply" heading."""
    post.comments_open = False
    post.save()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed." in page
    assert "Leave a Reply" not in page and 'id="commentform"' not in page


def test_words_sent_as_comments_closed_are_shown_back_to_copy(post, post_comment):
    """The owner closed comments while a reader was typing: the refusal keeps their words."""
    post.comments_open = False
    post.save()
    typed = "Three paragraphs of <careful> thought & a quote."
    response = post_comment(post, comment=typed)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Comments are closed" in page
    kept = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert kept and html.unescape(kept.group(1)) == typed


def test_comments_on_a_missing_or_draft_post_are_404(post, make_post, post_comment, client):
    from salon.publishing.models import Post

    draft = make_post(status=Post.Status.DRAFT)
    assert post_comment(draft).status_code == 404
    response = client.post("/comments/post/", {"post": "nonsense", "comment": "x"})
    assert response.status_code == 404


def test_reply_to_a_comment_on_another_post_is_refused(post, make_post, post_comment):
    other = make_post()
    post_comment(other)
    foreign = Comment.objects.get()
    response = post_comment(post, parent=foreign.pk)
    assert response.status_code == 400
    assert "The comment you are replying to does not exist." in response.content.decode()
    assert Comment.objects.count() == 1


def test_held_comment_is_shown_only_to_its_author(client, post, post_comment):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    post_comment(post, comment="Waiting for the moderator.")
    assert Comment.objects.get().status == Comment.Status.PENDING
    mine = client.get(post.get_absolute_url()).content.decode()
    assert "Waiting for the moderator." in mine
    assert "Your comment is awaiting moderation." in mine
    assert "thought" not in mine  # held comments are not counted
    stranger = Client().get(post.get_absolute_url()).content.decode()
    assert "Waiting for the moderator." not in stranger


def test_saved_identity_fills_the_form_next_time_and_can_be_forgotten(client, post, post_comment):
    post_comment(
        post,
        author="Remy",
        email="remy@example.net",
        url="https://remy.example/",
        save_identity="on",
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'value="Remy"' in page and 'value="remy@example.net"' in page
    from datetime import timedelta

    from django.utils import timezone

    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    cache.clear()  # the flood window has passed
    post_comment(post, author="Remy", email="remy@example.net")  # box unticked
    assert 'value="Remy"' not in client.get(post.get_absolute_url()).content.decode()


def test_identity_is_not_saved_without_consent(client, post, post_comment):
    post_comment(post, author="Quiet", email="quiet@example.net")
    assert 'value="Quiet"' not in client.get(post.get_absolute_url()).content.decode()


def test_replytocom_prepares_a_reply_without_javascript(client, post, post_comment):
    post_comment(post, author="Sha’Tara")
    parent = Comment.objects.get()
    page = client.get(f"{post.get_absolute_url()}?replytocom={parent.pk}").content.decode()
    assert "Leave a Reply to Sha’Tara" in page
    assert f'name="parent" id="comment_parent" value="{parent.pk}"' in page
    assert 'id="cancel-comment-reply-link" href="' in page and "hidden>Cancel reply" not in page


def test_the_form_rate_limit_answers_429(post, post_comment, settings):
    settings.SALON = {**settings.SALON, "COMMENT_RATE": "2/m", "FLOOD_SECONDS": 0}
    for n in range(2):
        assert post_comment(post, ip="198.51.100.1", comment=f"n{n}").status_code == 302
    response = post_comment(post, ip="198.51.100.1")
    assert response.status_code == 429


def test_the_spam_notice_says_where_comments_are_judged(client, post, settings):
    assert (
        "This site filters spam on its own server."
        in client.get(post.get_absolute_url()).content.decode()
    )
    settings.SALON = {**settings.SALON, "AKISMET_URL": "https://rest.akismet.example"}
    page = client.get(post.get_absolute_url()).content.decode()
    assert "This site sends comments to rest.akismet.example to filter spam." in page
    assert "on its own server" not in page


def test_behind_the_owners_proxy_the_reader_cannot_choose_their_address(
    post, comment_form, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    reader = Client()
    # The client sends a made-up address first; the proxy appends the real one last.
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.20", "REMOTE_ADDR": "127.0.0.1"}
    assert reader.post("/comments/post/", comment_form(post), **forged).status_code == 302
    assert Comment.objects.get().author_ip == "198.51.100.20"
    # A second comment from the same real address is a flood, whatever the client claims.
    forged["HTTP_X_FORWARDED_FOR"] = "5.6.7.8, 198.51.100.20"
    assert reader.post("/comments/post/", comment_form(post), **forged).status_code == 429
