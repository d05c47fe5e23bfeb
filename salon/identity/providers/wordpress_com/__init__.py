"""Log in with WordPress.com (OAuth 2), a django-allauth provider.

WordPress.com's API: authorise at ``https://public-api.wordpress.com/oauth2/authorize``,
exchange the code at ``/oauth2/token``, read the person at ``/rest/v1/me``
(https://developer.wordpress.com/docs/oauth2/ and /docs/api/1/get/me/).
"""
