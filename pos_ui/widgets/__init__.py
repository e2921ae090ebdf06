"""Widgets of the till's screens."""
