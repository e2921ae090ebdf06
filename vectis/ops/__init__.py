"""Running the real parts: a throwaway PostgreSQL cluster and the hub and edge processes."""
