# Run with Isso 0.13.0's own code: likes, a deletion and a held comment, as Isso records them.
from isso import config, db

conf = config.load(config.default_file(), "/tmp/isso-gen/isso.cfg")
store = db.SQLite3(conf.get("general", "dbpath"), conf)
store.comments.vote(True, 1, "203.0.113.7")
store.comments.vote(True, 1, "198.51.100.23")
store.comments.vote(True, 6, "203.0.113.7")
print(store.comments.delete(2))  # has replies: Isso keeps it as mode 4, its text cleared
store.comments.add(
    "/2014/test/",
    {
        "parent": 1,
        "created": 1654700000.0,
        "mode": 2,
        "remote_addr": "198.51.100.0",
        "text": "A *held* reply with [a link](https://example.org/) and <script>alert(1)</script>",
        "author": "Waiting",
        "email": "waiting@example.org",
        "website": "javascript:alert(1)",
        "notification": 0,
    },
)
