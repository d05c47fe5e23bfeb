from django.urls import path

from salon.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/your-data/", views.data_request, name="data-request"),
    path("privacy/your-data/<str:token>/", views.data_link, name="data-link"),
]
