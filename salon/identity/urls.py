from django.urls import path

from salon.identity import views

app_name = "identity"

urlpatterns = [
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit-comment"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete-comment"),
]
