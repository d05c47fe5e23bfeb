"""An imported history can teach the site's spam filter, once, when the owner asks."""

from __future__ import annotations

import pytest

from salon.antispam.models import THIS_SITE, SpamFilterSite
from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_importing_without_the_option_teaches_nothing(run, theme_file):
    run("import_wxr", theme_file)
    assert not SpamFilterSite.objects.filter(name=THIS_SITE).exists()


def test_the_option_teaches_approved_and_spam_comments_once(run, theme_file, disqus_file):
    output = run("import_wxr", "--train-spam-filter", theme_file)
    approved = Comment.objects.filter(status=Comment.Status.APPROVED).count()
    site = SpamFilterSite.objects.get(name=THIS_SITE)
    assert (site.ham_lessons, site.spam_lessons) == (approved, 0)
    assert f"learned from 0 spam and {approved} approved comments" in output

    # Running the import again adds no comment, so nothing is taught twice.
    run("import_wxr", "--train-spam-filter", theme_file)
    site.refresh_from_db()
    assert site.ham_lessons == approved

    run("import_disqus", "--train-spam-filter", disqus_file)
    site.refresh_from_db()
    new_spam = Comment.objects.filter(status=Comment.Status.SPAM).count()
    new_approved = Comment.objects.filter(status=Comment.Status.APPROVED).count() - approved
    assert (site.ham_lessons, site.spam_lessons) == (approved + new_approved, new_spam)
