"""Routers of the edge's HTTP API."""
