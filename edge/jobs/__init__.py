"""Background jobs of the edge (APScheduler)."""
