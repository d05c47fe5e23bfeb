"""The comment form: WordPress's limits, a clear message for each field."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, EMAIL_MAX, URL_MAX
from salon.web_addresses import validate_web_address


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 45, "maxlength": CONTENT_MAX}),
        error_messages={
            "required": _("Please type your comment."),
            "max_length": _(
                "Your comment can be at most %(limit_value)s characters (it has %(show_value)s)."
            ),
        },
    )
    author = forms.CharField(
        label=_("Name"),
        max_length=AUTHOR_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": AUTHOR_MAX}),
        error_messages={
            "required": _("Please enter your name."),
            "max_length": _(
                "Your name can be at most %(limit_value)s characters (it has %(show_value)s)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX,
        required=False,
        help_text=_("Your email address will not be published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address."),
            "max_length": _(
                "Your email address can be at most %(limit_value)s characters (it has %(show_value)s)."
            ),
        },
    )
    url = forms.URLField(
        label=_("Website"),
        max_length=URL_MAX,
        required=False,
        assume_scheme="https",
        validators=[validate_web_address],
        widget=forms.URLInput(attrs={"autocomplete": "url", "maxlength": URL_MAX}),
        error_messages={
            "invalid": _("Please enter a valid web address, like https://example.com/."),
            "max_length": _(
                "Your website address can be at most %(limit_value)s characters "
                "(it has %(show_value)s)."
            ),
        },
    )
    save_identity = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    notify_replies = forms.BooleanField(
        label=_("Notify me of follow-up comments by email."), required=False
    )
    notify_posts = forms.BooleanField(label=_("Notify me of new posts by email."), required=False)
    post = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # A field people never see (hidden by CSS, labelled for screen readers); bots fill it in.
    nickname = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, require_name_email: bool = True, logged_in: bool = False, **kwargs):
        # Django copies every field (and its widget) for each form; this form's fields are
        # made once for each kind of form and shared, as nothing changes them afterwards.
        self.base_fields = _fields_for(type(self), logged_in, require_name_email)
        super().__init__(*args, **kwargs)
        self.logged_in = logged_in

    def clean_comment(self) -> str:
        text = self.cleaned_data["comment"]
        if "\x00" in text:
            raise forms.ValidationError(_("Your comment contains characters that are not allowed."))
        return text

    def clean_author(self) -> str:
        return " ".join(self.cleaned_data.get("author", "").split())


class _SharedFields(dict):
    """A form's fields that every form of its kind uses as they are: Django's copy of
    them for a new form is a new dict of the same fields."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


_shared: dict[tuple[type, bool, bool], _SharedFields] = {}


def _fields_for(form: type[CommentForm], logged_in: bool, require_name_email: bool) -> dict:
    """The fields of the comment form for a reader who is logged in (no name, e-mail or
    website: the account's are used) or a guest (a name and an e-mail required when the
    site asks for them); made once."""
    key = (form, logged_in, require_name_email)
    fields = _shared.get(key)
    if fields is None:
        fields = _SharedFields(copy.deepcopy(form.base_fields))
        if logged_in:
            for name in ("author", "email", "url", "save_identity"):
                del fields[name]
        elif require_name_email:
            fields["author"].required = True
            fields["email"].required = True
        fields = _shared.setdefault(key, fields)
    return fields
