from django import forms
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import CONTENT_MAX, URL_MAX, Comment


class QuickEditForm(forms.ModelForm):
    """WordPress's Quick Edit: the words and who wrote them; the status has its own buttons."""

    author_url = forms.URLField(
        label=_("Website"), max_length=URL_MAX, required=False, assume_scheme="https"
    )

    class Meta:
        model = Comment
        fields = ("author_name", "author_email", "author_url", "content")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].widget.attrs.update(rows=6)


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=_("Your reply"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a reply first.")},
    )
