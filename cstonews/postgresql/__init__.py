"""PostgreSQL: Django's own backend, with a kept connection checked without a query (base.py)."""
