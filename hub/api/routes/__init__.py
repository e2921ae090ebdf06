"""Routers of the hub's HTTP API."""
