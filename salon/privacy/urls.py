from django.urls import path

from salon.privacy import views

app_name = "privacy"

urlpatterns = [path("privacy/", views.privacy, name="privacy")]
