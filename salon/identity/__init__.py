"""Who is speaking: guests, site accounts and social log-in (django-allauth), and what a
person may still do with their own words (edit or delete within a window)."""
