"""Use cases: one function per command, each owning its transaction."""
