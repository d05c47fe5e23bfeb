"""The form on which a person asks for their data, or for it to be erased."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salon.privacy.models import DataRequest


class DataRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=[
            (DataRequest.Kind.EXPORT.value, _("A copy of my data")),
            (DataRequest.Kind.ERASE.value, _("Erase my data")),
        ],
        initial=DataRequest.Kind.EXPORT.value,
        widget=forms.RadioSelect,
    )
