"""Moving in from WordPress: a WXR file's authors, categories, tags, posts, pages, attachments
and comments become Salon's, and every one is recorded in :class:`ImportedItem`.

Matching rules, so an import can be run again or into a site that already has content:

- posts, pages, attachments and comments are found by (source site, WordPress id); posts,
  pages and attachments then by a GUID recorded from another source (the same blog at a new
  address, or Salon's own export read back); comments of a post that
  already existed by (author name, date), as WordPress's own importer does;
- authors by login, then by an account with the same username or e-mail (which is reused as
  it is); categories and tags by their slug.

What is found is left as it is (counted "skipped") unless ``update`` is set, in which case its
fields are brought in line with the file (counted "updated" when something changed).

The flow is :func:`import_wxr`; each step is a plain function of the run's state
(:class:`~salon.interchange.wordpress.run.WxrRun`) in its own module: ``authors``,
``terms``, ``posts``, ``comments``, ``attachments``, ``records`` (where items came from) and
``flush`` (the bulk writes).
"""
