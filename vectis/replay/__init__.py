"""Replay of the Online Retail data set through the stores, and reconciliation against the hub."""
