"""WordPress authors as Salon accounts: found by login, username or e-mail, else created
inactive (an export carries no passwords, and an import must not open accounts)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from salon.interchange.models import ImportedItem, latest_record
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.values import wordpress_login

Kind = ImportedItem.Kind


def author(
    run: WxrRun,
    login: str,
    *,
    email: str = "",
    display_name: str = "",
    first_name: str = "",
    last_name: str = "",
    wp_id: str = "",
) -> int:
    """The account for a WordPress login: recorded, an existing one, or a new one."""
    User = get_user_model()
    login = wordpress_login(login) or "wordpress"
    known = run.users_by_login.get(login.lower())
    if known:
        return known
    record = latest_record(
        ImportedItem.objects.filter(source=run.source, kind=Kind.AUTHOR, source_id=login)
    )
    user = User.objects.filter(pk=record.object_id).first() if record else None
    if user is None:
        user = User.objects.filter(username__iexact=login).first()
    if user is None and email:
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        run.tally.add("author", "skipped")
    else:
        if not (first_name or last_name) and display_name and display_name != login:
            first_name = display_name
        # A new account cannot log in until the owner activates it and sets a password.
        user = User(
            username=login,
            email=email[:254],
            first_name=first_name[:150],
            last_name=last_name[:150],
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        run.tally.add("author", "created")
    if record is None:
        ImportedItem.objects.create(
            source=run.source,
            kind=Kind.AUTHOR,
            source_id=login,
            object_id=user.pk,
            extra={"wp_id": wp_id} if wp_id else {},
        )
    elif record.object_id != user.pk:
        record.object_id = user.pk
        record.save(update_fields=["object_id"])
    run.users_by_login[login.lower()] = user.pk
    if wp_id:
        run.users_by_wp_id[wp_id] = user.pk
    elif record is not None and record.extra.get("wp_id"):
        run.users_by_wp_id[record.extra["wp_id"]] = user.pk
    return user.pk


def header_authors(run: WxrRun, authors: list[dict[str, str]]) -> None:
    """The channel's ``wp:author`` list."""
    for fields in authors:
        author(
            run,
            fields.get("wp:author_login", ""),
            email=fields.get("wp:author_email", ""),
            display_name=fields.get("wp:author_display_name", ""),
            first_name=fields.get("wp:author_first_name", ""),
            last_name=fields.get("wp:author_last_name", ""),
            wp_id=fields.get("wp:author_id", ""),
        )


def default_author(run: WxrRun) -> int:
    """Who a post without an author is credited to (``--default-author``, else the first
    superuser, else an inactive "wordpress" account)."""
    if run.default_author is None:
        User = get_user_model()
        user = None
        if run.default_author_name:
            user = User.objects.get(username=run.default_author_name)
        if user is None:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
        run.default_author = user.pk if user else author(run, "wordpress")
    return run.default_author
