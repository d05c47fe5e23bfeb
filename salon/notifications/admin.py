from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from salon.notifications.models import MailOptOut, OutgoingMail, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "topic", "post", "created_at", "confirmed_at")
    list_filter = ("topic", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    raw_id_fields = ("post",)


@admin.register(MailOptOut)
class MailOptOutAdmin(admin.ModelAdmin):
    list_display = ("email", "topic", "created_at")
    list_filter = ("topic",)
    search_fields = ("email",)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox, to see what is waiting or failed; messages are written by Salon only."""

    list_display = ("subject", "to", "topic", "created_at", "attempts", "sent_at", "failed_at")
    list_filter = (
        "topic",
        ("sent_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ("retry_now",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try again now"), permissions=["change"])
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(sent_at__isnull=True).update(
            failed_at=None, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(
            request, _("%(n)d messages will be sent on the next round.") % {"n": count}
        )
