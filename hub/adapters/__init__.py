"""Adapters: tables, repositories and database engines. All SQL lives here."""
