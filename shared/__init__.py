"""Shared kernel of Vectis Edge: money, ids, clocks and settings. No I/O lives here."""
