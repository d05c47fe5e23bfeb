from tests.notifications.mailbox import mail_on, mailbox, smtp_port  # noqa: F401
