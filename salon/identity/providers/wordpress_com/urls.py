"""``/accounts/wordpress_com/login/`` and ``…/login/callback/`` (the callback to register)."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from salon.identity.providers.wordpress_com.provider import WordPressComProvider

urlpatterns = default_urlpatterns(WordPressComProvider)
