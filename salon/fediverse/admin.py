from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from salon.fediverse.delivery import queue
from salon.fediverse.documents import BLOG, activity
from salon.fediverse.models import (
    Delivery,
    FediverseSettings,
    Follower,
    OutgoingActivity,
    Reaction,
    RemoteActor,
    RemoteReply,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FediverseSettings)
class FediverseSettingsAdmin(admin.ModelAdmin):
    """Whether replies are taken (or all held), author accounts, blocked servers."""

    fields = ("replies", "author_actors", "blocked", "summary")

    def has_add_permission(self, request):
        return not FediverseSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    """Who follows the blog (and its authors). Removing one stops deliveries to them."""

    list_display = ("actor", "actor_name", "local", "created_at")
    list_filter = ("local",)
    search_fields = ("actor__handle", "actor__name", "actor__uri")
    readonly_fields = ("actor", "local", "follow_uri", "created_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("name"))
    def actor_name(self, obj):
        return obj.actor.name


@admin.register(RemoteActor)
class RemoteActorAdmin(ReadOnly):
    list_display = ("handle", "name", "uri", "fetched_at")
    search_fields = ("handle", "name", "uri")
    exclude = ("public_key_pem",)


@admin.register(RemoteReply)
class RemoteReplyAdmin(ReadOnly):
    """Replies from the fediverse (moderated as comments). Moderating sends nothing back;
    the action below tells the author's server, when the owner wants it to know."""

    list_display = ("note_uri", "actor", "comment", "received_at", "updated_at")
    search_fields = ("note_uri", "actor__handle")
    actions = ["send_reject"]

    @admin.action(description=_("Tell their servers these replies were rejected"))
    def send_reject(self, request, queryset):
        count = 0
        for reply in queryset.select_related("actor"):
            document = activity("Reject", BLOG, reply.note_uri, to=[reply.actor.uri])
            queue("Reject", BLOG, document, [reply.actor.inbox])
            count += 1
        self.message_user(
            request, _("%(count)d rejection(s) queued.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Reaction)
class ReactionAdmin(ReadOnly):
    list_display = ("actor", "kind", "post", "created_at")
    list_filter = ("kind",)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("inbox", "status", "attempts", "answered_at", "answer", "retry_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutgoingActivity)
class OutgoingActivityAdmin(ReadOnly):
    """What was sent to followers' servers, and what each answered."""

    list_display = ("kind", "post", "sender", "created_at", "delivered", "waiting", "failed")
    list_filter = ("kind",)
    readonly_fields = ("uri", "kind", "sender", "post", "document", "created_at")
    inlines = [DeliveryInline]

    def _count(self, obj, status):
        return sum(1 for d in obj.deliveries.all() if d.status == status)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.display(description=_("delivered"))
    def delivered(self, obj):
        return self._count(obj, Delivery.Status.DELIVERED)

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        return self._count(obj, Delivery.Status.WAITING)

    @admin.display(description=_("failed"))
    def failed(self, obj):
        return self._count(obj, Delivery.Status.FAILED)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("activity", "inbox", "status", "attempts", "answered_at", "answer")
    list_filter = ("status",)
    search_fields = ("inbox", "answer")
