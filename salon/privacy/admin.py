"""The log of personal-data requests, and the page where an administrator exports or erases."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from salon.privacy.models import DataRequest
from salon.privacy.personal_data import (
    count_personal_data,
    erase_personal_data,
    erasure_mode,
    export_personal_data,
    log_export,
)


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    action = forms.ChoiceField(
        choices=[
            ("count", _("Show what is held")),
            ("export", _("Download (JSON)")),
            ("erase", _("Erase")),
        ],
        widget=forms.RadioSelect,
        initial="count",
    )
    confirm = forms.BooleanField(label=_("Yes, erase it (this cannot be undone)"), required=False)


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """Read-only log; the "Export or erase" button leads to the form that does the work."""

    list_display = ("created_at", "kind", "source", "counts", "erasure_mode")
    list_filter = ("kind", "source")
    search_fields = ("email_digest",)
    change_list_template = "admin/privacy/datarequest/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.personal_data_view)
        return [path("personal-data/", view, name="privacy_personal_data")] + super().get_urls()

    def get_search_results(self, request, queryset, search_term):
        # Searching by address works without storing it: the term is hashed the same way.
        from salon.privacy.personal_data import email_digest

        if "@" in search_term:
            return queryset.filter(email_digest=email_digest(search_term)), False
        return super().get_search_results(request, queryset, search_term)

    def personal_data_view(self, request: HttpRequest) -> HttpResponse:
        """Export or erase everything tied to an address (superusers or "delete comment")."""
        if not request.user.has_perm("discussion.delete_comment"):
            raise PermissionDenied
        form = PersonalDataForm(request.POST or None)
        counts = None
        if request.method == "POST" and form.is_valid():
            email, action = form.cleaned_data["email"], form.cleaned_data["action"]
            counts = count_personal_data(email)
            if action != "count" and not any(counts.values()):
                # A mistyped address must not look like a request carried out.
                form.add_error(
                    "email", _("Nothing is held about this address: check it for a typo.")
                )
                action = "count"
            if action == "export":
                data = export_personal_data(email)
                log_export(email, DataRequest.Source.ADMIN, data)
                response = HttpResponse(
                    json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            if action == "erase":
                if not form.cleaned_data["confirm"]:
                    form.add_error("confirm", _("Tick this box to erase."))
                else:
                    erased = erase_personal_data(email, DataRequest.Source.ADMIN)
                    self.message_user(
                        request,
                        _("Erased: %(counts)s.")
                        % {"counts": ", ".join(f"{k} {v}" for k, v in erased.items())},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:privacy_datarequest_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export or erase a person's data"),
            "form": form,
            "counts": counts,
            "erasure_mode": erasure_mode(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/privacy/personal_data.html", context)
