from django.urls import path

from salon.mentions import views

app_name = "mentions"

urlpatterns = [
    path("webmention/", views.webmention, name="webmention"),
    path("xmlrpc/", views.xmlrpc_endpoint, name="xmlrpc"),
    # WordPress's address for the same server, which old pingback clients may assume.
    path("xmlrpc.php", views.xmlrpc_endpoint, name="xmlrpc-php"),
]
