"""Salon's admin site: Django's, with the moderation screen among its pages and the number of
comments awaiting moderation beside "Comments" in its menu."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from salon.desk import queue


def badge(count: int) -> str:
    """The waiting comments' count as WordPress shows it, read out in words."""
    return format_html(
        '<span class="desk-badge">{}<span class="desk-sr"> {}</span></span>',
        count,
        ngettext("comment awaiting moderation", "comments awaiting moderation", count),
    )


class SalonAdminSite(admin.AdminSite):
    def get_urls(self):
        from salon.desk import views

        own = [
            path("moderation/", self.admin_view(views.comments), name="desk_comments"),
            path("moderation/act/", self.admin_view(views.act), name="desk_act"),
            path("moderation/empty/", self.admin_view(views.empty), name="desk_empty"),
            path("moderation/<int:pk>/reply/", self.admin_view(views.reply), name="desk_reply"),
            path("moderation/<int:pk>/edit/", self.admin_view(views.edit), name="desk_edit"),
        ]
        return own + super().get_urls()

    def get_app_list(self, request: HttpRequest, app_label: str | None = None):
        """The menu, with Discussion › Comments leading to the moderation screen and showing
        how many comments wait (one query)."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] != "discussion":
                continue
            for model in app["models"]:
                if model["object_name"] == "Comment" and model.get("perms", {}).get("change"):
                    waiting = queue.pending_count()
                    model["admin_url"] = reverse("admin:desk_comments", current_app=self.name)
                    if waiting:
                        model["admin_url"] += "?status=pending"
                        model["name"] = format_html("{} {}", model["name"], badge(waiting))
        return apps
