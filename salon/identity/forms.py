"""The form for editing one's own comment: the same limits and messages as posting it."""

from __future__ import annotations

from django import forms

from salon.discussion.forms import CommentForm


class EditCommentForm(forms.Form):
    comment = CommentForm.base_fields["comment"]

    def clean_comment(self) -> str:
        # The same rules as posting (it only reads cleaned_data["comment"]).
        return CommentForm.clean_comment(self)  # type: ignore[arg-type]
