from django.urls import path

from salon.notifications import views

app_name = "notifications"

urlpatterns = [
    path("mail/confirm/<str:token>/", views.confirm, name="confirm"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mail/moderate/<str:token>/", views.moderate_comment, name="moderate"),
]
