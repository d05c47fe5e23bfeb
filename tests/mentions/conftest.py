from tests.mentions.article_server import allow_loopback, other_site  # noqa: F401
