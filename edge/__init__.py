"""An edge node: the store's till, its SQLite file, its outbox and its sync agent."""
