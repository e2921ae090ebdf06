"""Repositories of the edge, one module per aggregate: SQLite rows in, domain objects out.

Each takes the Connection of the caller's transaction; none commits.
"""
