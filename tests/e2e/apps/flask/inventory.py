"""The data the service answers with (the cache test edits this file)."""
ITEMS = [
    {"name": "hammer", "price": 12},
    {"name": "saw", "price": 20},
    {"name": "drill", "price": 85},
]
